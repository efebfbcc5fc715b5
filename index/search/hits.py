"""What a search returns (releases with the passages that matched) and the release metadata hits are made of.

Why a module of its own: the answer step and the replies read hits without caring how they were found, and
two places make them: the per-question ranking (:mod:`index.search.ranking`) for the releases it ranks, and
the Searcher (:meth:`index.search.retrieve.Searcher.within`) for one release a question is asked about.
Both take a release's title, date, category and language from the one :class:`ReleaseCatalogue`.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from index.search.reader import IndexReader


@dataclass(frozen=True)
class Passage:
    """A chunk of a release that matched, with its fused score."""

    chunk_id: int
    text: str
    score: float


@dataclass(frozen=True)
class ReleaseHit:
    """One release in the results: where it is, when it was published, why it matched."""

    url: str
    release_id: str
    title: str
    date: str
    category: str
    lang: str
    score: float
    passages: list[Passage] = field(default_factory=list)


@dataclass(frozen=True)
class _Meta:
    release_id: str
    title: str
    date: str
    category: str
    lang: str


#: What a release the index no longer knows is shown as.
_UNKNOWN = _Meta("", "", "", "", "th")


class ReleaseCatalogue:
    """Title, date, category and language of every release of the live generation, kept in memory (small:
    no bodies).

    Why in memory: dates are needed for every candidate of every question (date boosts), so one query per
    candidate would cost more than the search itself.
    """

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._meta: dict[str, _Meta] = {}
        #: The newest publication date indexed: relative dates count from it when the corpus is older
        #: than today (:func:`index.search.query.analyze`).
        self.newest: dt.date | None = None
        self.load()

    def load(self) -> None:
        """Read the metadata of the reader's live generation (at start and after a switch)."""
        meta: dict[str, _Meta] = {}
        for url, rid, title, date, cat, lang in self._reader.release_meta():
            meta[url] = _Meta(rid or "", title or "", date or "", cat or "", lang or "th")
        newest = max((m.date for m in meta.values() if m.date), default="")
        with self._lock:
            self._meta = meta
            self.newest = dt.date.fromisoformat(newest) if newest else None

    def date(self, url: str) -> str:
        """``url``'s publication date (ISO), "" where unknown."""
        return self._meta_for(url).date

    def hit(self, url: str, score: float, passages: list[Passage]) -> ReleaseHit:
        """``url`` as a search hit with ``score`` and ``passages``."""
        m = self._meta_for(url)
        return ReleaseHit(
            url=url,
            release_id=m.release_id,
            title=m.title,
            date=m.date,
            category=m.category,
            lang=m.lang,
            score=score,
            passages=passages,
        )

    def _meta_for(self, url: str) -> _Meta:
        """The metadata of ``url``, read from the index (and kept) where the loaded metadata lacks it."""
        m = self._meta.get(url)
        if m is None:
            r = self._reader.release(url)
            m = _UNKNOWN if r is None else _Meta(r.release_id, r.title, r.date, r.category, r.lang)
            self._meta[url] = m
        return m
