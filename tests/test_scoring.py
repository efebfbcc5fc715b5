"""The question sets' answer rule and its strict reading (index.scoring), on the cases a plain substring
match gets wrong: a short alias inside other numbers and words."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.scoring import answer_is_correct, answer_is_strictly_correct

U = "https://www.thaigov.go.th/news/contents/details/"


@dataclass
class Src:
    url: str


@dataclass
class Ans:
    answer: str | None
    evidence: str
    found: bool = True
    presentation: str = "asserted"
    sources: list[Src] = field(default_factory=lambda: [Src(U + "1")])
    answers: list[object] = field(default_factory=list)


def _q(answer: str, *aliases: str) -> dict[str, object]:
    return {"gold_urls": [U + "1"], "answer": answer, "answer_aliases": list(aliases)}


def test_short_aliases_found_by_chance_count_only_under_the_official_rule() -> None:
    cases = [
        (_q("4 ด้าน", "4"), Ans("3 ด้าน", "เมื่อวันที่ 14 ธันวาคม 2566 ครอบคลุม 3 ด้าน")),
        (_q("1.0%", "1%"), Ans("11%", "the rate rose to 11%")),
        (_q("No", "no"), Ans("Yes", "It reopened on 2 November 2020.")),
        (_q("ไม่ใช่", "ใช่"), Ans("ไม่ใช่", "ข่าวนี้ไม่ใช่เรื่องจริง")),
        (_q("๗ ราย", "7"), Ans("17 ราย", "ผู้ป่วย 17 ราย")),
        (_q("25 ราย"), Ans("12", "5 ราย ได้รับบาดเจ็บ")),  # across the join of answer and evidence
    ]
    official = [answer_is_correct(q, a) for q, a in cases]
    strict = [answer_is_strictly_correct(q, a) for q, a in cases]
    assert official == [True, True, True, True, True, True]
    assert strict == [False, False, False, True, False, False]  # "ไม่ใช่" is the answer itself


def test_right_answers_stay_right_when_read_strictly() -> None:
    right = [
        (_q("18 ธ.ค. 2566", "18 December 2023"), Ans(None, "ลงนามเมื่อวันที่ 18 ธ.ค. 2566 ที่กรุงเทพฯ")),
        (_q("4 ด้าน", "4"), Ans("4", "ครอบคลุมทั้งหมด 4 ด้าน")),
        (_q("15 ล้านบาท"), Ans(None, "ในปี 2566 15 ล้านบาท")),  # a year just before the amount
        (_q("1,200 คน", "1200 คน"), Ans("1,200 คน", "")),
        (_q("No", "no"), Ans("No", "")),
    ]
    assert all(answer_is_correct(q, a) and answer_is_strictly_correct(q, a) for q, a in right)


def test_an_empty_alias_matches_nothing() -> None:
    assert not answer_is_correct(_q("18 ธ.ค. 2566", " "), Ans("anything", "at all"))
    assert not answer_is_strictly_correct(_q("18 ธ.ค. 2566", " "), Ans("anything", "at all"))
