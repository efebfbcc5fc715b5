"""The Searcher: the search's face over the live index generation, for the answer step, the bot and the CLI.

It holds what lives as long as the index: the reader (opened from the settings and followed across builds
by :meth:`Searcher.reload_if_changed`), the second look's model, the threads that embed questions, the
releases' metadata and publication days, and the vectors of recent questions. What one question goes
through (analysis, the BM25 and dense lists, fusion, dates, the second look) is
:class:`index.search.ranking.Ranker`'s, which the Searcher hands these parts; see that module for the
pipeline and why it is built so.

:class:`ReleaseHit` and :class:`Passage` (:mod:`index.search.hits`) and :class:`Weights`
(:mod:`index.search.fusion`) are re-exported here: the search's callers import them with the Searcher.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.release import Release
from corpus.text import query_text
from index import lexical
from index.build.onnx_backend import BACKENDS as ONNX_BACKENDS
from index.search import periods
from index.search.adapter import AdapterError, QueryAdapter
from index.search.concepts import thai_stopwords
from index.search.fusion import Weights
from index.search.glossary import STOP, Glossary, default_glossary
from index.search.hits import Passage, ReleaseCatalogue, ReleaseHit
from index.search.query import QueryInfo
from index.search.ranking import MODES, Ranker, RecentVectors
from index.search.rerank import Reranker
from index.search.tower import TowerEncoder, TowerError, configured_tower
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from index.build.agenda_rows import MeetingAgenda
    from index.build.embedding import Embedder
    from index.search.reader import IndexReader

__all__ = ["MODES", "Passage", "ReleaseHit", "Searcher", "Weights"]

#: Threads that embed questions while BM25 runs, per Searcher (a process has one: the bot answers a few
#: questions at once, and more threads than cores would only queue on the CPU).
EMBED_THREADS = 2

log = logging.getLogger(__name__)


class Searcher:
    """Hybrid retrieval over an :class:`index.search.reader.IndexReader` (see the module docstring)."""

    def __init__(
        self,
        reader: IndexReader,
        settings: Settings,
        glossary: Glossary | None = None,
        weights: Weights | None = None,
        dense: bool = True,
        reranker: Reranker | None = None,
        adapter: QueryAdapter | None = None,
    ) -> None:
        self.reader = reader
        # The second look at the fused top (index.search.rerank): the shipped model unless one is given,
        # none with RERANK=false. Read at every search, so that it can be swapped on a live Searcher.
        self.reranker = reranker if reranker is not None else (Reranker.load() if settings.rerank else None)
        self.settings = settings
        glossary = glossary if glossary is not None else default_glossary()
        self._recent = RecentVectors()
        # Owned by the Searcher rather than created at import: no threads exist until a search asks for one
        # (the executor starts them on first use), and they end with the Searcher.
        self._embed_pool = ThreadPoolExecutor(max_workers=EMBED_THREADS, thread_name_prefix="embed-question")
        self._releases = ReleaseCatalogue(reader)
        self._periods = periods.LivePeriods()
        self._ranker = Ranker(
            reader,
            self._releases,
            glossary,
            weights or Weights(),
            dense,
            self._periods,
            self._embed_pool,
            self._recent,
            adapter if adapter is not None else _shipped_adapter(settings, reader),
            _configured_tower(settings, reader),
        )

    @classmethod
    def open(
        cls,
        settings: Settings,
        glossary: Glossary | None = None,
        weights: Weights | None = None,
        dense: bool = True,
        reranker: Reranker | None = None,
        adapter: QueryAdapter | None = None,
    ) -> Searcher:
        """Open the live index generation (raises the reader's ``NoIndex`` / ``ModelMismatch``); the other
        arguments as :meth:`__init__`'s."""
        from index.search.reader import IndexReader

        return cls(IndexReader.open(settings), settings, glossary, weights, dense, reranker, adapter)

    # --- the ranking's knobs, fixed when the Searcher is made ----------------------------------
    @property
    def weights(self) -> Weights:
        return self._ranker.weights

    @property
    def glossary(self) -> Glossary:
        return self._ranker.glossary

    @property
    def use_dense(self) -> bool:
        return self._ranker.use_dense

    @property
    def adapter(self) -> QueryAdapter | None:
        """The learned map of English questions' vectors the dense search reads (index.search.adapter)."""
        return self._ranker.adapter

    @adapter.setter
    def adapter(self, adapter: QueryAdapter | None) -> None:
        self._ranker.adapter = adapter

    @property
    def tower(self) -> TowerEncoder | None:
        """The fine-tuned query tower that serves English questions' dense search (index.search.tower)."""
        return self._ranker.tower

    # --- pass-throughs the answer and bot layers use -------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self.reader.embedder

    def stats(self) -> dict[str, Any]:
        return self.reader.stats()

    @property
    def releases(self) -> int | None:
        """How many releases the live generation holds: the reader's refusal thresholds depend on it."""
        return self.reader.releases

    def release(self, url: str) -> Release | None:
        return self.reader.release(url)

    def meetings(self, dates: Sequence[str]) -> list[MeetingAgenda]:
        return self.reader.meetings(dates)

    def agenda(self, url: str) -> MeetingAgenda | None:
        return self.reader.agenda(url)

    def nearest_meetings(self, day: str) -> list[str]:
        return self.reader.nearest_meetings(day)

    def latest(self, n: int) -> list[Release]:
        return self.reader.latest(n)

    @property
    def newest(self) -> dt.date | None:
        """The newest publication date the live generation holds (None for an empty index)."""
        return self._releases.newest

    def reload_if_changed(self) -> bool:
        """Follow a new index generation (and its release metadata) when a build switched the pointer."""
        changed = bool(self.reader.reload_if_changed())
        if changed:
            self._releases.load()
            self._periods.build_in_background(self.reader)
        return changed

    def warm_up(self) -> None:
        """Build the live generation's publication days now (~1 s at full size), not in the first question
        that names a date (:mod:`index.search.periods`), and every chunk's release in memory (fusion asks
        ~260 a question)."""
        self._periods.of(self.reader)
        self.reader.warm_up()
        if self.tower is not None:  # its graph is made (exported the first time) before a user asks
            self.tower.vector("warm up")

    # --- search --------------------------------------------------------------------------------
    def analyze(self, query: str, today: dt.date | None = None) -> QueryInfo:
        """Query analysis with relative dates counted from today or the newest indexed release."""
        return self._ranker.analyze(query_text(query), today=today)

    def translation(self, info: QueryInfo) -> str:
        """The Thai rendering of an English question: glossary terms, names, dates, numbers, Latin words."""
        return self._ranker.translation(info)

    def unknown_words(self, query: str) -> list[str]:
        """The question's words when no release writes any of them and they are no word of the Thai
        dictionary or of the English tables (a typo in every word, keys mashed); empty when one word is
        known, or when the question has no word at all. Why: the closest releases of such a question are
        chance (nearest vectors of nonsense), and listing them reads as if the bot understood it."""
        info = self.analyze(query)
        stop = thai_stopwords() | STOP
        words = [
            t
            for t in dict.fromkeys(lexical.tokenize(info.text))
            if (len(t) > 1 or t.isdigit()) and any(ch.isalnum() for ch in t) and t not in stop
        ]
        if not words or not all(map(_thai_or_latin, words)):
            return []  # no word; or another script, which the reply's language prompt answers
        # A word some release writes, or a Thai word of the dictionary (a real question the index has no
        # release about: a small index, a topic never announced) is searched as before.
        if any(self.reader.doc_freq(t) or t in lexical.lexicon() for t in words):
            return []
        if info.lang == "en" and self._ranker.rendered_terms(info):
            return []
        # Said back as the user wrote them: the pieces between spaces that hold an unknown word (the word
        # splitter may cut a letter off a run of letters that is no word).
        pieces = [p.strip(_PUNCTUATION) for p in info.text.split()]
        return [p for p in dict.fromkeys(pieces) if p and any(w in p.casefold() for w in words)] or words

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", today: dt.date | None = None
    ) -> list[ReleaseHit]:
        """The top ``k`` releases for ``query``. ``mode``: hybrid (the product), fusion (plain BM25+dense
        RRF, no translation or dates), bm25, dense: the last three exist to measure the parts (an English
        question's dense list reads the query adapter's map in every mode, as the product's does)."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {', '.join(MODES)}")
        query = query_text(query)
        if not query or k <= 0:
            return []
        return self._ranker.views(query, k, mode, today, self.reranker)[1]

    def search_views(
        self, query: str, k: int = 10, adapted: bool = True
    ) -> tuple[list[ReleaseHit], list[ReleaseHit]]:
        """The top ``k`` releases twice: in the fused order, which the reader reads (it was trained on
        that order: trained behind the second look it answered less, docs/answers.md "Stop 25"), and in the
        second look's order, which a reply lists and :meth:`search` returns. Without a re-ranking model,
        both are the fused order. ``adapted=False`` searches without the query adapter's map and the query
        tower (for the questions they were fitted on: ``reader train``'s train fold)."""
        query = query_text(query)
        if not query or k <= 0:
            return [], []
        return self._ranker.views(query, k, "hybrid", None, self.reranker, adapted)

    def second_look_rows(self, query: str, adapted: bool = True) -> tuple[list[ReleaseHit], np.ndarray, str]:
        """The fused top :data:`index.search.rerank.TOP` of ``query`` in fused order, the second look's
        feature rows for them and the question's language: what ``rerank train`` learns from.
        ``adapted=False`` searches without the query adapter (for the questions it was fitted on)."""
        return self._ranker.second_look_rows(query_text(query), adapted)

    def similarity(self, query: str, chunk_ids: list[int]) -> dict[int, float]:
        """Cosine similarity of ``query`` to each chunk that has a vector in the index, by chunk id.

        Why: the answer step weighs how near the question is to competing passages (its confidence). The
        question's vector was computed by :meth:`search` moments before (kept for the last 64 questions)
        and the passages' vectors are in the index, so this costs no model call; re-embedding two passages
        cost ~190 ms on 2 CPU cores. A chunk without a vector (past its release's ``DENSE_PASSAGES``, or
        gone from the live index) is left out.
        """
        vector = self.query_vector(query)
        return {cid: float(row @ vector) for cid, row in self.reader.held_vectors(chunk_ids).items()}

    def query_vector(self, query: str) -> np.ndarray:
        """The question's e5 vector: the one :meth:`search` computed (kept for the last 64 questions), else
        embedded now. The answer step reads what kind of thing is asked from it."""
        query = query_text(query)
        vector = self._recent.get(query)
        if vector is None:
            vector = self.reader.embedder.encode_queries([query])[0]
            self._recent.remember(query, vector)
        return vector

    def within(self, url: str) -> ReleaseHit | None:
        """One release as a search hit, every chunk a passage (equal scores), for a question asked about
        that release (the bot's release card): the answerer then weighs all of its sentences."""
        chunks = self.reader.release_chunks(url)
        if not chunks:
            return None
        return self._releases.hit(url, 1.0, [Passage(row.chunk_id, row.text, 1.0) for row in chunks])


def _shipped_adapter(settings: Settings, reader: IndexReader) -> QueryAdapter | None:
    """The shipped query adapter, unless ``QUERY_ADAPTER=false`` or it was fitted for another model's
    vectors (its file names the model: a map of one model's space means nothing in another's)."""
    if not settings.query_adapter:
        return None
    try:
        adapter = QueryAdapter.load()
    except AdapterError as exc:  # a damaged package file: search still works with e5's vectors alone
        log.error("%s: questions are searched without it", exc)
        return None
    if adapter is not None and not adapter.fits(reader.embedder.model_id):
        log.warning("the query adapter was fitted for %s, not this index's model: not used", adapter.model)
        return None
    dim = reader.manifest.get("dim")
    if adapter is not None and isinstance(dim, int) and dim != adapter.dim:
        log.warning(
            "the query adapter maps %d-wide vectors, the index holds %d-wide ones: not used", adapter.dim, dim
        )
        return None
    return adapter


def _configured_tower(settings: Settings, reader: IndexReader) -> TowerEncoder | None:
    """The encoder of the query tower ``QUERY_TOWER`` names (the shipped one by default), unless it cannot be
    read or was fitted from another model's layers (English questions then use the adapter's map, as without
    one). With an ONNX question engine, its split graphs embed every question (e5's vectors too)."""
    embedder = reader.embedder
    try:
        tower = configured_tower(settings.query_tower, embedder.model_id)
    except TowerError as exc:
        log.error("%s: English questions are searched without it", exc)
        return None
    if tower is None:
        return None
    # The float graphs for a float ONNX question engine, else int8 ones; with torch questions (a GPU, say) the
    # split graphs serve the tower's vectors only.
    quantized = embedder.query_backend != "onnx"
    encoder = TowerEncoder(
        tower, settings.embedding_model, settings.onnx_root, embedder.prompt("query"), quantized
    )
    if embedder.query_backend in ONNX_BACKENDS:
        embedder.serve_queries_with(encoder.engine)
    return encoder


_PUNCTUATION = "?!.,;:\"'()[]{}“”‘’«»…-–—"


def _thai_or_latin(word: str) -> bool:
    """A word in the scripts the archive is written in (Thai, Latin letters, digits)."""
    return all(ch.isdigit() or "\u0e01" <= ch <= "\u0e5b" or ch.isascii() for ch in word)
