"""The thresholds that decide what a shown reply holds, each chosen on held-out replies (the validation
folds' out-of-fold scores, and a threshold set's): when it asserts a claim (per question language), when a
short answer is in bold, when another release is listed as also answering.

Why apart from training: training fits the trees, the calibration and the span model; these choices only
read what those give on held-out replies, each the lowest threshold that reaches its precision target.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from index.answer.analysis import Analysis
from index.answer.calibration import Calibration
from index.answer.evidence import Quoted
from index.answer.refusal import choose as choose_refusal
from index.answer.refusal import threshold_of, thresholds_for
from index.answer.several import other_measures
from index.answer.span_model import SpanModel


class Shown(Protocol):
    """What the choices read of one held-out reply (``outcomes.Outcome`` is one)."""

    correct: bool
    answerable: bool
    lang: str
    quoted: Quoted | None
    span_labels: np.ndarray | None

    def span_rows(self, probability: float) -> np.ndarray: ...


class Asked(Protocol):
    """What :func:`choose_other` reads of one question's analysis (``outcomes.Example`` is one)."""

    question: dict[str, Any]
    analysis: Analysis | None


#: Replies with a bold claim must be right this often on held-out replies; below it, the passage is
#: quoted without a short answer ("the closest passage says").
TARGET_ASSERT_PRECISION = 0.85
#: Bold short answers must be right this often on held-out replies (else the passage is quoted).
TARGET_SPAN_PRECISION = 0.85
#: Another release listed as also answering must be a gold release this often on the validation fold.
TARGET_OTHER_PRECISION = 0.6
#: Short answers a language's bold threshold must keep on held-out replies before its precision counts: a
#: handful right by chance is no evidence (with 20, one wrong answer moves the precision by 0.05).
MIN_BOLD_SUPPORT = 20


def _lowest_precise(
    pairs: list[tuple[float, bool]],
    target: float,
    start: float = 0.05,
    stop: float = 0.95,
    empty_ok: bool = True,
) -> float:
    """The lowest threshold (0.01 steps from ``start``) at which the pairs (probability, right) at or above
    it are right ``target`` of the time; ``stop`` when none is. With ``empty_ok``, a threshold that keeps
    none counts as precise (nothing is shown)."""
    for t in np.round(np.arange(start, stop + 0.001, 0.01), 2):
        kept = [ok for prob, ok in pairs if prob >= t]
        if (kept and sum(kept) / len(kept) >= target) or (not kept and empty_ok):
            return float(t)
    return stop


def choose_assert(outcomes: list[Shown], probs: np.ndarray, refuse: dict[str, float]) -> dict[str, float]:
    """Per question language, the lowest threshold (not under its refusal threshold) above which its shown
    replies are right :data:`TARGET_ASSERT_PRECISION` of the time on the validation folds.

    Why per language, as the refusal (:mod:`index.answer.refusal`): the reader's probabilities do not mean
    the same in both. At stop 22 its surest Thai replies were right 0.87 of the time, its surest English ones
    0.75 at most, and one pooled threshold (0.92) let almost nothing be asserted in either language."""
    shown = probs >= thresholds_for(outcomes, refuse)
    out = {}
    for lang in sorted({o.lang for o in outcomes}):
        pairs = [
            (float(p), o.correct)
            for o, p, s in zip(outcomes, probs, shown, strict=True)
            if s and o.lang == lang
        ]
        start = threshold_of(refuse, lang) if refuse else 0.05
        out[lang] = _lowest_precise(pairs, TARGET_ASSERT_PRECISION, start=start, stop=0.99, empty_ok=False)
    return out


def choose_span(
    outcomes: list[Shown], probs: np.ndarray, model: SpanModel | None, floor: dict[str, float]
) -> float:
    """The lowest span-model probability at which the spans it would put in bold (in replies at or above
    their language's ``floor``, the assert threshold) are right :data:`TARGET_SPAN_PRECISION` of the time
    on the validation folds."""
    by_lang = span_pairs(outcomes, probs, model, floor)
    return _lowest_precise([pair for pairs in by_lang.values() for pair in pairs], TARGET_SPAN_PRECISION)


