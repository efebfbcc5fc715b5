"""When the reader refuses: one refusal threshold per question language, each chosen on the validation
fold so that replies in that language hold the target wrong-answer rate.

Why per language: the reader's probabilities do not mean the same in both languages. English questions
about Thai releases are matched through renderings, so their best candidate is less often right and the
calibration spreads them lower; one shared threshold then spends the whole wrong-answer budget on Thai
replies while refusing most English ones.

Why each language holds the target on its own (until stop 18 the pair was chosen together, for the target
over both languages): the pair that answers most overall spends the budget wherever answers are cheapest,
and where that is swings with each retrain. At stop 19, a reader retrained over an intermediate version of
the dictionary renderings moved the pair from English 0.44 / Thai 0.50 to 0.57 / 0.51, and the development
set's English accuracy fell from 0.50 to 0.18. A user asking in either language is owed the same promise,
and a rate per language does not swing that way. What it costs: with stop 18's reader it would have chosen
English 0.36 / Thai 0.61 (validation out of fold: accuracy 0.354 -> 0.323, English 0.18 -> 0.27, Thai 0.53 ->
0.37). On a lab copy of the shipped reader's outcomes both rules chose the same pair (English 0.44 / Thai
0.60; the shipped file has 0.47 / 0.61). Its rates per
language are in ``index/data/reader.json`` (``trained_on.validation_groups``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

#: Candidate thresholds, in 0.01 steps.
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)

#: How many standard errors of sampling noise a threshold's wrong-answer rate is priced at by default: a
#: threshold is kept only if the Wilson upper bound of its rate (:func:`wrong_bound`) is within the target.
#: 0, the rate itself, as every shipped reader's thresholds were chosen. Why a choice: chosen on the point
#: estimate from ~390 held-out replies a language, thresholds sit at the target, and fresh sets read them
#: at 0.09-0.11 (stop 55). One standard error (``reader refusal --noise-z 1``) keeps a margin at ~0.03
#: accuracy; measured at stop 56, not the default (docs/answers.md, "Stop 56").
NOISE_Z = 0.0


class Judged(Protocol):
    """What the choice reads of one validation reply (``training.Outcome`` is one)."""

    correct: bool
    answerable: bool
    lang: str


def threshold_of(refuse: Mapping[str, float], lang: str) -> float:
    """A question language's refusal threshold; a language without one gets the strictest, as in serving
    (:meth:`index.answer.model.Thresholds.refusal`)."""
    return float(refuse.get(lang, max(refuse.values()) if refuse else 0.5))


def thresholds_for(
    outcomes: Sequence[Judged], refuse: float | Mapping[str, float] | np.ndarray
) -> np.ndarray:
    """Each reply's refusal threshold: ``refuse`` itself, its language's (:func:`threshold_of`), or, given one
    per reply (replies over indexes of several sizes: :mod:`index.answer.collection_size`), its own."""
    if isinstance(refuse, np.ndarray):
        return refuse
    if isinstance(refuse, Mapping):
        return np.asarray([threshold_of(refuse, o.lang) for o in outcomes])
    return np.full(len(outcomes), float(refuse))


def rates(
    outcomes: Sequence[Judged], probs: np.ndarray, refuse: float | Mapping[str, float] | np.ndarray
) -> dict[str, float]:
    """Accuracy, wrong-answer rate and refusals if every reply under its threshold were a refusal."""
    shown = np.asarray(probs) >= thresholds_for(outcomes, refuse)
    correct = np.asarray([o.correct for o in outcomes], dtype=bool)
    answerable = np.asarray([o.answerable for o in outcomes], dtype=bool)
    n_ans, n_un = int(answerable.sum()), int((~answerable).sum())
    return {
        "accuracy": float((shown & correct & answerable).sum()) / (n_ans or 1),
        "wrong_rate": float((shown & ~correct).sum()) / (len(outcomes) or 1),
        "unanswerable_refused": float((~shown & ~answerable).sum()) / (n_un or 1),
        "answerable_refused": float((~shown & answerable).sum()) / (n_ans or 1),
    }


def wrong_bound(wrong: int, n: int, z: float) -> float:
    """The Wilson score upper bound of a wrong-answer rate of ``wrong`` in ``n`` replies at ``z`` standard
    errors (``z`` 0: the rate itself). Wilson's rather than the normal one: it stays above 0 with no wrong
    reply seen, where a strict threshold's few shown replies say little."""
    if n <= 0:
        return 0.0
    rate = wrong / n
    if z <= 0:
        return rate
    z2 = z * z
    centre = rate + z2 / (2 * n)
    spread = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))
    return (centre + spread) / (1 + z2 / n)


def choose(
    outcomes: Sequence[Judged], probs: np.ndarray, target: float, noise_z: float = NOISE_Z
) -> dict[str, float]:
    """Per language, the threshold that answers most of its questions right while its wrong-answer rate
    (wrong replies over all of the language's questions, shown or refused, as :func:`rates` counts) stays
    within ``target``, priced at ``noise_z`` standard errors (:func:`wrong_bound`); ties go to fewer wrong
    answers, then the lower threshold. A language where no threshold is within the target gets the
    highest."""
    probs = np.asarray(probs, dtype=float)
    lang_of = np.asarray([o.lang for o in outcomes])
    correct = np.asarray([o.correct for o in outcomes], dtype=bool)
    answerable = np.asarray([o.answerable for o in outcomes], dtype=bool)
    out = {}
    for lang in sorted(set(lang_of.tolist())):
        mine = lang_of == lang
        p, good, bad = probs[mine], (correct & answerable)[mine], ~correct[mine]
        best: tuple[int, int, int] | None = None  # (right, -wrong, -index)
        chosen = len(GRID) - 1
        for i, t in enumerate(GRID):
            shown = p >= t
            wrong = int((bad & shown).sum())
            if wrong_bound(wrong, len(p), noise_z) > target:
                continue
            key = (int((good & shown).sum()), -wrong, -i)
            if best is None or key > best:
                best, chosen = key, i
        out[lang] = float(GRID[chosen])
    return out
