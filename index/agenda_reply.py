"""List replies: a meeting's agenda titles as Telegram HTML (the first :data:`SHOWN` in full, then "and N
more") and as console text (every title).

Why the cut: a cabinet summary lists up to ~60 items of up to a few hundred characters each; the reply
stays one readable message, and the bot offers the rest behind a button (:func:`render_rest_html`), the
JSON carries them all. Release text is escaped (:func:`thaigov_qa.markup.escape_html`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from corpus.thaidate import format_en, format_th
from thaigov_qa.markup import escape_html
from thaigov_qa.messages import reply_texts as texts

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.listing import AgendaList, ListedItem

#: Items shown in full in the first reply; the rest are "and N more".
SHOWN = 10


def format_date(iso: str, lang: str) -> str:
    """``19 ธ.ค. 2566`` / ``19 December 2023`` (as :func:`index.reply.format_date`, which renders the other
    replies and hands list answers to this module)."""
    try:
        day = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return format_th(day) if lang == "th" else format_en(day)


def _date(agenda: AgendaList, lang: str) -> str:
    return format_date(agenda.meeting_date, lang)


def _not_on(agenda: AgendaList, lang: str, html: bool = False) -> str | None:
    """The line saying the days the question meant have no meeting indexed, and what stands in: the
    latest meeting (a day relative to today) or the nearest before and after a written day, each linked
    in HTML. Escaped for HTML when ``html``."""
    if agenda.asked is None:
        return None
    t = texts(lang)
    first, last = (format_date(d, lang) for d in agenda.asked)
    days = (
        t["agenda_day"].format(date=first)
        if first == last
        else t["agenda_days"].format(first=first, last=last)
    )
    if not agenda.nearest:
        line = t["agenda_not_on"].format(days=days)
        return escape_html(line) if html else line
    near = []
    for day, url in agenda.nearest:
        side = t["agenda_before" if day < agenda.asked[0] else "agenda_after"]
        shown = format_date(day, lang)
        if html:
            shown = f'<a href="{escape_html(url)}">{escape_html(shown)}</a>'
        near.append(side.format(date=shown))
    line = t["agenda_not_on_near"].format(days=escape_html(days) if html else days, near=", ".join(near))
    return line


def _title(item: ListedItem, lang: str) -> str:
    """The item's title, or a line saying the summary gives none (a number it skipped, with no heading:
    :data:`corpus.agenda.UNTITLED`), so the number is not shown bare."""
    return item.title or texts(lang)["agenda_untitled"]


def _item_html(item: ListedItem, lang: str) -> str:
    return f"{item.number}. {escape_html(_title(item, lang))}"


def _link(url: str, title: str, date: str) -> str:
    return f'<a href="{escape_html(url)}">{escape_html(title)}</a>' + (
        f" ({escape_html(date)})" if date else ""
    )


def render_html(agenda: AgendaList, lang: str, shown: int = SHOWN) -> str:
    """The first reply: heading with the summary's link, the first ``shown`` titles, "and N more", and the
    other language's summary of the same meeting."""
    t = texts(lang)
    head = t["agenda_head"].format(date=_date(agenda, lang), n=len(agenda.items))
    not_on = _not_on(agenda, lang, html=True)
    lines = [not_on] if not_on else []
    lines += [
        f"<b>{escape_html(head)}</b>",
        _link(agenda.url, agenda.title, format_date(agenda.date, lang)),
        "",
    ]
    lines += [_item_html(i, lang) for i in agenda.items[:shown]]
    rest = len(agenda.items) - shown
    if rest > 0:
        lines.append(f"<i>{escape_html(t['agenda_more'].format(n=rest))}</i>")
    if agenda.also:
        lines.append("")
        lines.append(escape_html(t["agenda_also"]))
        lines += [_link(url, title, format_date(date, lang)) for url, title, date, _lang in agenda.also]
    return "\n".join(lines)


def render_rest_html(agenda: AgendaList, lang: str, shown: int = SHOWN) -> str:
    """The rest of the list (the bot's "show more" button): every title after the first ``shown``."""
    t = texts(lang)
    head = t["agenda_rest"].format(date=_date(agenda, lang))
    lines = [f"<b>{escape_html(head)}</b>", _link(agenda.url, agenda.title, "")]
    lines += [_item_html(i, lang) for i in agenda.items[shown:]]
    return "\n".join(lines)


def render_text(agenda: AgendaList, lang: str) -> str:
    """The console reply: every title, then the summaries' URLs."""
    t = texts(lang)
    not_on = _not_on(agenda, lang)
    lines = [not_on] if not_on else []
    lines += [t["agenda_head"].format(date=_date(agenda, lang), n=len(agenda.items)), ""]
    lines += [f"{i.number}. {_title(i, lang)}" for i in agenda.items]
    lines += [
        "",
        f"{t['sources']}:",
        f"1. {agenda.title} ({format_date(agenda.date, lang)})",
        f"   {agenda.url}",
    ]
    for n, (url, title, date, _lang) in enumerate(agenda.also, start=2):
        lines += [f"{n}. {title} ({format_date(date, lang)})", f"   {url}"]
    # The other nearest meeting of a written day with none (the listed one is source 1).
    n = len(agenda.also) + 2
    for day, url in agenda.nearest:
        if url != agenda.url and agenda.asked is not None:
            side = t["agenda_before" if day < agenda.asked[0] else "agenda_after"]
            lines += [f"{n}. {side.format(date=format_date(day, lang))}", f"   {url}"]
            n += 1
    return "\n".join(lines)
