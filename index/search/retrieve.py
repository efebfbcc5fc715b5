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

from corpus.release import Release
from index.lexical import tokenize
from index.search import periods, rerank
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
class Weights:
    """Fusion knobs. Lists are weighted per query language; ``k`` is RRF's rank offset."""

    k: float = 20.0
    th_bm25: float = 1.0
    th_dense: float = 1.0
    th_bm25_trans: float = 0.0
    # Measured on the dev set: an English question's own words mostly find English look-alikes, while its
    # translation carries the Latin names and numbers too; 0 beat 0.1, 0.3 and 1.0.
    en_bm25: float = 0.0
    # The question's own vector finds English look-alikes as the archive grows (the whole archive holds
    # ~6x the English releases of 10k), its Thai rendering's finds the Thai release: on the train and
    # validation folds' English questions, 0.5 / 1.2 (was 1.0 / 0.8) gives MRR 0.739 -> 0.754 over 1,597
    # releases, 0.642 -> 0.660 over 10,000 and 0.468 -> 0.511 over the whole archive (R@5 0.578 -> 0.632).
    en_dense: float = 0.5
    en_bm25_trans: float = 1.2
    en_dense_trans: float = 1.2
    en_date_boost: float = 1.0
    th_date_boost: float = 0.5
    date_near: float = 0.4  # share of the boost for a date just outside the named one (within slack)
    en_year_share: float = 0.2  # a named year is a weak clue: most of a year's releases match it
    th_year_share: float = 0.0
    trans_per_word: int = 3
    trans_min_score: float = 0.0
    trans_names: bool = True
    latest_boost: float = 0.5
    # A crowded named period's own lists (index.search.periods); chosen on the train and validation folds
    # over the whole archive: 0.5 beat 1.0 and 2.0 (Thai R@5 0.910 / 0.898 / 0.895, English 0.667 / 0.660 /
    # 0.658).
    date_scoped: float = 0.5
    pool: int = 100
    passages: int = 3


@dataclass
class _Meta:
    release_id: str
    title: str
    date: str
    category: str
    lang: str


def rrf(
    lists: list[tuple[float, list[tuple[str, int]]]], k: float
) -> tuple[dict[str, float], dict[int, float]]:
    """Weighted reciprocal-rank fusion at the release level, and at the chunk level for passages.

    Each list holds ``(url, chunk_id)`` best first. A release's rank in a list is the rank of its first
    (best) chunk among *distinct releases*, so a release with many matching chunks does not push the
    others down; its score is the sum over lists of ``weight / (k + rank)``.
    """
    rel: dict[str, float] = {}
    chunk: dict[int, float] = {}
    for weight, ranked in lists:
        seen: dict[str, int] = {}
        for rank, (url, cid) in enumerate(ranked, 1):
            chunk[cid] = chunk.get(cid, 0.0) + weight / (k + rank)
            if url not in seen:
                seen[url] = len(seen) + 1
                rel[url] = rel.get(url, 0.0) + weight / (k + seen[url])
    return rel, chunk


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
        vecs = [vector for vector, _ in nearest] if nearest else None
        if nearest:
            self._remember_vector(query, nearest[0][0])
            weight = (w.en_dense if en else w.th_dense) if mode == "hybrid" else 1.0
            lists.append((weight, nearest[0][1], True))
            if trans:
                lists.append((w.en_dense_trans, nearest[1][1], True))
        fused = [(weight, hits[: w.pool]) for weight, hits, _ in lists]
        if windows:
            scope = self._periods_of_generation()
            fused += [(w.date_scoped, scope.within(hits, windows, w.pool)) for _, hits, deep in lists if deep]
        if mode != "hybrid" or self.reranker is None or vecs is None:
            return self._fuse(info, fused, k, use_dates=(mode == "hybrid"))
        hits = self._fuse(info, fused, max(k, rerank.TOP), use_dates=True)
        return self._second_look(hits, info.lang, vecs[0], vecs[1] if trans else None)[:k]

    def _lexical_lists(
        self, info: QueryInfo, trans: str, mode: str, depth: int
    ) -> list[tuple[float, list[tuple[int, float]], bool]]:
        """The BM25 lists, each with its weight and whether it reads the question (so its period too): the
        question's own words, an English question's Thai rendering, a Thai question's English words."""
        w = self.weights
        en = info.lang == "en"
        lists = []
        if mode in ("bm25", "fusion", "hybrid"):
            weight = (w.en_bm25 if en else w.th_bm25) if mode == "hybrid" else 1.0
            if weight > 0:
                lists.append((weight, self.reader.bm25(info.text, depth), True))
        if mode == "hybrid" and en and trans:
            lists.append((w.en_bm25_trans, self.reader.bm25(trans, depth), True))
        if mode == "hybrid" and not en and w.th_bm25_trans > 0:
            # Thai questions about the corpus's English releases: the English words of the question's Thai
            # terms, and its dates written the English way.
            english = to_english(self.glossary, tokenize(info.text))
            english += info.english_date_terms() + info.numbers
            if english:
                lists.append((w.th_bm25_trans, self.reader.bm25(" ".join(english), w.pool), False))
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

    def _second_look(
        self, hits: list[ReleaseHit], lang: str, question: Any, rendering: Any
    ) -> list[ReleaseHit]:
        """The fused top re-ordered by the re-ranking model (:mod:`index.search.rerank`)."""
        assert self.reranker is not None
        head, tail = hits[: rerank.TOP], hits[rerank.TOP :]
        candidates = [rerank.Candidate(h.url, h.score, h.lang) for h in head]
        vectors = self.reader.release_vectors([h.url for h in head])
        rows = rerank.features(candidates, vectors, question, rendering, lang)
        return [head[i] for i in self.reranker.order(rows, lang)] + tail

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
        self, info: QueryInfo, lists: list[tuple[float, list[tuple[int, float]]]], k: int, use_dates: bool
    ) -> list[ReleaseHit]:
        w = self.weights
        ids = sorted({cid for _, lst in lists for cid, _ in lst})
        url_of = self.reader.chunk_releases(ids) if ids else {}
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
