"""What the dates a question names do to a search: a boost for the releases of that time, and a second
search within the period when the archive is crowded there.

The boost (:func:`boosted`): releases published inside (or just after) a date the question names score
higher, never a hard filter, because questions often name the event's date and releases come out days
later; "latest" questions favour the newest candidates.

The second search (:class:`Periods`). Why: the whole archive repeats its topics: a weekly fake-news
summary every week, a cabinet synopsis every meeting, the same MOU ceremony wording every month. A
question that names its day or month ("the DES summary for 4-10 March 2022", "the MOU the cabinet approved
on June 11, 2024") matches a hundred such releases about equally, and the right one can fall out of every
list before the date boost of the fusion ever sees it. So when the named period is crowded, each list is
also read within that period, and its best there joins the fusion as lists of their own
(``Weights.date_scoped``).

The second look (:mod:`index.search.rerank`) also reads how far each release's date lies outside the named
dates (:func:`days_outside`), and learns how much that counts.

Only where the period holds more releases than one list holds (``Weights.pool``): in a small index a
period has a few releases, any of which would top its own list, and the extra lists then only add noise
(development index: English R@5 0.968 -> 0.935 without this rule). Measured in bench/PERFORMANCE.md ("Stop
18"): over the whole archive, development set R@5 English 0.839 -> 0.871, accuracy 0.420 -> 0.454; train and
validation English R@5 0.646 -> 0.667; at 10,000 releases within noise; at 1,600 never applied.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.search.query import DateWindow, QueryInfo

if TYPE_CHECKING:  # pragma: no cover
    from index.search.reader import IndexReader

log = logging.getLogger(__name__)

# Slack around a named date, in days (before, after): releases report events on the day or soon after.
_SLACK = {"day": (2, 10), "month": (5, 25), "quarter": (10, 60), "year": (0, 45), "relative": (0, 1)}

#: Days after a named window within which a release still reports it as its own (counts as inside).
REPORTED_DAYS = 3
#: Days before and after a named day or month within which its reports are published (a cabinet
#: meeting's English synopsis comes out up to two weeks later, a monthly report the next month).
BEFORE_DAYS, AFTER_DAYS = 2, 30
#: Date kinds that scope a search: a year holds a fifth of the archive, a period too wide to tell apart.
KINDS = ("day", "month")
#: Hits read from each full list to find a period's best ones (3,000 found the same releases on the
#: development set and the validation fold, at more cost).
DEEP = 1000


@dataclass(frozen=True)
class Boost:
    """The date boost's weights (``retrieve.Weights``, for the question's language): the boost inside a
    named date, the share of it a named year gets, the share just outside (within the slack), and the
    newest release's boost for a "latest" question (halved, thirded... down the dates)."""

    inside: float
    year_share: float
    near: float
    latest: float


def boosted(
    scores: Mapping[str, float], dates: Mapping[str, dt.date | None], info: QueryInfo, boost: Boost
) -> dict[str, float]:
    """Each release's fused score times its date factor (1 plus the boosts that apply)."""
    newest_rank: dict[str, int] = {}
    if info.latest:
        dated = sorted((u for u in scores if dates[u] is not None), key=lambda u: dates[u], reverse=True)  # type: ignore[arg-type, return-value]
        newest_rank = {u: i for i, u in enumerate(dated)}
    out = {}
    for url, score in scores.items():
        d = dates[url]
        factor = 1.0
        if d is not None and info.dates:
            best = 0.0
            for win in info.dates:
                before, after = _SLACK.get(win.kind, (2, 10))
                share = boost.year_share if win.kind == "year" else 1.0
                if _reported_in(win, d, min(after, REPORTED_DAYS)):
                    best = max(best, boost.inside * share)
                elif win.start - dt.timedelta(days=before) <= d <= win.end + dt.timedelta(days=after):
                    best = max(best, boost.inside * share * boost.near)
            factor += best
        if url in newest_rank:
            factor += boost.latest / (1 + newest_rank[url])
        out[url] = score * factor
    return out


