"""A list answer's data: the agenda of one meeting, as the reply and ``ask --json`` carry it.

Apart from :mod:`index.answer.agenda` (which decides and builds it) so that :mod:`index.answer.types` can
hold it without importing the search layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ListedItem:
    """One agenda item: its number in the meeting, its title, where it starts in the release body."""

    number: int
    title: str
    start: int

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "start_char": self.start}


@dataclass(frozen=True)
class AgendaList:
    """The items of the meeting held on ``meeting_date`` (ISO), from the summary at ``url`` (in the
    question's language when there is one); ``also`` are the other summaries of the same meeting (the
    other language), linked beside it; ``asked`` (first and last ISO day) the days the question meant when
    none of them has a meeting in the index and this, the latest (a day relative to today) or the nearest
    (a written day, ``nearest``), stands in (the reply says so)."""

    meeting_date: str
    url: str
    title: str
    date: str
    lang: str
    items: tuple[ListedItem, ...]
    also: tuple[tuple[str, str, str, str], ...] = field(default_factory=tuple)  # (url, title, date, lang)
    asked: tuple[str, str] | None = None
    #: for a written day with no meeting (``asked``): the nearest meetings before and after it that the
    #: index holds, each (meeting date, summary url); this agenda is the nearer one's
    nearest: tuple[tuple[str, str], ...] = ()
