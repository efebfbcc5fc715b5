"""How likely the short answer is right, learned: a logistic regression over a span's measurements
against the question, which decides whether the reply shows it in bold.

Why learned: the evidence is usually the right sentence, but it often holds several values of the asked
kind (the total and a part, this year's figure and last year's, the minister and the deputy), and the rules
of :mod:`index.answer.spans` pick the asked one only about half the time. The model weighs, per span, the
rules'
own score and unit fit with how close the question's words sit to it, whether the year the question names
is beside it, its place among the spans, and the reader's probability that the evidence is right; its
output is the probability that the span, shown in bold, is the right answer. (Choosing the span by this
model instead of the rules' score picked no better on the validation fold.) Trained with the reader
(:mod:`index.answer.training`), stored in the same model file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.answer.calibration import sigmoid
from index.answer.spans import Span
from index.answer.words import years_in

SPAN_KINDS = ("date", "number", "person", "place", "org", "phone", "time")
SPAN_FEATURES = (
    "evidence_logit",
    "rule_score",
    "fit_yes",
    "fit_no",
    *(f"kind_{k}" for k in SPAN_KINDS),
    "range",
    "near_max",
    "near_count",
    "position",
    "order",
    "spans_log",
    "value_in_question",
    "year_beside",
    "other_year_beside",
    "chars_log",
)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
#: Characters either side of a span that count as "beside" it.
BESIDE = 60


def span_matrix(
    spans: list[Span],
    text: str,
    anchors: list[tuple[int, int]],
    question: str,
    q_years: frozenset[int],
    probability: float,
) -> np.ndarray:
    """One row of :data:`SPAN_FEATURES` per span of ``text``."""
    out = np.zeros((len(spans), len(SPAN_FEATURES)), dtype=np.float64)
    p = min(max(probability, 1e-6), 1 - 1e-6)
    q_numbers = {n.replace(",", "") for n in _NUM.findall(question)}
    order = {id(s): i for i, s in enumerate(sorted(spans, key=lambda s: s.start))}
    for row, span in enumerate(spans):
        f = out[row]
        f[0] = math.log(p / (1 - p))
        f[1] = min(span.score, 5.0)
        f[2], f[3] = float(span.fit == 1.0), float(span.fit == 0.0)
        if span.kind in SPAN_KINDS:
            f[4 + SPAN_KINDS.index(span.kind)] = 1.0
        base = 4 + len(SPAN_KINDS)
        f[base] = float(span.until is not None)
        gaps = [max(0, span.start - b, a - span.end) for a, b in anchors]
        f[base + 1] = max((1.0 / (1.0 + g / 30.0) for g in gaps), default=0.0)
        f[base + 2] = sum(1 for g in gaps if g <= 40)
        f[base + 3] = span.start / max(1, len(text))
        f[base + 4] = order[id(span)] / max(1, len(spans) - 1)
        f[base + 5] = math.log1p(len(spans))
        digits = [n.replace(",", "") for n in _NUM.findall(span.text)]
        f[base + 6] = float(bool(digits) and all(d in q_numbers for d in digits))
        around = years_in(text[max(0, span.start - BESIDE) : span.end + BESIDE])
        f[base + 7] = float(bool(q_years & around))
        f[base + 8] = float(bool(q_years) and bool(around - q_years))
        f[base + 9] = math.log1p(len(span.text))
    return out


@dataclass(frozen=True)
class SpanModel:
    """Standardised inputs, logistic regression coefficients (see :func:`fit`)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | None) -> SpanModel | None:
        if not spec or tuple(spec.get("features", ())) != SPAN_FEATURES:
            return None
        return cls(
            np.asarray(spec["mean"]),
            np.asarray(spec["scale"]),
            np.asarray(spec["coef"]),
            float(spec["intercept"]),
        )

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(sigmoid(z))


def fit(x: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    """Fit the span model (scikit-learn's logistic regression on standardised inputs); None without both
    right and wrong spans to learn from."""
    if len(set(y.tolist())) < 2:
        return None
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-4] = 1.0  # a constant input (stored rounded: never a zero to divide by)
    lr = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    return {
        "features": list(SPAN_FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
    }
