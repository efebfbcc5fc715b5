"""The agenda of a meeting summary: its numbered item titles and the meeting's date, read from the release.

Why at ingestion, not per question: a cabinet summary is 50 k characters; its structure (a numbered
table of contents in Thai, ``Title:`` headings in the English synopses) is fixed once the release is
known, so the index stores the items (:mod:`index.build.agenda_rows`) and a "what did the cabinet approve
on <date>" question reads them back in one query instead of re-parsing the body.

The formats, as the archive writes them (2020-2025):

- Thai ``สรุปข่าวการประชุมคณะรัฐมนตรี 13 กันยายน 2566``: a table of contents ``1. เรื่อง <title>``,
  ``2. เรื่อง …`` (section words such as ``กฎหมาย`` between them), then the same numbers again, each
  heading its item's text. The meeting's date is the date in the title (a summary may be published the
  day after the meeting).
- English ``The cabinet met on September 13, 2023.``: each item headed ``Title: <title>``; the synopsis
  is published days after the meeting, whose date is the one in that first sentence.

Nothing here is specific to one release: a release whose body has no such structure has no agenda.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from corpus.release import Release
from corpus.thaidate import find_dates

#: Fewest numbered titles (or ``Title:`` headings) that make an agenda, unless the release's title says
#: it summarises a meeting (then one will do: a special session may decide a single matter).
MIN_ITEMS = 2
#: A title is cut here (a heading that runs into its paragraph is not a title).
MAX_TITLE_CHARS = 400

_THAI_ITEM = re.compile(r"^[ \t]*(\d{1,3})[ \t]*\.[ \t]*เรื่อง[ \t:]*(\S.*?)[ \t]*$", re.MULTILINE)
_EN_TITLE = re.compile(r"^[ \t\u200b]*Title[ \t]*:[ \t]*(\S.*?)[ \t]*$", re.MULTILINE)
#: Where the meeting's date is written: "The cabinet met (via a video conference) on <date>", "Cabinet
#: meeting on <date>", "การประชุมคณะรัฐมนตรี <date>", "การประชุม ครม. <date>".
_MEETING = re.compile(r"(?i)(cabinet\s+met\b|cabinet\s+meeting\b|ประชุม\s*(?:คณะรัฐมนตรี|ครม))")


@dataclass(frozen=True)
class AgendaItem:
    """One agenda item: its number in the meeting (1-based), its title, where it starts in the body."""

    number: int
    title: str
    start: int


@dataclass(frozen=True)
class Agenda:
    """The items of one meeting summary, and the date of the meeting (ISO) it summarises; ``summary``
    when the release's title names a meeting (a cabinet summary rather than a release with a list)."""

    meeting_date: str
    items: tuple[AgendaItem, ...]
    summary: bool = False


def _clean(title: str) -> str:
    title = " ".join(title.replace("\u200b", " ").split())
    return title[:MAX_TITLE_CHARS]


def thai_items(body: str, least: int = MIN_ITEMS) -> list[AgendaItem]:
    """The numbered ``N. เรื่อง`` titles: the first run 1, 2, 3 … (the table of contents), each placed at
    its heading in the text when the numbers come round again (else at its table-of-contents line)."""
    matches = list(_THAI_ITEM.finditer(body))
    toc: list[re.Match[str]] = []
    rest_from = len(matches)
    for i, m in enumerate(matches):
        n = int(m.group(1))
        if n == len(toc) + 1:
            toc.append(m)
        elif toc and n == 1:
            rest_from = i
            break
    if len(toc) < least:
        return []
    heading: dict[int, re.Match[str]] = {}
    for m in matches[rest_from:]:
        heading.setdefault(int(m.group(1)), m)
    items = []
    for k, m in enumerate(toc, start=1):
        title, below = _clean(m.group(2)), heading.get(k)
        if below is None:
            items.append(AgendaItem(k, title, m.start()))
            continue
        full = _clean(below.group(2))
        # A table-of-contents line cut short (the title runs on to a second line): the heading has it all.
        if len(full) > len(title) and _squash(full).startswith(_squash(title)):
            title = full
        items.append(AgendaItem(k, title, below.start()))
    return items


def _squash(text: str) -> str:
    return "".join(text.split())


def english_items(body: str, least: int = MIN_ITEMS) -> list[AgendaItem]:
    """The ``Title:`` headings of an English synopsis, numbered in order."""
    found = [(m.start(), _clean(m.group(1))) for m in _EN_TITLE.finditer(body)]
    if len(found) < least:
        return []
    return [AgendaItem(k, title, start) for k, (start, title) in enumerate(found, start=1) if title]


def meeting_date(release: Release) -> str:
    """The meeting's date (ISO): the first date after a meeting phrase in the title or the body's first
    lines, else the publication date."""
    year = int(release.date[:4]) if release.date[:4].isdigit() else None
    for text in (release.title, release.body[:600]):
        m = _MEETING.search(text)
        if m is None:
            continue
        dates = [d for d in find_dates(text[m.end() : m.end() + 80], year) if d.granularity == "day"]
        if dates and _plausible(dates[0].date, release.date):
            return dates[0].date.isoformat()
    return release.date


def _plausible(day: dt.date, published: str) -> bool:
    """A meeting date is on or before its summary's publication, by at most a few weeks (a typo such as
    a wrong year falls back to the publication date)."""
    try:
        pub = dt.date.fromisoformat(published)
    except ValueError:
        return True
    return dt.timedelta(0) <= pub - day <= dt.timedelta(days=45)


def names_meeting(title: str) -> bool:
    """Whether a release's title says it summarises a meeting (``สรุปข่าวการประชุม ครม.``, ``The cabinet
    met on …``)."""
    return _MEETING.search(title) is not None


def parse_agenda(release: Release) -> Agenda | None:
    """The agenda of ``release`` when its body has one (numbered Thai titles or English ``Title:``
    headings), else None."""
    summary = names_meeting(release.title)
    least = 1 if summary else MIN_ITEMS
    items = english_items(release.body, least) if release.lang == "en" else thai_items(release.body, least)
    if not items and release.lang == "en":
        items = thai_items(release.body, least)
    if not items:
        return None
    return Agenda(meeting_date(release), tuple(items), summary)
