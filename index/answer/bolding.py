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


@dataclass(frozen=True)
class Replies:
    """Held-out replies as a model serves them: each one's outcome, its probability (0 where the province
    check refuses it, :func:`index.answer.outcomes.served`) and the refusal threshold it meets (its
    language's, for the size of the index it was asked over: ``Thresholds.for_collection``)."""

    outs: list[Outcome]
    probs: np.ndarray
    refuse: np.ndarray


def replies(
    answerers: Sequence[Answerer],
    questions: Sequence[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> Replies:
    """Each question's reply over each answerer's index, as its model serves it, with the spans of its
    evidence labelled. The answerers share one model."""
    outs: list[Outcome] = []
    refuse: list[float] = []
    for answerer in answerers:
        model = answerer.model
        thresholds = model.thresholds.for_collection(answerer.searcher.releases)
        for e in collect(answerer, questions, progress):
            raw = model.scores(e.analysis.features) if e.analysis is not None and len(e.labels) else None
            outs.append(outcome(answerer, e, raw))
            refuse.append(thresholds.refusal(outs[-1].lang))
    model = answerers[0].model
    probs = served(outs, probabilities(outs, model.calibration_for()))
    return Replies(outs, probs, np.asarray(refuse, dtype=float))


def choose(got: Replies, answerer: Answerer) -> BoldChoice:
    """The bold thresholds for ``answerer``'s model on these held-out replies, with their support."""
    pairs = span_pairs(got.outs, got.probs, answerer.model.span_model, got.refuse)
    chosen = lowest_bold(pairs)
    bold, right = {}, {}
    for lang, seen in pairs.items():
        kept = [ok for p, ok in seen if p >= chosen.get(lang, 0.0)]
        bold[lang], right[lang] = len(kept), sum(kept)
    return BoldChoice(chosen, {lang: len(seen) for lang, seen in pairs.items()}, bold, right)


def with_bold(spec: dict[str, Any], thresholds: dict[str, float]) -> dict[str, Any]:
    """A model spec with its bold thresholds replaced (everything else as it was)."""
    return {**spec, "thresholds": {**spec["thresholds"], "bold_by_lang": dict(sorted(thresholds.items()))}}
