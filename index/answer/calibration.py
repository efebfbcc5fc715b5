"""The reader's calibration: the probability that a reply is right, from measures of its best candidate.

Two calibrations can live in one model file. ``calibration`` reads the thirteen measures the reader has used
since stop 15 (the best score, two margins, ten of the best candidate's features); ``search_calibration``
(optional) reads them plus the best candidate's whole feature row and five measures of how the candidates'
scores spread (:func:`score_shape`). Why two: the shape of the scores says much about a reply chosen among
the top releases of a search (validation AUC 0.741 → 0.757, docs/answers.md "Stop 54"), but a reply within
one release already chosen (a follow-up, a question about the release the user reads) has another shape
(one release, fewer candidates), and there the richer calibration refused right follow-ups (0.71 → 0.56 of
eval/followups-unseen.jsonl); the thirteen measures hold within a release. Each calibration names the
measures it reads, so a file from before the richer one loads as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

#: The thirteen measures :func:`answer_measures` gives first, which every reader file's ``calibration`` reads:
#: the best candidate's score, its margin over the runner-up and over the best of another release, and these
#: features of the best candidate.
BASIC_FEATURES = (
    "lang_en",
    "expects_kind",
    "span_present",
    "span_fit_no",
    "coverage",
    "hit_rank",
    "dense",
    "focused",
    "top_gap",
    "kind_p_none",
)
BASIC_INPUTS = ("top", "margin", "margin_release", *BASIC_FEATURES)
#: How the candidates' scores spread (:func:`score_shape`).
SHAPE_INPUTS = ("log_candidates", "entropy", "gap_third", "releases_top5", "best_share")
#: The largest margin counted (a lone candidate, or one far ahead, reads as this).
MAX_MARGIN = 5.0


def logit(p: float | np.ndarray) -> Any:
    """The log-odds of a probability (or an array of them), clipped to [1e-6, 1 - 1e-6]: no infinities."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def sigmoid(z: float | np.ndarray) -> Any:
    """The logistic function, for a number or an array (clipped: no overflow warnings)."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


class CalibrationError(ValueError):
    """A calibration in the model file reads a measure this code does not compute."""


@cache
def measure_names() -> tuple[str, ...]:
    """Every measure :func:`answer_measures` gives, in its order: the thirteen basic ones, the best
    candidate's whole feature row (``row.<feature>``) and the scores' shape."""
    from index.answer.features import FEATURES

    return (*BASIC_INPUTS, *(f"row.{f}" for f in FEATURES), *SHAPE_INPUTS)


def answer_measures(raw: np.ndarray, best: int, features: np.ndarray, urls: list[str]) -> np.ndarray:
    """Every measure a calibration may read for candidate ``best`` taken as the reply (:func:`measure_names`
    order): its score, its margin over the runner-up and over the best candidate of another release (two
    releases that answer alike agree; a runner-up release close behind is a sign of doubt), some of its
    features, all of them, and the shape of the scores."""
    from index.answer.features import FEATURES

    top = float(raw[best])
    others = np.delete(raw, best)
    margin = top - float(others.max()) if len(others) else MAX_MARGIN
    elsewhere = [float(r) for r, u in zip(raw, urls, strict=True) if u != urls[best]]
    margin_release = top - max(elsewhere) if elsewhere else MAX_MARGIN
    row = np.asarray(features[best], dtype=np.float64)
    picked = [float(row[FEATURES.index(name)]) for name in BASIC_FEATURES]
    basic = [top, min(margin, MAX_MARGIN), min(margin_release, MAX_MARGIN), *picked]
    return np.concatenate([basic, row, score_shape(raw, best, urls)])


def score_shape(raw: np.ndarray, best: int, urls: list[str]) -> np.ndarray:
    """How the candidates' scores spread (:data:`SHAPE_INPUTS`): how many candidates (log), the entropy of
    their softmax, the best's lead over the third, how many releases the five best come from, and the best's
    share of the softmax. Why: one clear winner among few candidates of one release reads otherwise than a
    best candidate barely ahead of many from several releases, whatever its own score."""
    scores = np.asarray(raw, dtype=np.float64)
    p = np.exp(scores - scores.max())
    p /= p.sum()
    entropy = float(-(p * np.log(np.clip(p, 1e-12, 1.0))).sum())
    order = np.argsort(-scores, kind="stable")
    gap_third = float(scores[best] - scores[order[2]]) if len(scores) > 2 else MAX_MARGIN
    releases = len({urls[int(i)] for i in order[:5]})
    return np.asarray(
        [np.log1p(len(scores)), entropy, min(gap_third, MAX_MARGIN), float(releases), float(p[best])]
    )


@dataclass(frozen=True)
class Calibration:
    """A logistic regression over the named measures (``inputs``), any scaling folded into ``coef``."""

    inputs: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def __post_init__(self) -> None:
        names = measure_names()
        unknown = [name for name in self.inputs if name not in names]
        if unknown:
            raise CalibrationError(
                "the reader's calibration reads measures this code does not compute "
                f"({', '.join(unknown[:3])}): retrain it (thaigov-qa reader train)"
            )
        if len(self.coef) != len(self.inputs):
            raise CalibrationError("the reader's calibration has as many weights as inputs: retrain it")

    @property
    def columns(self) -> np.ndarray:
        """Where its inputs sit among :func:`answer_measures`' values."""
        return _columns(self.inputs)

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Calibration:
        return cls(
            tuple(spec["inputs"]), np.asarray(spec["coef"], dtype=np.float64), float(spec["intercept"])
        )

    def to_spec(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "coef": [float(v) for v in self.coef],
            "intercept": self.intercept,
        }

    def probabilities(self, measures: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for rows of :func:`answer_measures` values."""
        x = np.atleast_2d(np.asarray(measures, dtype=np.float64))[:, self.columns]
        return np.asarray(sigmoid(x @ self.coef + self.intercept))

    def probability(self, measures: np.ndarray) -> float:
        """The calibrated probability for one reply's :func:`answer_measures` values."""
        return float(self.probabilities(measures)[0])


@cache
def _columns(inputs: tuple[str, ...]) -> np.ndarray:
    names = measure_names()
    return np.asarray([names.index(name) for name in inputs], dtype=np.int64)


#: The search calibration's L2 strength (scikit-learn's C over standardised inputs): C 0.03 to 1.0 measured
#: alike on the validation fold (stop 54), the middle kept.
SEARCH_C = 0.1


def fit_calibration(
    measures: np.ndarray, correct: np.ndarray, inputs: tuple[str, ...], *, standardise: bool = False
) -> Calibration:
    """A calibration over ``inputs`` fitted on replies' :func:`answer_measures` rows and whether each was
    right. ``standardise``: inputs scaled to unit variance and regularised (:data:`SEARCH_C`), as a hundred
    inputs of unlike scales need, the scaling folded into the stored weights; otherwise scikit-learn's
    defaults over raw inputs (the thirteen-input calibration as every reader before it was fitted). With
    one class only, a constant at its base rate."""
    from sklearn.linear_model import LogisticRegression

    x = np.atleast_2d(np.asarray(measures, dtype=np.float64))[:, _columns(inputs)]
    y = np.asarray(correct, dtype=np.float64)
    if len(set(y.tolist())) < 2:
        base = float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3))) if len(y) else 0.0
        return Calibration(inputs, np.zeros(len(inputs)), round(base, 6))
    if not standardise:
        coef, intercept = _logistic(x, y)
        return Calibration(inputs, np.asarray(coef, dtype=np.float64), intercept)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=SEARCH_C, max_iter=5000).fit((x - mean) / scale, y)
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - float((lr.coef_[0] * mean / scale).sum()))
    # Six significant digits, not six decimals: a weight folded over a wide input's scale is small.
    return Calibration(inputs, np.asarray([float(f"{v:.6g}") for v in coef]), float(f"{intercept:.6g}"))


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[list[float], float] | None:
    """A logistic regression's coefficients and intercept, rounded so that a model file stays byte-stable;
    None when ``y`` holds one class (each caller knows what stands in then: the calibration a constant
    at the base rate, the verification stage the reader's own log-odds)."""
    if len(set(y.tolist())) < 2:
        return None
    return _logistic(x, y)


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[list[float], float]:
    """scikit-learn's defaults (C 1) over raw inputs of two classes, rounded to six decimals."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    return [round(float(v), 6) for v in lr.coef_[0]], round(float(lr.intercept_[0]), 6)
