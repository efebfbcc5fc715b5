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
#: Items a table of contents may skip before the run of numbers is taken to have ended (a line lost, or
#: two items written in the other order); a skipped item's title comes from its heading below.
MAX_SKIPPED = 2
#: The title of an item whose number the summary skips and that has no heading either: it stays in the
#: list (its number says where), and the replies say the summary gives no title.
UNTITLED = ""
#: Bumped whenever a change to the parsing changes what an index stores for the same release: an index
#: whose rows were parsed by another version re-parses them (:func:`index.build.agenda_rows.refresh`).
#: 2: an item written on the line before it splits off; skipped numbers no longer end the list.
#: 3: a heading that runs into the cabinet's decision ("… คณะรัฐมนตรีมีมติอนุมัติ…") is cut before it.
PARSER_VERSION = 3

_THAI_ITEM = re.compile(r"^[ \t]*(\d{1,3})[ \t]*\.[ \t]*เรื่อง[ \t:]*(\S.*?)[ \t]*$", re.MULTILINE)
#: An item number inside a line, after a space and before ``เรื่อง`` (see :func:`_split_line`).
_INLINE_ITEM = re.compile(r"(?<=[ \t])(\d{1,3})[ \t]*\.[ \t]*เรื่อง[ \t:]*(?=\S)")
#: Words after which a number is a reference in a title, not the next item ("ตามข้อ 18. เรื่อง …").
_REFERENCE_WORDS = ("ข้อ", "มาตรา", "หมวด", "ฉบับที่", "ครั้งที่", "ลำดับที่", "วาระที่")
#: Where a heading runs on into its item's text: the cabinet's decision ("คณะรัฐมนตรีมีมติอนุมัติตาม…",
#: "คณะรัฐมนตรีรับทราบ…"). Only the decision verbs: a title may itself name a resolution ("ขอยกเว้น
#: มติคณะรัฐมนตรีที่…", "…ที่คณะรัฐมนตรีมีมติให้รักษาไว้…"). 21 of the archive's 8,470 Thai titles ran on.
_DECISION = re.compile(r"\s*(?:คณะรัฐมนตรี|ครม\.)\s*(?:มีมติ\s*)?(?:อนุมัติ|เห็นชอบ|รับทราบ)")
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
    decision = _DECISION.search(title)
    if decision is not None and decision.start() > 0:
        title = title[: decision.start()]
    return title[:MAX_TITLE_CHARS]


def thai_items(body: str, least: int = MIN_ITEMS) -> list[AgendaItem]:
    """The numbered ``N. เรื่อง`` titles: the first run 1, 2, 3 … (the table of contents), each placed at
    its heading in the text when the numbers come round again (else at its table-of-contents line).

    Why it tolerates a broken table of contents: the site's lists lose line breaks ("… ภูฏาน 18. เรื่อง …"
    on item 17's line, split by :func:`_entries`) and lines (item 18 absent, or after 19). A number that
    skips at most :data:`MAX_SKIPPED` items goes on with the run, and a skipped item takes its heading's
    title; one with no heading either stays in the list with an empty title (:data:`UNTITLED`), so a
    broken list never ends early or silently. Headings past the table's last item are not read as items:
    a numbered ``N. เรื่อง`` inside an item's text cannot be told from one (over the 2020-2025 archive, no
    table of contents ends before its headings do).
    """
    entries = _entries(body)
    toc: dict[int, _Entry] = {}
    last, rest_from = 0, len(entries)
    for i, e in enumerate(entries):
        if e.number == last + 1 or (last and last + 1 < e.number <= last + 1 + MAX_SKIPPED):
            toc[e.number] = e
            last = e.number
        elif last and e.number == 1:
            rest_from = i
            break
    if len(toc) < least:
        return []
    heading: dict[int, _Entry] = {}
    for e in entries[rest_from:]:
        heading.setdefault(e.number, e)
    items: list[AgendaItem] = []
    for k in range(1, last + 1):
        listed, below = toc.get(k), heading.get(k)
        if listed is None and below is None:
            start = items[-1].start if items else 0
            items.append(AgendaItem(k, UNTITLED, start))
            continue
        title = _clean(listed.title) if listed else UNTITLED
        if below is None:
            items.append(AgendaItem(k, title, listed.start if listed else 0))
            continue
        full = _clean(below.title)
        # A table-of-contents line cut short (the title runs on to a second line): the heading has it all.
        if not title or (len(full) > len(title) and _squash(full).startswith(_squash(title))):
            title = full
        items.append(AgendaItem(k, title, below.start))
    return items


@dataclass(frozen=True)
class _Entry:
    """A numbered ``N. เรื่อง`` title as written: its number, its raw title, where the number starts."""

    number: int
    title: str
    start: int


def _entries(body: str) -> list[_Entry]:
    """Every ``N. เรื่อง`` line in order, a line holding the next items too split at their numbers."""
    out: list[_Entry] = []
    for m in _THAI_ITEM.finditer(body):
        out += _split_line(int(m.group(1)), m.group(2), m.start(2), m.start())
    return out


def _split_line(number: int, title: str, title_at: int, start: int) -> list[_Entry]:
    """Item ``number``'s line, split where the next number in sequence follows its title
    (``… ภูฏาน 18. เรื่อง …`` on item 17's line), and again for the one after. Why only the next number
    and only before ``เรื่อง``: a title's own numbers (``พ.ศ. 2567``, ``ข้อ 18``, amounts, a law's
    section) are never that; a reference word before it (``ข้อ``, ``มาตรา``) keeps it in the title."""
    out: list[_Entry] = []
    begin = 0
    for hit in _INLINE_ITEM.finditer(title):
        if int(hit.group(1)) != number + 1 or title[: hit.start()].rstrip().endswith(_REFERENCE_WORDS):
            continue
        out.append(_Entry(number, title[begin : hit.start()].rstrip(), start))
        number, begin, start = number + 1, hit.end(), title_at + hit.start()
    out.append(_Entry(number, title[begin:], start))
    return out


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
