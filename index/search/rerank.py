"""A second look at the fused top releases: a learned ranker over what each list and the stored vectors say.

Why: reciprocal-rank fusion keeps only ranks, with weights fixed per language. It cannot tell a release that
BM25 over an English question's Thai rendering ranks first by a wide margin from one that scrapes in, nor
credit a release that no dense list holds but whose stored passages sit close to the question in e5 space
(FAISS returns the nearest *passages* of the whole index, and at 10k+ releases look-alike passages of other
releases fill those lists). Here each release among the fused top :data:`TOP` is described by its fused
score and rank; its rank, score and share of the top score in each of the three main lists (the lexical
list, the question's dense list, the Thai rendering's dense list); the question's and the rendering's
vectors against all of its stored passage vectors (no model call: a few hundred dot products); how much
of the question (and the rendering) its title holds; and, when the question names a day, month or year, how
many days the release's date lies outside it (stop 27: the archive repeats its topics month after month,
and the fused score carries the date only as a boost; whole archive, validation English R@5 0.780 -> 0.790,
mean of ten seeds; bench/PERFORMANCE.md "Stop 27"); and, since stop 33, how much of the question's
concepts it holds (:mod:`index.search.concepts`: each English word with all its Thai renderings counted once,
anywhere in the release, within its best chunk and within its lead) and how long it is; whole archive,
validation R@1 / R@5 0.656 / 0.856 -> 0.682 / 0.876, mean of three seeds; bench/PERFORMANCE.md "Stop 33").
A LightGBM LambdaRank model per question language, learned from question sets with train/validation folds over
an index (``thaigov-qa rerank train``), orders the top :data:`TOP`; the rest keep their places after them.

Its order is what search returns and what a reply lists; the reader reads the fused order it was trained
on (:meth:`index.search.retrieve.Searcher.search_views`): retrained behind the second look, it answered less
on 10 of 11 held-out measures (bench/PERFORMANCE.md, "Stop 25"). Nothing here is written for a question:
every feature is a measurement any question has. The model file is ``index/data/rerank.json`` (trees as
:mod:`index.trees` serves them); without it, or with ``RERANK=false``, search keeps the fused order.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.search.concepts import NONE, Coverage
from index.search.periods import days_outside
from index.search.query import DateWindow
from index.trees import TreeEnsemble

log = logging.getLogger(__name__)

#: Releases the second look re-orders (the fused top; the rest keep their places after them).
TOP = 30
#: The lists whose evidence is read, by role: the main lexical list (a Thai question's own words, an
#: English question's Thai rendering), the question's dense list, the rendering's dense list (a Thai
#: question's own dense list stands in).
ROLES = ("lexical", "dense", "dense_rendering")
#: What the model weighs for each release, in this order.
FEATURES = (
    "score_share",  # fused score over the top release's
    "rank_prior",  # 1 / (1 + fused rank)
    "cos_question",  # best cosine of the question's vector to the release's passage vectors
    "cos_rendering",  # the same for the Thai rendering of an English question (= cos_question otherwise)
    "gap_question",  # cos_question minus the best among the top releases
    "gap_rendering",
    "same_language",  # the release is in the question's language
    "cos_first",  # cosine of the question to the release's first passage (title, date, lead)
    *(f"{role}_{m}" for role in ROLES for m in ("rank", "share", "score")),  # 1/rank, score/top, score
    "title_question",  # share of the question's words in the release's title
    "title_rendering",  # share of the rendering's words in it (= title_question for a Thai question)
    "vectors_held",  # passages of the release with a stored vector (a short release has fewer)
    "date_named",  # the question names a day, month, quarter or year
    "date_outside",  # log(1 + days the release's date lies outside the named dates); -1 if none named
    # The question's concepts the release holds (index.search.concepts): idf-weighted anywhere in it, within
    # its best chunk, and unweighted anywhere.
    "concepts_release",
    "concepts_chunk",
    "concepts_count",
    "concepts_lead",  # within its first chunk: what the release is about
    "chunks_log",  # log(1 + its live chunks): long summaries hold every concept somewhere
)
_COL = {name: i for i, name in enumerate(FEATURES)}
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "rerank.json"


@dataclass(frozen=True)
class Candidate:
    """What the second look knows of one fused release."""

    url: str
    score: float
    lang: str
    title_words: frozenset[str] = frozenset()
    date: dt.date | None = None
    coverage: Coverage = NONE


@dataclass(frozen=True)
class ListHit:
    """A release's place in one list: its best chunk's rank among distinct releases, and that chunk's
    score."""

    rank: int
    score: float
    share: float  # the score over the list's best


@dataclass(frozen=True)
class Look:
    """The question's side: its vectors, words, language, and each role's list as url → :class:`ListHit`."""

    lang: str
    question: np.ndarray
    rendering: np.ndarray | None = None
    question_words: frozenset[str] = frozenset()
    rendering_words: frozenset[str] = frozenset()
    lists: dict[str, dict[str, ListHit]] = field(default_factory=dict)
    #: The publication dates the question names (:class:`index.search.query.DateWindow`).
    dates: tuple[DateWindow, ...] = ()


@lru_cache(maxsize=50_000)
def title_words(title: str) -> frozenset[str]:
    """A release title's words, kept across questions: the same releases come back as candidates, and
    splitting 30 titles' Thai words would cost a question ~5 ms."""
    from index.lexical import tokenize

    return frozenset(tokenize(title))


