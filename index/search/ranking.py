"""The per-question pipeline: from one question to the releases that answer it, best first, with their best
passages.

Pipeline (one question through :class:`Ranker`):

1. query analysis (:mod:`index.search.query`): language, dates, relative dates, numbers and Latin words;
2. candidate lists: BM25 over the question's own tokens and e5 dense search with the question; for English
   questions also BM25 and dense search with its Thai translation (:mod:`index.search.glossary`, mined from
   the corpus's English/Thai release pairs) plus the question's dates written the Thai way;
3. reciprocal-rank fusion at the *release* level (a release's rank in a list is the rank of its best
   chunk), with per-language weights: recall is counted in distinct releases, so fusing chunk lists would
   let one long release crowd out the others;
4. dates (:mod:`index.search.periods`): releases published inside (or just after) a date the question
   names get a multiplicative boost, never a hard filter; "latest" questions favour the newest candidates;
   a crowded day or month the question names is also searched on its own;
5. the second look (:mod:`index.search.rerank`): a learned order of the fused top, for the reply's links.

Why RRF rather than score mixing: BM25 and cosine scores live on unrelated scales that change with the
query's length; ranks do not. Everything query-side is cheap (one batched encoder call, two to four
index lookups, dictionary work), so search stays within tens of milliseconds on the full corpus.

Why apart from :class:`index.search.retrieve.Searcher`: the Searcher owns what lives as long as the index
(the reader, the second look's model, the embedding threads, reloads) and hands those parts to a
:class:`Ranker`; what one question goes through can then be read here without that plumbing.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from index.lexical import tokenize
from index.search import concepts, periods, rerank
from index.search.concepts import NONE
from index.search.fusion import Weights, rrf
from index.search.glossary import STOP, Glossary, Term, to_english
from index.search.hits import Passage, ReleaseCatalogue, ReleaseHit
from index.search.query import QueryInfo, analyze, date_of

if TYPE_CHECKING:  # pragma: no cover
    from index.search.adapter import QueryAdapter
    from index.search.reader import IndexReader
    from index.search.tower import TowerEncoder

MODES = ("hybrid", "fusion", "bm25", "dense")

#: Questions whose vectors :class:`RecentVectors` keeps.
RECENT_VECTORS = 64

#: Chunk ids with their scores, best first: what BM25 and dense search return.
Scored = list[tuple[int, float]]


class SearchList(NamedTuple):
    """One candidate list of a question: its role (bm25, bm25_rendering, dense, ...), its weight in the
    fusion, its hits, and whether it reads the question itself (so a crowded period is searched in it)."""

    role: str
    weight: float
    hits: Scored
    reads_question: bool


@dataclass(frozen=True)
class Ranked:
    """One question's fused releases and what the second look reads of how they were found."""

    info: QueryInfo
    rendering: str  # an English question's Thai rendering ("" otherwise)
    terms: tuple[Term, ...]  # the rendering's glossary terms (what each English word became)
    hits: list[ReleaseHit]
    lists: dict[str, Scored]  # role → the list's (chunk id, score), cut to the fusion's pool
    url_of: dict[int, str]
    vectors: list[np.ndarray] | None  # the question's vector, then the rendering's


