"""What kind of thing a question asks for, learned from the question set: a date, a number, a person, a
place, an organisation, a reason, a phone number, a time of day, or none of these (yes/no, lists,
descriptions).

Why learned: people ask in chats without the interrogatives the rule patterns of :mod:`index.answer.qtype`
know
("ครม.ให้เงินช่วยน้ำท่วมครัวเรือนละ", "huawei mou signed when"), in two languages. The question's e5 vector is
already computed for retrieval, and it carries the asked kind in either language; a multinomial logistic
regression over it (trained on the train fold's labelled answer kinds) gives a probability per kind. The
reader weighs those probabilities as features, and when the rules see no kind but the model is confident,
spans of the learned kind are looked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: The span kinds of :mod:`index.answer.spans`, and "none" (no short span answers).
KIND_CLASSES = ("none", "date", "number", "person", "place", "org", "reason", "phone", "time")
#: The question set's answer kinds (``kind``) as span kinds.
FINE_TO_SPAN = {
    "date": "date",
    "time": "time",
    "count": "number",
    "money": "number",
    "percent": "number",
    "phone": "phone",
    "person": "person",
    "org": "org",
    "place": "place",
    "reason": "reason",
    "yes_no": "none",
    "list": "none",
    "other": "none",
}
#: Above this probability a learned kind is used for spans when the rules see none.
CONFIDENT = 0.6


@dataclass(frozen=True)
class KindModel:
    """Multinomial logistic regression over the question vector: ``coef`` (classes × dims), ``intercept``."""

    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | None) -> KindModel | None:
        if not spec:
            return None
        return cls(
            np.asarray(spec["coef"], dtype=np.float32), np.asarray(spec["intercept"], dtype=np.float32)
        )

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        z = self.coef @ np.asarray(vector, dtype=np.float32) + self.intercept
        z = np.exp(z - z.max())
        return z / z.sum()


def uniform() -> np.ndarray:
    """No kind model: every kind equally likely (the features then carry no kind information)."""
    return np.full(len(KIND_CLASSES), 1.0 / len(KIND_CLASSES), dtype=np.float32)


def learned_kind(probabilities: np.ndarray) -> str | None:
    """The kind to look for spans of, when the model is confident it is one."""
    i = int(np.argmax(probabilities))
    if KIND_CLASSES[i] == "none" or probabilities[i] < CONFIDENT:
        return None
    return KIND_CLASSES[i]


def fit(vectors: np.ndarray, kinds: list[str]) -> dict[str, Any]:
    """Train the kind model (scikit-learn's logistic regression; deterministic lbfgs) on question vectors
    and their span kinds; the spec is stored in the reader's model file."""
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray([KIND_CLASSES.index(k) for k in kinds])
    lr = LogisticRegression(C=4.0, max_iter=2000).fit(vectors, labels)
    coef = np.zeros((len(KIND_CLASSES), vectors.shape[1]), dtype=np.float64)
    intercept = np.full(len(KIND_CLASSES), -30.0)
    if len(lr.classes_) == 2:
        # Binary case (tiny sets): scikit-learn keeps one row; the other class is its negation.
        coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
        coef[lr.classes_[0]], intercept[lr.classes_[0]] = 0.0, 0.0
    else:
        for row, cls in enumerate(lr.classes_):
            coef[cls], intercept[cls] = lr.coef_[row], lr.intercept_[row]
    return {
        "classes": list(KIND_CLASSES),
        "coef": [[round(float(v), 5) for v in row] for row in coef],
        "intercept": [round(float(v), 5) for v in intercept],
    }
