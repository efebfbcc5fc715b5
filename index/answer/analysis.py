"""A question taken through the answer step: what the reader measured of it (:class:`Analysis`), and the
reply's parts for a chosen candidate (:class:`Presented`). Shared by the façade, the several-answers step
and training, below all three."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from index.answer import evidence as ev
from index.answer.candidates import Candidate, QuestionWords
from index.answer.features import QuestionView
from index.answer.qtype import QuestionType
from index.answer.types import Source

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.spans import Span
    from index.search.hits import ReleaseHit


@dataclass
class Analysis:
    """A question taken as far as the model's input: what :mod:`index.answer.training` records."""

    question: str
    lang: str
    qt: QuestionType
    view: QuestionView
    words: QuestionWords
    hits: list[ReleaseHit]
    candidates: list[Candidate]
    features: np.ndarray
    #: Asked about one chosen release (``Answerer.ask(within=...)``): a follow-up or a release card.
    within: bool = False
    #: A follow-up within the previous answer's release (``Answerer.ask(within=..., follow_up=True)``).
    follow_up: bool = False
    #: The releases a reply lists, in the search's second look's order (empty: ``hits``'s order). The
    #: reader reads ``hits`` in the fused order it was trained on (docs/answers.md, "Stop 25").
    shown: list[ReleaseHit] = field(default_factory=list)


@dataclass(frozen=True)
class Presented:
    """The reply's parts for one chosen candidate: evidence, its span and short answer, the sources."""

    candidate: Candidate
    quoted: ev.Quoted
    short: str | None
    sources: list[Source]

    @property
    def evidence(self) -> str:
        return self.quoted.evidence

    @property
    def span(self) -> Span | None:
        return self.quoted.span
