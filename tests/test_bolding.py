"""When a short answer is shown in bold: the rule (the assert threshold, or the span model's own
probability where it is precise enough), how its thresholds are chosen on held-out replies, and how
``thaigov-qa eval`` measures the bold answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.answer.model import Thresholds
from index.answer.span_model import SPAN_FEATURES, SpanModel
from index.answer.thresholds import MIN_BOLD_SUPPORT, choose_bold
from index.evaluate import QuestionResult, metrics
from index.scoring import short_answer_is_right

URL = "https://www.thaigov.go.th/news/contents/details/76362"


def test_bold_through_the_assert_threshold_or_the_span_models_own() -> None:
    t = Thresholds(0.5, 0.9, 0.3, 0.4, assert_by_lang=(("en", 0.8),), bold_by_lang=(("en", 0.6),))
    assert t.bolds("en", 0.85, 0.31), "a sure passage with a trusted span, as before"
    assert not t.bolds("en", 0.85, 0.29), "a sure passage, a span the model does not trust"
    assert t.bolds("en", 0.55, 0.6), "an unsure passage, a span the span model alone is sure enough of"
    assert not t.bolds("en", 0.55, 0.59)
    assert not t.bolds("th", 0.55, 0.99), "a language without its own bold threshold bolds only when asserted"
    assert t.bolds("th", 0.95, 0.99)
    assert not Thresholds(0.5, 0.9, 0.3, 0.4).bolds("en", 0.7, 0.99), "a model file from before the rule"
    # The second way holds only for what its thresholds were chosen on: a shown reply's own pick.
    assert not t.bolds("en", 0.45, 0.99), "under the refusal threshold (a follow-up shown by its prior)"
    assert not t.bolds("en", 0.55, 0.99, lead=False), "another release listed, or a reply within one release"
    assert t.bolds("en", 0.85, 0.31, lead=False), "the assert route holds for every entry, as before"
    assert not Thresholds(0.5, 0.9, 0.3, 0.4, bold_by_lang=(("en", 0.0),)).bolds("en", 0.6, 0.0), (
        "a span no span model scored"
    )


@dataclass
class _Span:
    score: float


@dataclass
class _Quoted:
    spans: list[_Span]


@dataclass
class _Reply:
    """A held-out reply as the choice reads it: one span, its label, and the span model's input row
    (the first input, the evidence's logit, carries the span probability in this test's model)."""

    lang: str
    logit: float
    right: bool
    correct: bool = True
    answerable: bool = True
    quoted: _Quoted = field(default_factory=lambda: _Quoted([_Span(1.0)]))

    @property
    def span_labels(self) -> np.ndarray:
        return np.asarray([float(self.right)])

    def span_rows(self, probability: float) -> np.ndarray:
        row = np.zeros((1, len(SPAN_FEATURES)))
        row[0, 0] = self.logit
        return row


def _model() -> SpanModel:
    """A real span model whose probability is the sigmoid of its first input."""
    coef = np.zeros(len(SPAN_FEATURES))
    coef[0] = 1.0
    return SpanModel(np.zeros(len(SPAN_FEATURES)), np.ones(len(SPAN_FEATURES)), coef, 0.0)


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_choose_bold_takes_the_lowest_precise_threshold_with_support() -> None:
    # English: 30 spans at 0.9 (27 right), 30 at 0.6 (24 right), 40 at 0.3 (10 right).
    replies = [_Reply("en", _logit(0.9), i < 27) for i in range(30)]
    replies += [_Reply("en", _logit(0.6), i < 24) for i in range(30)]
    replies += [_Reply("en", _logit(0.3), i < 10) for i in range(40)]
    # Thai: precise only on a handful (fewer than the support asks): no threshold.
    replies += [_Reply("th", _logit(0.95), True) for _ in range(MIN_BOLD_SUPPORT - 1)]
    replies += [_Reply("th", _logit(0.5), i < 5) for i in range(30)]
    probs = np.full(len(replies), 0.6)
    chosen = choose_bold(replies, probs, _model(), {"en": 0.5, "th": 0.5})  # type: ignore[arg-type]
    # From 0.31 up: the 60 spans at 0.6 and 0.9, 51 right (0.85); at 0.30 and below, 61 of 100 (0.61).
    assert chosen == {"en": 0.31}

    refused = np.full(len(replies), 0.4)  # every reply under its refusal threshold: none is shown
    assert choose_bold(replies, refused, _model(), {"en": 0.5, "th": 0.5}) == {}  # type: ignore[arg-type]
    assert choose_bold(replies, probs, None, {"en": 0.5}) == {}  # type: ignore[arg-type]


@dataclass
class _Reply2:
    """An answer as the scoring reads it."""

    answer: str | None
    evidence: str | None
    found: bool = True
    sources: list = field(default_factory=list)  # type: ignore[type-arg]


@dataclass
class _Source:
    url: str


def test_a_short_answer_is_right_only_by_itself_and_from_a_gold_release() -> None:
    q = {"gold_urls": [URL], "answer": "18 ธ.ค. 2566", "answer_aliases": ["18 December 2023"]}
    gold = [_Source(URL)]
    assert short_answer_is_right(q, _Reply2("18 December 2023 (18 ธ.ค. 2566)", "…", sources=gold))
    assert not short_answer_is_right(q, _Reply2("19 December 2023", "… 18 ธ.ค. 2566 …", sources=gold))
    assert not short_answer_is_right(q, _Reply2(None, "… 18 ธ.ค. 2566 …", sources=gold))
    other = [_Source("https://www.thaigov.go.th/news/contents/details/1")]
    assert not short_answer_is_right(q, _Reply2("18 December 2023", "…", sources=other))
    unanswerable = {"gold_urls": [], "answer": "", "answer_aliases": []}
    assert not short_answer_is_right(unanswerable, _Reply2("18 December 2023", "…", sources=gold))


def test_eval_counts_bold_short_answers_and_their_precision() -> None:
    def result(qid: str, found: bool, short_right: bool | None) -> QuestionResult:
        return QuestionResult(
            qid, "en", "when", [URL], [URL], 1.0, found, found, found, short_right=short_right
        )

    m = metrics(
        [result("a", True, True), result("b", True, False), result("c", True, None), result("d", False, None)]
    )
    assert m.short_answers == 0.5 and m.short_answer_precision == 0.5
    none = metrics([result("c", True, None)])
    assert none.short_answers == 0.0 and none.short_answer_precision is None