def _reported_in(win: DateWindow, day: dt.date, after: int = REPORTED_DAYS) -> bool:
    """Whether a release of ``day`` falls inside the window or within ``after`` days of its end."""
    return win.start <= day <= win.end + dt.timedelta(days=after)


def days_outside(day: dt.date | None, windows: Sequence[DateWindow]) -> int | None:
    """How many days ``day`` lies outside the nearest of the named ``windows`` (0 inside one, or in the
    three days after it, when a release reports the event); None when no date is named or the release has
    none. The second look learns from it how far a release's date may stray from the question's."""
    if day is None or not windows:
        return None
    best = None
    for win in windows:
        if _reported_in(win, day):
            return 0
        gap = (win.start - day).days if day < win.start else (day - win.end).days
        best = gap if best is None else min(best, gap)
    return best


class Periods:
    """When every live chunk and release of one generation was published: which chunks a period holds."""

    def __init__(self, chunk_ids: np.ndarray, chunk_days: np.ndarray, release_days: np.ndarray) -> None:
        self._day = np.zeros(int(chunk_ids.max()) + 1 if len(chunk_ids) else 0, dtype=np.int32)
        self._day[chunk_ids] = chunk_days
        self._releases = np.sort(release_days[release_days > 0])

    def crowded(self, dates: Sequence[DateWindow], more_than: int) -> list[tuple[int, int]]:
        """The named days and months as (first, last) publication days, widened by :data:`BEFORE_DAYS` and
        :data:`AFTER_DAYS`, that hold more than ``more_than`` releases."""
        out = []
        for window in dates:
            if window.kind not in KINDS:
                continue
            first = window.start.toordinal() - BEFORE_DAYS
            last = window.end.toordinal() + AFTER_DAYS
            held = np.searchsorted(self._releases, last, side="right")
            held -= np.searchsorted(self._releases, first)
            if int(held) > more_than:
                out.append((first, last))
        return out

    def within(
        self, hits: Sequence[tuple[int, float]], windows: Sequence[tuple[int, int]], n: int
    ) -> list[tuple[int, float]]:
        """The first ``n`` of ``hits`` (chunk id and score, best first) published in one of ``windows``."""
        if n <= 0 or not hits:
            return []
        ids = np.fromiter((cid for cid, _ in hits), dtype=np.int64, count=len(hits))
        known = (ids >= 0) & (ids < len(self._day))
        day = np.zeros(len(ids), dtype=np.int32)
        day[known] = self._day[ids[known]]
        inside = np.zeros(len(ids), dtype=bool)
        for first, last in windows:
            inside |= (day >= first) & (day <= last)
        return [hits[int(i)] for i in np.flatnonzero(inside & (day > 0))[:n]]


class LivePeriods:
    """The live generation's :class:`Periods`, built once a generation (at warm-up and on a switch, ~1 s at
    full size) outside the lock, so that concurrent searches never wait on a build."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: tuple[int, Periods] | None = None

    def of(self, reader: IndexReader) -> Periods:
        """The publication days of ``reader``'s live generation."""
        with self._lock:
            if self._held is not None and self._held[0] == reader.generation:
                return self._held[1]
        built, ids, days, releases = reader.publication_days()
        fresh = Periods(ids, days, releases)
        with self._lock:
            if self._held is None or self._held[0] != reader.generation:
                self._held = (built, fresh)  # another generation since? the next call builds again
            return self._held[1]

    def build_in_background(self, reader: IndexReader) -> None:
        """Build a new generation's days in a thread of their own. Why: a reload happens inside a question
        (and the bot's service lock), which must not wait ~1 s for them; should the build fail (the index
        moved again, the file went away), the first question that names a period builds them instead."""

        def build() -> None:
            try:
                self.of(reader)
            except Exception as exc:  # noqa: BLE001 - a background warm-up must never take the process down
                log.warning("publication days not built in the background: %s", exc)

        threading.Thread(target=build, name="period-days", daemon=True).start()
