"""The reader's features that compare a candidate with the question's other candidates: distances to the
best one, the rank within its release, the spans of the asked kind it holds, and how many other sentences
and releases say the value its span says (:func:`index.answer.values.agreement`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from index.answer.candidates import Candidate
from index.answer.features import FEATURES, MAX_KIND_SPANS, matrix, question_view
from index.answer.kinds import uniform
from index.answer.qtype import QuestionType
from index.answer.sentences import Sentence
from index.answer.span_values import Span
from index.answer.values import agreement

COL = {name: i for i, name in enumerate(FEATURES)}
BEDS = QuestionType("how_many", "number", "th", "เตียง")


def _candidate(url: str, text: str, span: Span | None, lex: float = 0.0, kind_spans: int = 0) -> Candidate:
    c = Candidate(0, url, None, [Sentence(0, len(text), text)], 0, 1.0, None, span=span)
    c.lex, c.score, c.kind_spans = lex, lex, kind_spans
    return c


def _beds(n: str) -> Span:
    return Span(0, 5, f"{n} เตียง", "number")


def test_agreement_counts_the_releases_and_sentences_that_say_the_same_value() -> None:
    cands = [
        _candidate("a", "มีแผนขยายโรงพยาบาลเป็น 60 เตียง", _beds("60")),
        _candidate("a", "อาคารใหม่รองรับผู้ป่วยได้ 60 เตียง", _beds("60")),
        _candidate("b", "โรงพยาบาลจะขยายเป็น 60 เตียงในปีหน้า", None),  # says it, without a span of its own
        _candidate("c", "ปัจจุบันเป็นโรงพยาบาลขนาด 30 เตียง", _beds("30")),
    ]
    got = agreement(cands)
    # the first: its own release once more, release b once; three sentences with a span, two others
    assert got[0] == (1, 1, pytest.approx(2 / 2))
    assert got[2] == (0, 0, 0.0)  # no span: nothing to agree on
    assert got[3] == (0, 0, 0.0)  # 30 beds: said once


def test_a_date_agrees_only_with_sentences_whose_own_span_is_that_date() -> None:
    day, other = dt.date(2023, 12, 18), dt.date(2022, 8, 2)
    signed = Span(0, 5, "18 ธ.ค. 2566", "date", date=day)
    cands = [
        _candidate("a", "ลงนามเมื่อวันที่ 18 ธ.ค. 2566", signed),
        _candidate(
            "b", "บันทึกความเข้าใจลงนามเมื่อ 18 ธันวาคม 2566", Span(0, 5, "18 ธันวาคม 2566", "date", date=day)
        ),
        # names the same day, but the span it answers with is another event's
        _candidate(
            "c", "ฉบับแรกลงนาม 2 ส.ค. 2565 ก่อนฉบับ 18 ธ.ค. 2566", Span(0, 5, "2 ส.ค. 2565", "date", date=other)
        ),
    ]
    got = agreement(cands)
    assert got[0][0] == 1 and got[1][0] == 1 and got[2][0] == 0


def test_relative_features_measure_each_candidate_against_the_best() -> None:
    cands = [
        _candidate("a", "โรงพยาบาลบ้านค่ายขยายเป็น 60 เตียง", _beds("60"), lex=0.6, kind_spans=1),
        _candidate(
            "a", "เป็นโรงพยาบาลขนาด 30 เตียง มี 158,290 ราย 553 ราย 50 ราย", _beds("30"), lex=0.4, kind_spans=9
        ),
        _candidate("b", "โรงพยาบาลอีกแห่งมี 60 เตียง", _beds("60"), lex=0.5, kind_spans=1),
    ]
    view = question_view("รพ.บ้านค่ายจะขยายเป็นกี่เตียง", "th", BEDS, 3, uniform())
    x = matrix(view, cands, [], {}, {})
    assert x.shape == (3, len(FEATURES))
    assert np.allclose(x[:, COL["lex_gap"]], [0.0, 0.2, 0.1])
    assert list(x[:, COL["lex_rank_in_release"]]) == [0, 1, 0]  # each release ranks its own sentences
    assert np.allclose(x[:, COL["lex_gap_in_release"]], [0.0, 0.2, 0.0])
    assert list(x[:, COL["kind_spans"]]) == [1, MAX_KIND_SPANS, 1]  # a list of values is capped
    assert x[0, COL["value_other_releases"]] == pytest.approx(np.log1p(1))
    assert x[1, COL["value_other_releases"]] == 0.0
