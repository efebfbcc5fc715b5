"""The bold thresholds of an existing reader model, chosen again on questions it never saw
(``thaigov-qa reader bold``).

Why a step of its own: which short answers are shown in bold reads nothing but the model's probabilities on
held-out replies (:func:`index.answer.thresholds.choose_bold`), so it can be chosen for a model file as it
is. The shipped reader's trees were trained at stop 27; a retrain of its recipe today gives other trees,
and a seed alone moves a reader by ~0.02 on fresh questions (docs/answers.md, "Stop 34"). Its bold
thresholds are chosen on question sets written after it was trained (``eval/qa6-9.jsonl``), over the whole
archive: the model scores them as it serves, nothing it was fitted on.

Every question counts but the test fold's (the test fold chooses nothing); questions the model was trained on
would choose in-sample, so the command warns when a file's questions are of the train fold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from index.answer.outcomes import Outcome, outcome, served
from index.answer.thresholds import MIN_BOLD_SUPPORT, TARGET_SPAN_PRECISION, lowest_bold, span_pairs
from index.answer.training import collect, probabilities

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.answerer import Answerer


@dataclass(frozen=True)
class BoldChoice:
    """The chosen thresholds by question language, and what they rest on: per language, the shown replies
    with a short answer, and at the chosen threshold (or at none: every one) how many are bold and right."""

    thresholds: dict[str, float]
    shown: dict[str, int]
    bold: dict[str, int]
    right: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "bold_by_lang": self.thresholds,
            "target_precision": TARGET_SPAN_PRECISION,
            "min_support": MIN_BOLD_SUPPORT,
            "shown_with_span": self.shown,
            "bold": self.bold,
            "bold_right": self.right,
        }


def held_out(questions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions that may choose a threshold: every one but the test fold's."""
    return [q for q in questions if q.get("fold") != "test"]


def replies(
    answerers: Sequence[Answerer],
    questions: Sequence[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Outcome], np.ndarray]:
    """Each question's reply over each answerer's index, as its model serves it (its trees' scores, its
    calibrated probability: 0 where the province check refuses it, :func:`index.answer.outcomes.served`),
    with the spans of its evidence labelled."""
    outs: list[Outcome] = []
    for answerer in answerers:
        model = answerer.model
        for e in collect(answerer, questions, progress):
            raw = model.scores(e.analysis.features) if e.analysis is not None and len(e.labels) else None
            outs.append(outcome(answerer, e, raw))
    model = answerers[0].model  # one model over every index
    return outs, served(outs, probabilities(outs, model.coef.tolist(), model.intercept))


def choose(outs: list[Outcome], probs: np.ndarray, answerer: Answerer) -> BoldChoice:
    """The bold thresholds for ``answerer``'s model on these held-out replies, with their support."""
    model = answerer.model
    # A model without per-language refusal thresholds: its one threshold serves every language.
    refuse = dict(model.thresholds.refuse_by_lang) or {"": model.thresholds.refuse}
    pairs = span_pairs(outs, probs, model.span_model, refuse)
    chosen = lowest_bold(pairs)
    bold, right = {}, {}
    for lang, seen in pairs.items():
        kept = [ok for p, ok in seen if p >= chosen.get(lang, 0.0)]
        bold[lang], right[lang] = len(kept), sum(kept)
    return BoldChoice(chosen, {lang: len(seen) for lang, seen in pairs.items()}, bold, right)


def with_bold(spec: dict[str, Any], thresholds: dict[str, float]) -> dict[str, Any]:
    """A model spec with its bold thresholds replaced (everything else as it was)."""
    return {**spec, "thresholds": {**spec["thresholds"], "bold_by_lang": dict(sorted(thresholds.items()))}}
