"""Replies: the same answer as Telegram HTML (what the bot sends) and as console text.

Every piece of release text (titles, evidence, answers, URLs) is escaped with :func:`html.escape` before it
goes into HTML: release text is third-party text, and Telegram rejects a message with a stray ``<``. The
user-facing wording lives in :func:`texts`, in Thai and English, so the bot and the console say the same.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from corpus.thaidate import format_en, format_th

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.types import Answer, ReleaseAnswer, Source

#: Sources listed in a reply; the bot offers the rest behind a "more sources" button.
REPLY_SOURCES = 3
#: Titles longer than this are cut in replies (full titles stay in the JSON).
TITLE_CHARS = 160

_TEXTS = {
    "th": {
        "answer": "คำตอบ",
        "evidence": "หลักฐานจากข่าว",
        "sources": "ที่มา",
        "found_no_span": "ข้อความจากข่าวประชาสัมพันธ์ที่ตอบคำถามนี้:",
        "hedged": "ข้อความที่ใกล้เคียงที่สุดในข่าวระบุว่า:",
        "several": "มีข่าวหลายฉบับที่ตอบคำถามนี้:",
        "not_found": "ไม่พบคำตอบของคำถามนี้ในข่าวประชาสัมพันธ์ที่มีอยู่",
        "closest": "ข่าวที่ใกล้เคียงที่สุด:",
        "no_results": "ไม่พบข่าวที่เกี่ยวข้อง",
        "empty": "กรุณาพิมพ์คำถาม เช่น “ลงนาม MOU กับหัวเว่ยเมื่อไร”",
        "quoted_th": "(อ้างอิงจากข่าวภาษาไทย)",
        "quoted_en": "(อ้างอิงจากข่าวภาษาอังกฤษ)",
        "llm_note": "สรุปโดยโมเดลภาษาจากข่าวที่อ้างถึง",
        "no_index": "ยังไม่มีดัชนีข่าว: สร้างด้วย `thaigov-qa index build SOURCE` หรือลอง `thaigov-qa demo`",
        "chat_intro": "ถามคำถามเกี่ยวกับข่าวรัฐบาลไทย (ภาษาไทยหรืออังกฤษ) พิมพ์ /quit เพื่อออก",
        "more": "ที่มาเพิ่มเติม",
    },
    "en": {
        "answer": "Answer",
        "evidence": "Evidence",
        "sources": "Sources",
        "found_no_span": "What the press releases say:",
        "hedged": "The closest passage says:",
        "several": "Several releases answer this:",
        "not_found": "The press releases I have do not answer this question.",
        "closest": "Closest releases:",
        "no_results": "No related press releases found.",
        "empty": "Please type a question, e.g. “When was the Huawei MOU signed?”",
        "quoted_th": "(quoted from the Thai release)",
        "quoted_en": "(quoted from the English release)",
        "llm_note": "Written by a language model from the cited releases",
        "no_index": "No index yet: build one with `thaigov-qa index build SOURCE`, or try `thaigov-qa demo`",
        "chat_intro": "Ask about Thai government press releases (Thai or English). Type /quit to leave.",
        "more": "More sources",
    },
}


def texts(lang: str) -> dict[str, str]:
    """User-facing strings for ``lang`` ('th' or 'en'; anything else gets English)."""
    return dict(_TEXTS["th" if lang == "th" else "en"])


def format_date(iso: str, lang: str) -> str:
    """A release date for a reply: ``19 ธ.ค. 2566`` in Thai, ``19 December 2023`` in English."""
    try:
        day = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return format_th(day) if lang == "th" else format_en(day)


def _title(source: Source) -> str:
    title = " ".join((source.title or source.url).split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def _quote_note(answer: Answer) -> str:
    """A note when the evidence is in the other language than the question (English question, Thai quote)."""
    from corpus.text import detect_lang

    if not answer.evidence:
        return ""
    ev_lang = detect_lang(answer.evidence)
    if ev_lang == answer.lang:
        return ""
    return texts(answer.lang)["quoted_th" if ev_lang == "th" else "quoted_en"]


#: Characters of another release's evidence quoted in the "several releases answer" lines.
OTHER_EVIDENCE_CHARS = 200


def _others(answer: Answer) -> list[tuple[ReleaseAnswer, list[ReleaseAnswer]]]:
    """The other answering releases, each with the later ones that say the same (shown once, several
    links); releases repeating the top answer's fact are grouped under it."""
    if len(answer.answers) < 2:
        return []

    def key(a: ReleaseAnswer) -> str:
        return " ".join((a.answer or a.evidence).split()).casefold()

    groups: dict[str, tuple[ReleaseAnswer, list[ReleaseAnswer]]] = {}
    for entry in answer.answers:
        k = key(entry)
        if k in groups:
            groups[k][1].append(entry)
        else:
            groups[k] = (entry, [])
    return [g for g in groups.values() if g[0] is not answer.answers[0]] + [
        g for g in groups.values() if g[0] is answer.answers[0] and g[1]
    ]


