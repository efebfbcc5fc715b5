"""What the reader's training and threshold choices read of one question: its analysis with labelled
candidates (:class:`Example`), and the reply its scores would give before any threshold (:class:`Outcome`).

Why apart from :mod:`index.answer.training`: fitting reads them, and so do the choices made for a model
that is already trained (:mod:`index.answer.bolding`), which fit nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.answer.analysis import Analysis
from index.answer.answerer import Answerer, answers_elsewhere
from index.answer.calibration import answer_measures
from index.answer.evidence import Quoted
from index.answer.span_model import SPAN_FEATURES, span_matrix
from index.answer.spans import span_answer
from index.answer.types import Answer
from index.scoring import answer_is_correct, normalized


@dataclass
class Example:
    """One question's analysis and the labels of its candidates."""

    question: dict[str, Any]
    analysis: Analysis | None
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def fold(self) -> str:
        return str(self.question.get("fold", "train"))


def expected_answers(question: dict[str, Any]) -> list[str]:
    """The answer and aliases long enough to mark a sentence (a bare "4" or "No" marks too many)."""
    out = [question.get("answer") or ""] + list(question.get("answer_aliases") or [])
    return [
        n for n in (normalized(str(e)) for e in out) if len(n) >= 2 and n not in ("no", "yes", "ไม่", "ใช่")
    ]


@dataclass
class Outcome:
    """What the reply for one question would be with scores ``raw``, before any threshold: whether its
    evidence is right, and the spans of the asked kind in it, each labelled right or wrong."""

    measures: np.ndarray | None
    correct: bool
    answerable: bool
    lang: str
    style: str
    quoted: Quoted | None = None
    question: str = ""
    years: frozenset[int] = frozenset()
    span_labels: np.ndarray | None = None
    #: The province check refuses this reply whatever its probability (the question names a province its
    #: release never names: index.answer.places).
    elsewhere: bool = False

    def span_rows(self, probability: float) -> np.ndarray:
        """The span model's inputs for this reply's spans, given the evidence's probability."""
        if self.quoted is None or not self.quoted.spans:
            return np.zeros((0, len(SPAN_FEATURES)))
        q = self.quoted
        return span_matrix(q.spans, q.evidence, q.anchors, self.question, self.years, probability)


def outcome(answerer: Answerer, e: Example, raw: np.ndarray | None) -> Outcome:
    """The reply ``raw`` (the reader's scores of ``e``'s candidates) would give, before any threshold: its
    best candidate's evidence judged by the question sets' rule, and each span in it labelled right when the
    evidence is and the span's short answer holds the answer or an alias (as a substring)."""
    q = e.question
    answerable = bool(q.get("gold_urls"))
    lang, style = str(q.get("lang", "th")), str(q.get("style", ""))
    if e.analysis is None or raw is None or not len(raw):
        return Outcome(None, False, answerable, lang, style)
    best = int(np.argmax(raw))
    shown = answerer.present(e.analysis, best)
    reply = Answer(q["question"], e.analysis.lang, True, None, shown.evidence, shown.sources)
    correct = answerable and answer_is_correct(q, reply)
    expected = expected_answers(q) or [normalized(str(q.get("answer") or "")) or "\0"]
    labels = np.asarray(
        [
            float(
                correct
                and any(x in normalized(span_answer(span, e.analysis.lang) or span.text) for x in expected)
            )
            for span in shown.quoted.spans
        ]
    )
    measures = answer_measures(raw, best, e.analysis.features, [c.url for c in e.analysis.candidates])
    view = e.analysis.view
    away = answers_elsewhere(e.analysis, e.analysis.candidates[best])
    return Outcome(
        measures, correct, answerable, lang, style, shown.quoted, view.text, view.years, labels, away
    )


def served(outs: list[Outcome], probs: np.ndarray) -> np.ndarray:
    """The probabilities the reply thresholds meet as the product serves them: a reply the province check
    refuses counts as 0, refused at any threshold. Why: the thresholds are chosen for the replies that are
    shown; counted as shown, the near misses that check refuses (a question about another province: half of
    ``eval/qa9.jsonl``) took a share of the wrong-answer budget that no served reply spends, and the
    thresholds chosen on fresh questions came out stricter than the served replies need (stop 51: over
    ~1k-release indexes English 0.53 → 0.49, Thai 0.71 → 0.67 for the same target)."""
    return np.asarray([0.0 if o.elsewhere else float(p) for o, p in zip(outs, probs, strict=True)])
