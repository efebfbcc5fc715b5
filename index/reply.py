"""Replies: the same answer as Telegram HTML (what the bot sends) and as console text.

Every piece of release text (titles, evidence, answers, URLs) is escaped with
:func:`thaigov_qa.markup.escape_html` before it goes into HTML: release text is third-party text, and
Telegram rejects a message with a stray ``<``. The user-facing wording is :func:`texts`
(``thaigov_qa.messages.reply_texts``), in Thai and English, so the bot and the console say the same.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from index import agenda_reply
from index.answer.number_gloss import gloss_amounts
from index.answer.words import asks_anything
from index.date_gloss import gloss_dates
from thaigov_qa.markup import escape_html
from thaigov_qa.messages import reply_texts as texts

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.types import Answer, ReleaseAnswer, Source

#: Sources listed in a reply; the bot offers the rest behind a "more sources" button.
REPLY_SOURCES = 3
#: Titles longer than this are cut in replies (full titles stay in the JSON).
TITLE_CHARS = 160


def format_date(iso: str, lang: str) -> str:
    """A release date for a reply: ``19 ธ.ค. 2566`` in Thai, ``19 December 2023`` in English."""
    return agenda_reply.format_date(iso, lang)


def source_line(n: int, url: str, title_html: str, date_html: str) -> str:
    """``n. <a href=url>title</a> (date)``: how every list of sources writes one (title and date escaped)."""
    suffix = f" ({date_html})" if date_html else ""
    return f'{n}. <a href="{escape_html(url)}">{title_html}</a>{suffix}'


def quoted(text: str, lang: str) -> str:
    """Release text as a reply in ``lang`` quotes it: for an English reply, its Thai dates and amounts glossed
    in English (:func:`index.date_gloss.gloss_dates`, :func:`index.answer.number_gloss.gloss_amounts`); the
    answer's own fields keep the release's words."""
    return gloss_amounts(gloss_dates(text)) if lang == "en" else text


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
    esc = escape_html
    lines = [f"<i>{esc(texts(answer.lang)['several'])}</i>"]
    for lead, same in groups:
        links = ", ".join(
            f'<a href="{esc(a.url, quote=True)}">{esc(format_date(a.date, answer.lang) or a.url)}</a>'
            for a in [lead, *same]
        )
        if lead is answer.answers[0]:
            lines.append(f"• {links}")
            continue
        said = lead.answer or quoted(_cut(lead.evidence, OTHER_EVIDENCE_CHARS), answer.lang)
        lines.append(f"• {esc(said)} ({links})")
    return lines


def _several_text(answer: Answer) -> list[str]:
    groups = _others(answer)
    if not groups:
        return []
    lines = [texts(answer.lang)["several"]]
    for lead, same in groups:
        links = ", ".join(f"{format_date(a.date, answer.lang)} {a.url}" for a in [lead, *same])
        said = (
            ""
            if lead is answer.answers[0]
            else (lead.answer or quoted(_cut(lead.evidence, OTHER_EVIDENCE_CHARS), answer.lang))
        )
        lines.append(f"• {said} ({links})" if said else f"• {links}")
    return lines


#: A bullet a release's own list item starts with, which the reply's "• " line would show twice
#: ("• - 1 มกราคม"). A dash counts only before a space: "-5.2%" is a number.
_LEADING_BULLET = re.compile(r"^(?:[•●▪]\s*|[-–*]\s+)+")


def _cut(text: str, n: int) -> str:
    text = _LEADING_BULLET.sub("", " ".join(text.split()))
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def render_html(answer: Answer, max_sources: int = REPLY_SOURCES) -> str:
    """The Telegram reply (HTML parse mode): short answer in bold, the evidence quoted, numbered links."""
    if answer.agenda is not None:
        return agenda_reply.render_html(answer.agenda, answer.lang)
    t = texts(answer.lang)
    esc = escape_html
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
            lines.append(f"<blockquote>{esc(quoted(answer.evidence, answer.lang))}</blockquote>")
            if answer.more_evidence:
                lines.append(f"<i>{esc(t['more_evidence'])}</i>")
                lines.append(f"<blockquote>{esc(quoted(answer.more_evidence, answer.lang))}</blockquote>")
            note = _quote_note(answer)
            if note:
                lines.append(f"<i>{esc(note)}</i>")
        lines.extend(_several_html(answer))
        heading = t["sources"]
    else:
        lines.append(esc(_not_found(answer, t)))
        heading = t["closest"]
    if answer.newest:
        lines.append(f"<i>{esc(t['newest'].format(date=format_date(answer.newest, answer.lang)))}</i>")
    shown = answer.sources[:max_sources]
    if shown:
        lines.append("")
        lines.append(f"<b>{esc(heading)}</b>" if answer.found else esc(heading))
        for i, src in enumerate(shown, 1):
            lines.append(source_line(i, src.url, esc(_title(src)), esc(format_date(src.date, answer.lang))))
            if src.snippet and not answer.found:
                lines.append(f"   <i>“{esc(quoted(src.snippet, answer.lang))}”</i>")
    return "\n".join(lines)


def _not_found(answer: Answer, t: dict[str, str]) -> str:
    """What a refusal says: the releases do not answer; nothing related was found; or, for a message that
    asks nothing ("thanks", "👍"), an invitation to ask, with an example."""
    if answer.clarify:
        return t["clarify"]
    if answer.unknown_words:
        return t["unknown_words"].format(words=", ".join(f"“{w}”" for w in answer.unknown_words[:5]))
    if answer.sources:
        return t["not_found"]
    return t["no_results"] if asks_anything(answer.question) else t["empty"]


def render_text(answer: Answer, max_sources: int = REPLY_SOURCES) -> str:
    """The console reply: the same content as :func:`render_html`, as plain text with URLs written out."""
    if answer.agenda is not None:
        return agenda_reply.render_text(answer.agenda, answer.lang)
    t = texts(answer.lang)
    lines: list[str] = []
    if answer.found:
        lines.append(answer.answer or (t["hedged"] if answer.hedged else t["found_no_span"]))
        if answer.generated:
            lines.append(f"({t['llm_note']})")
        if answer.evidence:
            lines.append(f"“{quoted(answer.evidence, answer.lang)}”")
            if answer.more_evidence:
                lines.append(t["more_evidence"])
                lines.append(f"“{quoted(answer.more_evidence, answer.lang)}”")
            note = _quote_note(answer)
            if note:
                lines.append(note)
        lines.extend(_several_text(answer))
        heading = t["sources"] + ":"
    else:
        lines.append(_not_found(answer, t))
        heading = t["closest"]
    if answer.newest:
        lines.append(t["newest"].format(date=format_date(answer.newest, answer.lang)))
    shown = answer.sources[:max_sources]
    if shown:
        lines.append("")
        lines.append(heading)
        for i, src in enumerate(shown, 1):
            date = format_date(src.date, answer.lang)
            lines.append(f"{i}. {_title(src)}" + (f" ({date})" if date else ""))
            if src.snippet and not answer.found:
                lines.append(f"   “{quoted(src.snippet, answer.lang)}”")
            lines.append(f"   {src.url}")
    return "\n".join(lines)
