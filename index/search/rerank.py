"""A second look at the fused top releases: each one's stored passage vectors against the question's.

Why: reciprocal-rank fusion keeps only ranks. A release that BM25 over an English question's Thai rendering
ranks first but that no dense list holds (FAISS returns the nearest *passages* of the whole index, and at
10k+ releases look-alike passages of other releases fill those lists) gets no credit for being close to
the question in e5 space. Here every release among the top :data:`TOP` gets its measured closeness: the
question's and the rendering's vectors against all of its stored passage vectors (the first
``DENSE_PASSAGES`` of each release; no model call, a few hundred dot products). A small logistic model per
question language, learned from question sets with train/validation folds (``thaigov-qa rerank train``),
weighs these against the fused score and rank; the order of the top :data:`TOP` follows it.

The model file is ``index/data/rerank.json``; without it (or with ``RERANK=false``) search keeps the fused
order.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: Releases the second look re-orders (the fused top; the rest keep their places after them).
TOP = 30
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
)
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "rerank.json"


@dataclass(frozen=True)
class Candidate:
    """What the second look knows of one fused release."""

    url: str
    score: float
    lang: str


def features(
    candidates: list[Candidate],
    vectors: dict[str, np.ndarray],
    question: np.ndarray,
    rendering: np.ndarray | None,
    lang: str,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate (fused order). ``vectors``: url → its passage vectors,
    first passage first (a release without any gets cosines of 0)."""
    top = candidates[0].score if candidates and candidates[0].score > 0 else 1.0
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
    other = rendering if rendering is not None else question
    for i, c in enumerate(candidates):
        held = vectors.get(c.url)
        if held is not None and len(held):
            cq, ct = held @ question, held @ other
            rows[i, 2], rows[i, 3], rows[i, 7] = cq.max(), ct.max(), cq[0]
        rows[i, 0] = c.score / top
        rows[i, 1] = 1.0 / (1.0 + i)
        rows[i, 6] = 1.0 if c.lang == lang else 0.0
    if len(rows):
        rows[:, 4] = rows[:, 2] - rows[:, 2].max()
        rows[:, 5] = rows[:, 3] - rows[:, 3].max()
    return rows


class RerankModelError(RuntimeError):
    """The re-ranking model file is unreadable or made for other features."""


@dataclass(frozen=True)
class Reranker:
    """Logistic weights per question language ('en', 'th'): a release's score is ``x @ coef + intercept``."""

    coef: dict[str, np.ndarray]
    intercept: dict[str, float]

    @classmethod
    def from_spec(cls, spec: dict[str, object]) -> Reranker:
        if tuple(spec.get("features", ())) != FEATURES:  # type: ignore[arg-type]
            raise RerankModelError("the re-ranking model was trained on other features: retrain it")
        models = spec.get("models")
        if not isinstance(models, dict) or not models:
            raise RerankModelError("the re-ranking model file holds no models")
        coef = {lang: np.asarray(m["coef"], dtype=np.float64) for lang, m in models.items()}
        intercept = {lang: float(m["intercept"]) for lang, m in models.items()}
        return cls(coef, intercept)

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Reranker | None:
        """The model at ``path``, or None when there is none (search keeps the fused order)."""
        if not path.exists():
            return None
        try:
            return cls.from_spec(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RerankModelError(f"cannot read the re-ranking model {path}: {exc}") from exc

    def order(self, rows: np.ndarray, lang: str) -> list[int]:
        """Candidate indexes, best first (ties keep the fused order)."""
        coef = self.coef.get(lang)
        if coef is None or not len(rows):
            return list(range(len(rows)))
        scores = rows @ coef + self.intercept[lang]
        return [int(i) for i in np.argsort(-scores, kind="stable")]
