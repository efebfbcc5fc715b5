"""The Searcher: from a question to the releases that answer it, best first, with their best passages.

Pipeline (one call of :meth:`Searcher.search`):

1. query analysis (:mod:`index.search.query`): language, dates, relative dates, numbers and Latin words;
2. candidate lists: BM25 over the question's own tokens and e5 dense search with the question; for English
   questions also BM25 and dense search with its Thai translation (:mod:`index.search.glossary`, mined from
   the corpus's English/Thai release pairs) plus the question's dates written the Thai way;
3. reciprocal-rank fusion at the *release* level (a release's rank in a list is the rank of its best
   chunk), with per-language weights: recall is counted in distinct releases, so fusing chunk lists would
   let one long release crowd out the others;
4. dates (:mod:`index.search.periods`): releases published inside (or just after) a date the question
   names get a multiplicative boost, never a hard filter; "latest" questions favour the newest candidates;
   a crowded day or month the question names is also searched on its own.

Why RRF rather than score mixing: BM25 and cosine scores live on unrelated scales that change with the
query's length; ranks do not. Everything query-side is cheap (one batched encoder call, two to four
index lookups, dictionary work), so search stays within tens of milliseconds on the full corpus.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.release import Release
from index.lexical import tokenize
from index.search import periods, rerank
from index.search.fusion import Weights, rrf
from index.search.glossary import Glossary, default_glossary, to_english
from index.search.query import QueryInfo, analyze, date_of
from index.search.rerank import Reranker
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from index.build.agenda_rows import MeetingAgenda
    from index.build.embedding import Embedder
    from index.search.reader import IndexReader

log = logging.getLogger(__name__)

MODES = ("hybrid", "fusion", "bm25", "dense")

#: Threads that embed questions while BM25 runs, per Searcher (a process has one: the bot answers a few
#: questions at once, and more threads than cores would only queue on the CPU).
EMBED_THREADS = 2


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
class _Ranked:
    """One question's fused releases and what the second look reads of how they were found."""

    info: QueryInfo
    rendering: str  # an English question's Thai rendering ("" otherwise)
    hits: list[ReleaseHit]
    lists: dict[str, list[tuple[int, float]]]  # role (bm25, bm25_rendering, dense, ...) → (chunk id, score)
    url_of: dict[int, str]
    vectors: list[Any] | None  # the question's vector, then the rendering's