def span_pairs(
    outcomes: list[Shown], probs: np.ndarray, model: SpanModel | None, floor: dict[str, float] | np.ndarray
) -> dict[str, list[tuple[float, bool]]]:
    """Per question language, (span-model probability, right) of the short answer of every reply at or above
    its ``floor`` (its language's, or its own: one per reply): the span the rules choose in its evidence,
    given the reply's probability."""
    out: dict[str, list[tuple[float, bool]]] = {}
    floors = thresholds_for(outcomes, floor)
    for o, p, least in zip(outcomes, probs, floors, strict=True):
        if model is None or p < least:
            continue
        if o.quoted is None or not o.quoted.spans or o.span_labels is None:
            continue
        sp = model.probabilities(o.span_rows(float(p)))
        i = max(range(len(o.quoted.spans)), key=lambda k: o.quoted.spans[k].score)  # the rules' choice
        out.setdefault(o.lang, []).append((float(sp[i]), bool(o.span_labels[i])))
    return out


def choose_bold(
    outcomes: list[Shown], probs: np.ndarray, model: SpanModel | None, refuse: dict[str, float]
) -> dict[str, float]:
    """Per question language, the lowest span-model probability (0.01 steps) at which the short answers of
    all shown held-out replies, however sure each reply is of its passage, are right
    :data:`TARGET_SPAN_PRECISION` of the time, keeping at least :data:`MIN_BOLD_SUPPORT` of them; a language
    where none is gets no entry (its short answers are bold only through the assert threshold)."""
    return lowest_bold(span_pairs(outcomes, probs, model, refuse))


def lowest_bold(pairs_by_lang: dict[str, list[tuple[float, bool]]]) -> dict[str, float]:
    """:func:`choose_bold` on (span-model probability, right) pairs already read, per language."""
    chosen = {}
    for lang, pairs in sorted(pairs_by_lang.items()):
        for t in np.round(np.arange(0.05, 0.991, 0.01), 2):
            kept = [ok for prob, ok in pairs if prob >= t]
            if len(kept) < MIN_BOLD_SUPPORT:
                break
            if sum(kept) / len(kept) >= TARGET_SPAN_PRECISION:
                chosen[lang] = float(t)
                break
    return chosen


def reply_thresholds(
    outcomes: list[Shown], probs: np.ndarray, model: SpanModel | None, target_wrong: float
) -> dict[str, Any]:
    """The thresholds that decide what a reply holds, chosen on held-out replies (the model file's
    ``thresholds`` but ``other``): refusal per language for ``target_wrong`` (:mod:`index.answer.refusal`),
    assertion, the span model's bar beside it, and the bold thresholds."""
    refuse = choose_refusal(outcomes, probs, target_wrong)
    assert_by_lang = choose_assert(outcomes, probs, refuse)
    return {
        "refuse": max(refuse.values()),  # a language with no threshold of its own gets the strictest
        "refuse_by_lang": refuse,
        "assert": max(assert_by_lang.values()),  # a language with no threshold of its own: the strictest
        "assert_by_lang": assert_by_lang,
        "span": choose_span(outcomes, probs, model, assert_by_lang),
        "bold_by_lang": choose_bold(outcomes, probs, model, refuse),
    }


def choose_other(
    examples: list[Asked],
    raws: list[np.ndarray | None],
    probs: np.ndarray,
    calibration: Calibration,
    refuse: dict[str, float],
) -> float:
    """The lowest probability at which another release, listed as also answering a shown reply, is a gold
    release :data:`TARGET_OTHER_PRECISION` of the time (answerable validation questions)."""
    seen: list[tuple[float, bool]] = []
    for e, raw, p in zip(examples, raws, probs, strict=True):
        gold = set(e.question.get("gold_urls") or [])
        if e.analysis is None or raw is None or not len(raw) or not gold:
            continue
        if p < threshold_of(refuse, str(e.question.get("lang", "th"))):
            continue
        for url, (_, measures) in other_measures(e.analysis, raw, int(np.argmax(raw))).items():
            seen.append((calibration.probability(measures), url in gold))
    return _lowest_precise(seen, TARGET_OTHER_PRECISION)
