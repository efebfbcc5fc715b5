"""When the reader refuses: one refusal threshold per question language, chosen together on the validation
fold for a target wrong-answer rate.

Why per language: the reader's probabilities do not mean the same in both languages. English questions
about Thai releases are matched through renderings, so their best candidate is less often right and the
calibration spreads them lower; one shared threshold then spends the whole wrong-answer budget on Thai
replies (validation, target 0.10: Thai wrong 0.16, English 0.02) while refusing most English ones. Choosing
the pair together keeps the overall wrong-answer rate at the target and answers where it costs least
(validation, when this was chosen: accuracy 0.35 -> 0.37 at the same target; Thai wrong 0.08, English
0.11). The shipped reader's own rates per language are in ``index/data/reader.json``
(``trained_on.validation_groups``; at 0423bfb Thai wrong 0.11, English 0.06).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

#: Candidate thresholds, in 0.01 steps.
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
#: Most question languages chosen for together: the search tries every combination (91 per language), so
#: a fourth language (a typo in a question set's ``lang``) would run for hours instead of failing.
MAX_LANGS = 3


class Judged(Protocol):
    """What the choice reads of one validation reply (``training.Outcome`` is one)."""

    correct: bool
    answerable: bool
    lang: str


def threshold_of(refuse: Mapping[str, float], lang: str) -> float:
    """A question language's refusal threshold; a language without one gets the strictest, as in serving
    (:meth:`index.answer.model.Thresholds.refusal`)."""
    return float(refuse.get(lang, max(refuse.values()) if refuse else 0.5))


def thresholds_for(outcomes: Sequence[Judged], refuse: float | Mapping[str, float]) -> np.ndarray:
    """Each reply's refusal threshold: ``refuse`` itself, or its language's (:func:`threshold_of`)."""
    if isinstance(refuse, Mapping):
        return np.asarray([threshold_of(refuse, o.lang) for o in outcomes])
    return np.full(len(outcomes), float(refuse))


def rates(
    outcomes: Sequence[Judged], probs: np.ndarray, refuse: float | Mapping[str, float]
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


def choose(outcomes: Sequence[Judged], probs: np.ndarray, target: float) -> dict[str, float]:
    """Per language, the thresholds (together) that answer most questions right while the wrong-answer rate
    over all of ``outcomes`` stays within ``target``; ties go to fewer wrong answers, then lower thresholds.
    When no combination is within the target, every language gets the highest threshold.

    Raises ValueError for more than :data:`MAX_LANGS` languages."""
    langs = sorted({o.lang for o in outcomes})
    if len(langs) > MAX_LANGS:
        raise ValueError(f"refusal thresholds for at most {MAX_LANGS} question languages, not {langs}")
    probs = np.asarray(probs, dtype=float)
    lang_of = np.asarray([o.lang for o in outcomes])
    correct = np.asarray([o.correct for o in outcomes], dtype=bool)
    answerable = np.asarray([o.answerable for o in outcomes], dtype=bool)
    # Per language and threshold: how many right answers and wrong replies are shown.
    good = correct & answerable
    right = {g: [int((good[lang_of == g] & (probs[lang_of == g] >= t)).sum()) for t in GRID] for g in langs}
    wrong = {
        g: [int((~correct[lang_of == g] & (probs[lang_of == g] >= t)).sum()) for t in GRID] for g in langs
    }
    n, n_ans = len(outcomes) or 1, int(answerable.sum()) or 1
    # The best key so far: (accuracy, -wrong rate, -threshold indices), and its combination.
    best: tuple[tuple[float, float, tuple[int, ...]], tuple[int, ...]] | None = None
    for combo in itertools.product(range(len(GRID)), repeat=len(langs)):
        w = sum(wrong[g][i] for g, i in zip(langs, combo, strict=True)) / n
        if w > target:
            continue
        acc = sum(right[g][i] for g, i in zip(langs, combo, strict=True)) / n_ans
        key = (acc, -w, tuple(-i for i in combo))
        if best is None or key > best[0]:
            best = (key, combo)
    if best is None:
        return {g: float(GRID[-1]) for g in langs}
    return {g: float(GRID[i]) for g, i in zip(langs, best[1], strict=True)}