def _several_html(answer: Answer) -> list[str]:
    groups = _others(answer)
    if not groups:
        return []
    esc = html.escape
    lines = [f"<i>{esc(texts(answer.lang)['several'])}</i>"]
    for lead, same in groups:
        links = ", ".join(
            f'<a href="{esc(a.url, quote=True)}">{esc(format_date(a.date, answer.lang) or a.url)}</a>'
            for a in [lead, *same]
        )
        if lead is answer.answers[0]:
            lines.append(f"• {links}")
            continue
        said = lead.answer or _cut(lead.evidence, OTHER_EVIDENCE_CHARS)
        lines.append(f"• {esc(said)} ({links})")
    return lines


def _several_text(answer: Answer) -> list[str]:
    groups = _others(answer)
    if not groups:
        return []
    lines = [texts(answer.lang)["several"]]
    for lead, same in groups:
        links = ", ".join(f"{format_date(a.date, answer.lang)} {a.url}" for a in [lead, *same])
        said = "" if lead is answer.answers[0] else (lead.answer or _cut(lead.evidence, OTHER_EVIDENCE_CHARS))
        lines.append(f"• {said} ({links})" if said else f"• {links}")
    return lines


def _cut(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def render_html(answer: Answer, max_sources: int = REPLY_SOURCES) -> str:
    """The Telegram reply (HTML parse mode): short answer in bold, the evidence quoted, numbered links."""
    t = texts(answer.lang)
    esc = html.escape
    lines: list[str] = []
    if answer.found:
        if answer.generated and answer.answer:
            lines.append(esc(answer.answer))
            lines.append(f"<i>{esc(t['llm_note'])}</i>")
        elif answer.answer:
            lines.append(f"<b>{esc(answer.answer)}</b>")
        else:
            lines.append(esc(t["hedged"] if answer.hedged else t["found_no_span"]))
        if answer.evidence:
            lines.append(f"<blockquote>{esc(answer.evidence)}</blockquote>")
            note = _quote_note(answer)
            if note:
                lines.append(f"<i>{esc(note)}</i>")
        lines.extend(_several_html(answer))
        heading = t["sources"]
    else:
        lines.append(esc(t["not_found"] if answer.sources else t["no_results"]))
        heading = t["closest"]
    shown = answer.sources[:max_sources]
    if shown:
        lines.append("")
        lines.append(f"<b>{esc(heading)}</b>" if answer.found else esc(heading))
        for i, src in enumerate(shown, 1):
            date = format_date(src.date, answer.lang)
            suffix = f" ({esc(date)})" if date else ""
            lines.append(f'{i}. <a href="{esc(src.url, quote=True)}">{esc(_title(src))}</a>{suffix}')
    return "\n".join(lines)


def render_text(answer: Answer, max_sources: int = REPLY_SOURCES) -> str:
    """The console reply: the same content as :func:`render_html`, as plain text with URLs written out."""
    t = texts(answer.lang)
    lines: list[str] = []
    if answer.found:
        lines.append(answer.answer or (t["hedged"] if answer.hedged else t["found_no_span"]))
        if answer.generated:
            lines.append(f"({t['llm_note']})")
        if answer.evidence:
            lines.append(f"“{answer.evidence}”")
            note = _quote_note(answer)
            if note:
                lines.append(note)
        lines.extend(_several_text(answer))
        heading = t["sources"] + ":"
    else:
        lines.append(t["not_found"] if answer.sources else t["no_results"])
        heading = t["closest"]
    shown = answer.sources[:max_sources]
    if shown:
        lines.append("")
        lines.append(heading)
        for i, src in enumerate(shown, 1):
            date = format_date(src.date, answer.lang)
            lines.append(f"{i}. {_title(src)}" + (f" ({date})" if date else ""))
            lines.append(f"   {src.url}")
    return "\n".join(lines)