class RecentVectors:
    """The vectors of the last :data:`RECENT_VECTORS` questions ranked, by question.

    Why: the answer step reads the question's vector moments after its search (its kind, its cosine to
    competing passages); keeping it saves a second model call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, query: str) -> np.ndarray | None:
        with self._lock:
            return self._vectors.get(query)

    def remember(self, query: str, vector: np.ndarray) -> None:
        with self._lock:
            self._vectors[query] = vector
            self._vectors.move_to_end(query)
            while len(self._vectors) > RECENT_VECTORS:
                self._vectors.popitem(last=False)


class Ranker:
    """One question through analysis, the lists, their fusion, dates and the second look (module docstring).

    The parts it is given belong to the Searcher and live as long as it: the index ``reader``, the releases'
    metadata, the live generation's publication days, the threads that embed questions (``embed_pool``) and
    the question vectors kept for the answer step.
    """

    def __init__(
        self,
        reader: IndexReader,
        releases: ReleaseCatalogue,
        glossary: Glossary,
        weights: Weights,
        dense: bool,
        live_periods: periods.LivePeriods,
        embed_pool: Executor,
        recent: RecentVectors,
        adapter: QueryAdapter | None = None,
        tower: TowerEncoder | None = None,
    ) -> None:
        self.glossary = glossary
        #: the learned map of English questions' vectors for the dense search (index.search.adapter)
        self.adapter = adapter
        #: the fine-tuned query tower, which serves English questions' dense search before the adapter does
        #: (index.search.tower)
        self.tower = tower
        self.weights = weights
        self.use_dense = dense
        self._reader = reader
        self._releases = releases
        self._periods = live_periods
        self._embed_pool = embed_pool
        self._recent = recent
        self._rendered = functools.lru_cache(maxsize=RECENT_VECTORS)(self._glossary_terms)

    def analyze(self, query: str, today: dt.date | None = None) -> QueryInfo:
        """Query analysis with relative dates counted from today or the newest indexed release."""
        return analyze(query, today=today, newest=self._releases.newest)

    def translation(self, info: QueryInfo, terms: Sequence[Term] | None = None) -> str:
        """The Thai rendering of an English question: glossary terms (``terms`` when the caller has them
        from :meth:`rendered_terms`), names, dates, numbers, Latin words."""
        rendered = [t.thai for t in (self.rendered_terms(info) if terms is None else terms)]
        rendered += info.thai_date_terms()
        rendered += info.number_terms()
        rendered += [w for w in info.latin if w.lower() not in STOP]
        return " ".join(rendered)

    def rendered_terms(self, info: QueryInfo) -> list[Term]:
        """The glossary's Thai terms for the words of an English question, kept for the last
        :data:`RECENT_VECTORS` questions: the answer step renders the question again moments after its
        search (1.2 ms an English question over the whole archive, stop 50)."""
        return list(self._rendered(info.text))

    def _glossary_terms(self, text: str) -> tuple[Term, ...]:
        w = self.weights
        return tuple(self.glossary.translate(text, w.trans_per_word, w.trans_min_score, w.trans_names))

    def views(
        self,
        query: str,
        k: int,
        mode: str,
        today: dt.date | None,
        reranker: rerank.Reranker | None,
        adapted: bool = True,
    ) -> tuple[list[ReleaseHit], list[ReleaseHit]]:
        """The fused top ``k`` and the second look's (the same list without a model or outside hybrid);
        ``adapted=False`` searches without the learned query maps (for questions they were fitted on)."""
        look = reranker if mode == "hybrid" else None
        ranked = self._ranked(query, max(k, rerank.TOP) if look is not None else k, mode, today, adapted)
        fused = ranked.hits[:k]
        if look is None or ranked.vectors is None:
            return fused, fused
        head, tail = ranked.hits[: rerank.TOP], ranked.hits[rerank.TOP :]
        order = look.order(self._look_rows(ranked, head), ranked.info.lang)
        return fused, ([head[i] for i in order] + tail)[:k]

    def second_look_rows(self, query: str, adapted: bool = True) -> tuple[list[ReleaseHit], np.ndarray, str]:
        """The fused top :data:`index.search.rerank.TOP` of ``query`` in fused order, the second look's
        feature rows for them and the question's language: what ``rerank train`` learns from.
        ``adapted=False`` searches without the query adapter (for questions it was fitted on)."""
        ranked = self._ranked(query, rerank.TOP, "hybrid", None, adapted)
        if ranked.vectors is None:
            return ranked.hits, np.zeros((len(ranked.hits), len(rerank.FEATURES))), ranked.info.lang
        return ranked.hits, self._look_rows(ranked, ranked.hits), ranked.info.lang

    def crowded_periods(self, info: QueryInfo) -> list[tuple[int, int]]:
        """The days and months the question names that hold more releases than one list holds."""
        if not any(d.kind in periods.KINDS for d in info.dates):
            return []
        return self.periods_of_generation().crowded(info.dates, self.weights.pool)

    def periods_of_generation(self) -> periods.Periods:
        """The publication days of the reader's live generation."""
        return self._periods.of(self._reader)

    def _ranked(self, query: str, k: int, mode: str, today: dt.date | None, adapted: bool = True) -> Ranked:
        """Analysis, the lists and their fusion: the fused top ``k`` with what the second look reads
        (``adapted``: the question's dense search may read the query adapter's map)."""
        w = self.weights
        info = self.analyze(query, today=today)
        en = info.lang == "en"
        # A crowded period the question names is searched again on its own (index.search.periods): the
        # lists are then read deeper, each cut to the pool for the fusion and filtered to the period.
        windows = self.crowded_periods(info) if mode == "hybrid" else []
        depth = periods.DEEP if windows else w.pool
        # The question is embedded and its dense neighbours searched in a worker thread while the rest
        # runs here: onnxruntime and FAISS release the GIL, so on 2 cores the embedding (the longest step of
        # a search) overlaps the translation of an English question (name matching: ~20 ms) and BM25. The
        # translation is embedded and searched as soon as it exists.
        dense = mode in ("dense", "fusion", "hybrid") and self.use_dense
        vectors: list[Future[tuple[np.ndarray, Scored]]] = []
        if dense:
            mapped_as = info.lang if adapted else None
            vectors.append(self._embed_pool.submit(self._nearest, info.text, depth, mapped_as))
        rendered = mode == "hybrid" and en
        terms = self.rendered_terms(info) if rendered else []
        trans = self.translation(info, terms) if rendered else ""
        if dense and trans:
            vectors.append(self._embed_pool.submit(self._nearest, trans, depth))
        try:
            lists = self._lexical_lists(info, trans, mode, depth)
        finally:
            nearest = [f.result() for f in vectors] if vectors else None
        if nearest:
            self._recent.remember(query, nearest[0][0])
            weight = (self._en_dense_weight(adapted) if en else w.th_dense) if mode == "hybrid" else 1.0
            lists.append(SearchList("dense", weight, nearest[0][1], True))
            if trans:
                lists.append(SearchList("dense_rendering", w.en_dense_trans, nearest[1][1], True))
        fused = [(weight, hits[: w.pool]) for _, weight, hits, _ in lists]
        if windows:
            scope = self.periods_of_generation()
            fused += [
                (w.date_scoped, scope.within(hits, windows, w.pool)) for _, _, hits, deep in lists if deep
            ]
        ids = sorted({cid for _, lst in fused for cid, _ in lst})
        url_of = self._reader.chunk_releases(ids) if ids else {}
        hits = self._fuse(info, fused, k, url_of, use_dates=(mode == "hybrid"))
        roles = {role: hits_[: w.pool] for role, _, hits_, _ in lists}
        vecs = [vector for vector, _ in nearest] if nearest else None
        return Ranked(info, trans, tuple(terms), hits, roles, url_of, vecs)

    def _look_rows(self, ranked: Ranked, head: list[ReleaseHit]) -> np.ndarray:
        """The second look's features of ``head`` (:func:`index.search.rerank.features`)."""
        assert ranked.vectors is not None
        info, url_of = ranked.info, ranked.url_of
        look = rerank.look_of(
            info.lang, info.text, ranked.rendering, ranked.vectors, ranked.lists, url_of, info.dates
        )
        groups = concepts.question_groups(info, ranked.terms)
        vectors, covered = self._reader.second_look_reads(groups, [h.url for h in head])
        candidates = [
            rerank.Candidate(
                h.url, h.score, h.lang, rerank.title_words(h.title), date_of(h.date), covered.get(h.url, NONE)
            )
            for h in head
        ]
        return rerank.features(candidates, vectors, look)

    def _lexical_lists(self, info: QueryInfo, trans: str, mode: str, depth: int) -> list[SearchList]:
        """The BM25 lists: the question's own words, an English question's Thai rendering, a Thai
        question's English words."""
        w = self.weights
        en = info.lang == "en"
        lists = []
        if mode in ("bm25", "fusion", "hybrid"):
            weight = (w.en_bm25 if en else w.th_bm25) if mode == "hybrid" else 1.0
            if weight > 0:
                lists.append(SearchList("bm25", weight, self._reader.bm25(info.text, depth), True))
        if mode == "hybrid" and en and trans:
            lists.append(SearchList("bm25_rendering", w.en_bm25_trans, self._reader.bm25(trans, depth), True))
        if mode == "hybrid" and not en and w.th_bm25_trans > 0:
            # Thai questions about the corpus's English releases: the English words of the question's Thai
            # terms, and its dates written the English way.
            english = to_english(self.glossary, tokenize(info.text))
            english += info.english_date_terms() + info.numbers
            if english:
                hits = self._reader.bm25(" ".join(english), w.pool)
                lists.append(SearchList("bm25_english", w.th_bm25_trans, hits, False))
        return lists

    def _en_dense_weight(self, adapted: bool) -> float:
        """The English question's dense list's fusion weight: the tower's own while it serves that list
        (not for a question searched without it: ``adapted=False``)."""
        tower = self.tower
        if adapted and tower is not None and tower.usable:
            return tower.tower.weight
        return self.weights.en_dense

    def _nearest(self, text: str, pool: int, lang: str | None = None) -> tuple[np.ndarray, Scored]:
        """``text``'s question vector and its ``pool`` nearest passages (the dense list), for a worker
        thread. A question in the tower's language is searched with the tower's vector, else one in the
        adapter's language with its mapped vector; the vector returned (for the second look, the reader and
        the follow-up cache) is e5's own. ``lang`` is None for a text that is never mapped: the Thai rendering
        of an English question, or a search without the map."""
        vector = self._reader.embedder.encode_queries([text])[0]
        tower = self.tower
        if tower is not None and lang == tower.tower.lang:
            tuned = tower.vector(text)
            if tuned is not None:
                return vector, self._reader.dense(tuned, pool)
        adapter = self.adapter
        if adapter is not None and adapter.applies(lang, len(vector)):
            return vector, self._reader.dense(adapter.apply(vector), pool)
        return vector, self._reader.dense(vector, pool)

    def _fuse(
        self,
        info: QueryInfo,
        lists: list[tuple[float, Scored]],
        k: int,
        url_of: dict[int, str],
        use_dates: bool,
    ) -> list[ReleaseHit]:
        """The top ``k`` releases of the weighted ``lists`` (RRF over each release's best chunk, then the
        date boost), each with its best passages."""
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
            row.chunk_id: row.text for row in self._reader.chunks([c for v in kept.values() for c, _ in v])
        }
        by_url = {
            url: [Passage(c, texts[c], round(s, 6)) for c, s in v if c in texts] for url, v in kept.items()
        }
        return [self._releases.hit(url, round(rel_score[url], 6), by_url.get(url, [])) for url in order]

    def _date_adjust(self, info: QueryInfo, scores: dict[str, float]) -> dict[str, float]:
        """``scores`` boosted for the dates the question names (:func:`index.search.periods.boosted`)."""
        w = self.weights
        dates = {url: date_of(self._releases.date(url)) for url in scores}
        en = info.lang == "en"
        boost = periods.Boost(
            w.en_date_boost if en else w.th_date_boost,
            w.en_year_share if en else w.th_year_share,
            w.date_near,
            w.latest_boost,
        )
        return periods.boosted(scores, dates, info, boost)