@dataclass
class _Meta:
    release_id: str
    title: str
    date: str
    category: str
    lang: str


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
    ) -> None:
        self.reader = reader
        self.use_dense = dense
        # The second look at the fused top (index.search.rerank): the shipped model unless one is given,
        # none with RERANK=false.
        self.reranker = reranker if reranker is not None else (Reranker.load() if settings.rerank else None)
        self.settings = settings
        self.glossary = glossary if glossary is not None else default_glossary()
        self.weights = weights or Weights()
        self._lock = threading.Lock()
        self._query_vectors: OrderedDict[str, Any] = OrderedDict()  # question → its vector (recent ones)
        # Owned by the Searcher rather than created at import: no threads exist until a search asks for one
        # (the executor starts them on first use), and they end with the Searcher.
        self._embed_pool = ThreadPoolExecutor(max_workers=EMBED_THREADS, thread_name_prefix="embed-question")
        self._meta: dict[str, _Meta] = {}
        self._newest: dt.date | None = None
        self._periods = periods.LivePeriods()
        self._load_meta()

    @classmethod
    def open(cls, settings: Settings, **kwargs: Any) -> Searcher:
        """Open the live index generation (raises the reader's ``NoIndex`` / ``ModelMismatch``)."""
        from index.search.reader import IndexReader

        return cls(IndexReader.open(settings), settings, **kwargs)

    # --- pass-throughs the answer and bot layers use -------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self.reader.embedder

    def stats(self) -> dict[str, Any]:
        return self.reader.stats()

    def release(self, url: str) -> Release | None:
        return self.reader.release(url)

    def meetings(self, dates: Sequence[str]) -> list[MeetingAgenda]:
        return self.reader.meetings(dates)

    def agenda(self, url: str) -> MeetingAgenda | None:
        return self.reader.agenda(url)

    def latest(self, n: int) -> list[Release]:
        return self.reader.latest(n)

    def reload_if_changed(self) -> bool:
        """Follow a new index generation (and its release metadata) when a build switched the pointer."""
        changed = bool(self.reader.reload_if_changed())
        if changed:
            self._load_meta()
            self._periods.build_in_background(self.reader)
        return changed

    def warm_up(self) -> None:
        """Build the live generation's publication days now (~1 s at full size), not in the first question
        that names a date (:mod:`index.search.periods`)."""
        self._periods_of_generation()

    def _load_meta(self) -> None:
        """Title, date, category and language of every release, kept in memory (small: no bodies).

        Dates are needed for every candidate of every query (date boosts), so one query per candidate
        would cost more than the search itself.
        """
        meta: dict[str, _Meta] = {}
        for url, rid, title, date, cat, lang in self.reader.release_meta():
            meta[url] = _Meta(rid or "", title or "", date or "", cat or "", lang or "th")
        newest = max((m.date for m in meta.values() if m.date), default="")
        with self._lock:
            self._meta = meta
            self._newest = dt.date.fromisoformat(newest) if newest else None

    def _meta_for(self, url: str) -> _Meta:
        m = self._meta.get(url)
        if m is None:
            rel = self.reader.release(url)
            if rel is None:
                m = _Meta("", "", "", "", "th")
            else:
                m = _Meta(rel.release_id, rel.title, rel.date, rel.category, rel.lang)
            self._meta[url] = m
        return m

    # --- search --------------------------------------------------------------------------------
    def analyze(self, query: str, today: dt.date | None = None) -> QueryInfo:
        """Query analysis with relative dates counted from today or the newest indexed release."""
        return analyze(query, today=today, newest=self._newest)

    def translation(self, info: QueryInfo) -> str:
        """The Thai rendering of an English question: glossary terms, names, dates, numbers, Latin words."""
        w = self.weights
        terms = [
            t.thai
            for t in self.glossary.translate(info.text, w.trans_per_word, w.trans_min_score, w.trans_names)
        ]
        terms += info.thai_date_terms()
        terms += info.numbers
        terms += [w for w in info.latin if w.lower() not in self.glossary_stop]
        return " ".join(terms)

    @property
    def glossary_stop(self) -> frozenset[str]:
        from index.search.glossary import STOP

        return STOP

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", today: dt.date | None = None
    ) -> list[ReleaseHit]:
        """The top ``k`` releases for ``query``. ``mode``: hybrid (the product), fusion (plain BM25+dense
        RRF, no translation or dates), bm25, dense: the last three exist to measure the parts."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        return self._views(query, k, mode, today)[1]

    def search_views(self, query: str, k: int = 10) -> tuple[list[ReleaseHit], list[ReleaseHit]]:
        """The top ``k`` releases twice: in the fused order, which the reader reads (it was trained on
        that order: trained behind the second look it answered less, docs/answers.md "Stop 25"), and in the
        second look's order, which a reply lists and :meth:`search` returns. Without a re-ranking model,
        both are the fused order."""
        query = (query or "").strip()
        if not query or k <= 0:
            return [], []
        return self._views(query, k, "hybrid", None)

    def _views(
        self, query: str, k: int, mode: str, today: dt.date | None
    ) -> tuple[list[ReleaseHit], list[ReleaseHit]]:
        """The fused top ``k`` and the second look's (the same list without a model or outside hybrid)."""
        look = self.reranker is not None and mode == "hybrid"
        ranked = self._ranked(query, max(k, rerank.TOP) if look else k, mode, today)
        fused = ranked.hits[:k]
        if self.reranker is None or not look or ranked.vectors is None:
            return fused, fused
        head, tail = ranked.hits[: rerank.TOP], ranked.hits[rerank.TOP :]
        order = self.reranker.order(self._look_rows(ranked, head), ranked.info.lang)
        return fused, ([head[i] for i in order] + tail)[:k]

    def second_look_rows(self, query: str) -> tuple[list[ReleaseHit], np.ndarray, str]:
        """The fused top :data:`index.search.rerank.TOP` of ``query`` in fused order, the second look's
        feature rows for them and the question's language: what ``rerank train`` learns from."""
        ranked = self._ranked(query.strip(), rerank.TOP, "hybrid", None)
        if ranked.vectors is None:
            return ranked.hits, np.zeros((len(ranked.hits), len(rerank.FEATURES))), ranked.info.lang
        return ranked.hits, self._look_rows(ranked, ranked.hits), ranked.info.lang

    def _ranked(self, query: str, k: int, mode: str, today: dt.date | None) -> _Ranked:
        """Analysis, the lists and their fusion: the fused top ``k`` with what the second look reads."""
        w = self.weights
        info = self.analyze(query, today=today)
        en = info.lang == "en"
        # A crowded period the question names is searched again on its own (index.search.periods): the
        # lists are then read deeper, each cut to the pool for the fusion and filtered to the period.
        windows = self._crowded_periods(info) if mode == "hybrid" else []
        depth = periods.DEEP if windows else w.pool
        # The question is embedded and its dense neighbours searched in a worker thread while the rest
        # runs here: onnxruntime and FAISS release the GIL, so on 2 cores the embedding (the longest step of
        # a search) overlaps the translation of an English question (name matching: ~20 ms) and BM25. The
        # translation is embedded and searched as soon as it exists.
        dense = mode in ("dense", "fusion", "hybrid") and self.use_dense
        vectors: list[Future[Any]] = []
        if dense:
            vectors.append(self._embed_pool.submit(self._nearest, info.text, depth))
        trans = self.translation(info) if (mode == "hybrid" and en) else ""
        if dense and trans:
            vectors.append(self._embed_pool.submit(self._nearest, trans, depth))
        try:
            lists = self._lexical_lists(info, trans, mode, depth)
        finally:
            nearest = [f.result() for f in vectors] if vectors else None
        if nearest:
            self._remember_vector(query, nearest[0][0])
            weight = (w.en_dense if en else w.th_dense) if mode == "hybrid" else 1.0
            lists.append(("dense", weight, nearest[0][1], True))
            if trans:
                lists.append(("dense_rendering", w.en_dense_trans, nearest[1][1], True))
        fused = [(weight, hits[: w.pool]) for _, weight, hits, _ in lists]
        if windows:
            scope = self._periods_of_generation()
            fused += [
                (w.date_scoped, scope.within(hits, windows, w.pool)) for _, _, hits, deep in lists if deep
            ]
        ids = sorted({cid for _, lst in fused for cid, _ in lst})
        url_of = self.reader.chunk_releases(ids) if ids else {}
        hits = self._fuse(info, fused, k, url_of, use_dates=(mode == "hybrid"))
        roles = {role: hits_[: w.pool] for role, _, hits_, _ in lists}
        vecs = [vector for vector, _ in nearest] if nearest else None
        return _Ranked(info, trans, hits, roles, url_of, vecs)

    def _look_rows(self, ranked: _Ranked, head: list[ReleaseHit]) -> np.ndarray:
        """The second look's features of ``head`` (:func:`index.search.rerank.features`)."""
        assert ranked.vectors is not None
        info, url_of = ranked.info, ranked.url_of
        look = rerank.look_of(info.lang, info.text, ranked.rendering, ranked.vectors, ranked.lists, url_of)
        candidates = [rerank.Candidate(h.url, h.score, h.lang, rerank.title_words(h.title)) for h in head]
        return rerank.features(candidates, self.reader.release_vectors([h.url for h in head]), look)

    def _lexical_lists(
        self, info: QueryInfo, trans: str, mode: str, depth: int
    ) -> list[tuple[str, float, list[tuple[int, float]], bool]]:
        """The BM25 lists, each with its role, weight and whether it reads the question (so its period
        too): the question's own words, an English question's Thai rendering, a Thai question's English
        words."""
        w = self.weights
        en = info.lang == "en"
        lists = []
        if mode in ("bm25", "fusion", "hybrid"):
            weight = (w.en_bm25 if en else w.th_bm25) if mode == "hybrid" else 1.0
            if weight > 0:
                lists.append(("bm25", weight, self.reader.bm25(info.text, depth), True))
        if mode == "hybrid" and en and trans:
            lists.append(("bm25_rendering", w.en_bm25_trans, self.reader.bm25(trans, depth), True))
        if mode == "hybrid" and not en and w.th_bm25_trans > 0:
            # Thai questions about the corpus's English releases: the English words of the question's Thai
            # terms, and its dates written the English way.
            english = to_english(self.glossary, tokenize(info.text))
            english += info.english_date_terms() + info.numbers
            if english:
                lists.append(
                    ("bm25_english", w.th_bm25_trans, self.reader.bm25(" ".join(english), w.pool), False)
                )
        return lists

    def _crowded_periods(self, info: QueryInfo) -> list[tuple[int, int]]:
        """The days and months the question names that hold more releases than one list holds."""
        if not any(d.kind in periods.KINDS for d in info.dates):
            return []
        return self._periods_of_generation().crowded(info.dates, self.weights.pool)

    def _periods_of_generation(self) -> periods.Periods:
        return self._periods.of(self.reader)

    def _nearest(self, text: str, pool: int) -> tuple[Any, list[tuple[int, float]]]:
        """``text``'s question vector and its ``pool`` nearest passages (the dense list), for a worker
        thread."""
        vector = self.reader.embedder.encode_queries([text])[0]
        return vector, self.reader.dense(vector, pool)

    def _remember_vector(self, query: str, vector: Any) -> None:
        with self._lock:
            self._query_vectors[query] = vector
            self._query_vectors.move_to_end(query)
            while len(self._query_vectors) > 64:
                self._query_vectors.popitem(last=False)

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

    def query_vector(self, query: str) -> Any:
        """The question's e5 vector: the one :meth:`search` computed (kept for the last 64 questions), else
        embedded now. The answer step reads what kind of thing is asked from it."""
        with self._lock:
            vector = self._query_vectors.get(query.strip())
        if vector is None:
            vector = self.reader.embedder.encode_queries([query.strip()])[0]
            self._remember_vector(query.strip(), vector)
        return vector

    def within(self, url: str) -> ReleaseHit | None:
        """One release as a search hit, every chunk a passage (equal scores), for a question asked about
        that release (the bot's release card): the answerer then weighs all of its sentences."""
        chunks = self.reader.release_chunks(url)
        if not chunks:
            return None
        m = self._meta_for(url)
        passages = [Passage(row.chunk_id, row.text, 1.0) for row in chunks]
        return ReleaseHit(url, m.release_id, m.title, m.date, m.category, m.lang, 1.0, passages)

    def _fuse(
        self,
        info: QueryInfo,
        lists: list[tuple[float, list[tuple[int, float]]]],
        k: int,
        url_of: dict[int, str],
        use_dates: bool,
    ) -> list[ReleaseHit]:
        w = self.weights
        ranked_lists = []
        for weight, lst in lists:
            ranked = [(url_of[cid], cid) for cid, _ in sorted(lst, key=lambda r: -r[1]) if cid in url_of]
            ranked_lists.append((weight, ranked))
        rel_score, chunk_score = rrf(ranked_lists, w.k)
        if use_dates and (info.dates or info.latest):
            rel_score = self._date_adjust(info, rel_score)
        order = sorted(rel_score, key=lambda u: -rel_score[u])[:k]
        kept: dict[str, list[tuple[int, float]]] = {url: [] for url in order}
        for cid, s in sorted(chunk_score.items(), key=lambda r: -r[1]):
            lst = kept.get(url_of[cid])
            if lst is not None and len(lst) < w.passages:
                lst.append((cid, s))
        texts = {
            row.chunk_id: row.text for row in self.reader.chunks([c for v in kept.values() for c, _ in v])
        }
        by_url = {
            url: [Passage(c, texts[c], round(s, 6)) for c, s in v if c in texts] for url, v in kept.items()
        }
        hits = []
        for url in order:
            m = self._meta_for(url)
            hits.append(
                ReleaseHit(
                    url=url,
                    release_id=m.release_id,
                    title=m.title,
                    date=m.date,
                    category=m.category,
                    lang=m.lang,
                    score=round(rel_score[url], 6),
                    passages=by_url.get(url, []),
                )
            )
        return hits

    def _date_adjust(self, info: QueryInfo, scores: dict[str, float]) -> dict[str, float]:
        w = self.weights
        dates = {url: date_of(self._meta_for(url).date) for url in scores}
        en = info.lang == "en"
        boost = periods.Boost(
            w.en_date_boost if en else w.th_date_boost,
            w.en_year_share if en else w.th_year_share,
            w.date_near,
            w.latest_boost,
        )
        return periods.boosted(scores, dates, info, boost)