def list_hits(ranked: Sequence[tuple[int, float]], url_of: dict[int, str]) -> dict[str, ListHit]:
    """One list's releases (chunk ids and scores, any order) as url → :class:`ListHit`, best chunk first."""
    out: dict[str, ListHit] = {}
    ordered = sorted(ranked, key=lambda r: -r[1])
    top = ordered[0][1] if ordered and ordered[0][1] > 0 else 1.0
    for cid, score in ordered:
        url = url_of.get(cid)
        if url is not None and url not in out:
            out[url] = ListHit(len(out) + 1, float(score), float(score) / top)
    return out


def look_of(
    lang: str,
    question: str,
    rendering: str,
    vectors: Sequence[np.ndarray],
    lists: dict[str, list[tuple[int, float]]],
    url_of: dict[int, str],
    dates: Sequence[DateWindow] = (),
) -> Look:
    """The question's side of the second look from what search found: ``vectors`` holds the question's
    vector, then the rendering's; ``lists`` the chunk lists by search role (``bm25``, ``bm25_rendering``,
    ``dense``, ``dense_rendering``)."""
    from index.lexical import tokenize

    lexical = "bm25_rendering" if lang == "en" else "bm25"
    roles = (("lexical", lexical), ("dense", "dense"), ("dense_rendering", "dense_rendering"))
    return Look(
        lang=lang,
        question=vectors[0],
        rendering=vectors[1] if rendering and len(vectors) > 1 else None,
        question_words=frozenset(tokenize(question)),
        rendering_words=frozenset(tokenize(rendering)) if rendering else frozenset(),
        lists={role: list_hits(lists[name], url_of) for role, name in roles if name in lists},
        dates=tuple(dates),
    )


def features(candidates: list[Candidate], vectors: dict[str, np.ndarray], look: Look) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate (fused order). ``vectors``: url → its passage vectors,
    first passage first (a release without any gets cosines of 0)."""
    top = candidates[0].score if candidates and candidates[0].score > 0 else 1.0
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
    other = look.rendering if look.rendering is not None else look.question
    rendering_words = look.rendering_words or look.question_words
    dense = look.lists.get("dense", {})
    lists = [look.lists.get("lexical", {}), dense, look.lists.get("dense_rendering") or dense]
    for i, c in enumerate(candidates):
        held = vectors.get(c.url)
        if held is not None and len(held):
            cq, ct = held @ look.question, held @ other
            rows[i, _COL["cos_question"]], rows[i, _COL["cos_rendering"]] = cq.max(), ct.max()
            rows[i, _COL["cos_first"]] = cq[0]
            rows[i, _COL["vectors_held"]] = len(held)
        rows[i, _COL["score_share"]] = c.score / top
        rows[i, _COL["rank_prior"]] = 1.0 / (1.0 + i)
        rows[i, _COL["same_language"]] = 1.0 if c.lang == look.lang else 0.0
        for role, hits in zip(ROLES, lists, strict=True):
            hit = hits.get(c.url)
            if hit is not None:
                at = _COL[f"{role}_rank"]
                rows[i, at : at + 3] = (1.0 / hit.rank, hit.share, hit.score)
        rows[i, _COL["title_question"]] = _share(look.question_words, c.title_words)
        rows[i, _COL["title_rendering"]] = _share(rendering_words, c.title_words)
        outside = days_outside(c.date, look.dates)
        rows[i, _COL["date_outside"]] = math.log1p(outside) if outside is not None else -1.0
        cov = c.coverage
        at = _COL["concepts_release"]
        rows[i, at : at + 5] = (cov.release, cov.chunk, cov.count, cov.lead, math.log1p(cov.chunks))
    rows[:, _COL["date_named"]] = 1.0 if look.dates else 0.0
    if len(rows):
        for cos, gap in (("cos_question", "gap_question"), ("cos_rendering", "gap_rendering")):
            column = rows[:, _COL[cos]]
            rows[:, _COL[gap]] = column - column.max()
    return rows


def _share(words: frozenset[str], title: frozenset[str]) -> float:
    return len(words & title) / len(words) if words else 0.0


class RerankModelError(RuntimeError):
    """The re-ranking model file is unreadable or made for other features."""


@dataclass(frozen=True)
class Reranker:
    """One tree ensemble per question language ('en', 'th'): a release's score is the ensemble's sum."""

    models: dict[str, TreeEnsemble]

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Reranker:
        if tuple(spec.get("features", ())) != FEATURES:
            raise RerankModelError("the re-ranking model was trained on other features: retrain it")
        models = spec.get("models")
        if not isinstance(models, dict) or not models:
            raise RerankModelError("the re-ranking model file holds no models")
        try:
            return cls({lang: TreeEnsemble(m["trees"]) for lang, m in models.items()})
        except (KeyError, TypeError, ValueError) as exc:
            raise RerankModelError(f"the re-ranking model's trees are unreadable: {exc}") from exc

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Reranker | None:
        """The model at ``path``, or None when there is none (search keeps the fused order)."""
        if not path.exists():
            return None
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RerankModelError(f"cannot read the re-ranking model {path}: {exc}") from exc
        return cls.from_spec(spec)

    def order(self, rows: np.ndarray, lang: str) -> list[int]:
        """Candidate indexes, best first (ties keep the fused order)."""
        model = self.models.get(lang)
        if model is None or not len(rows):
            return list(range(len(rows)))
        scores = model.predict_raw(rows)
        return [int(i) for i in np.argsort(-scores, kind="stable")]
