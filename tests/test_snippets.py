"""Snippets under a refusal's links: verbatim release text, cut around the question's words."""

from __future__ import annotations

from index.answer.candidates import QuestionWords
from index.answer.snippets import SNIPPET_CHARS, snippet


def _words(own: dict[str, float], phrases: dict[str, list[str]] | None = None) -> QuestionWords:
    return QuestionWords(own=own, cross=own, concepts=own if phrases is not None else None, phrases=phrases)


FILLER = "ข้อความประกอบที่ไม่เกี่ยวข้องกับคำถาม " * 12


def test_a_short_text_is_shown_whole_with_its_spaces_collapsed() -> None:
    assert snippet("ลงนาม  MOU\nกับ หัวเว่ย", _words({"mou": 2.0})) == "ลงนาม MOU กับ หัวเว่ย"


def test_a_long_text_is_cut_around_the_question_words() -> None:
    text = FILLER + "พร้อมลงนาม MOU กับ บริษัท หัวเว่ย ในวันที่ 18 ธ.ค. 2566 " + FILLER
    got = snippet(text, _words({"mou": 2.0, "หัวเว่ย": 2.0}))
    assert got.startswith("…") and got.endswith("…")
    assert "MOU กับ บริษัท หัวเว่ย ในวันที่ 18 ธ.ค. 2566" in got
    assert len(got) <= SNIPPET_CHARS + 2
    assert got.strip("…") in " ".join(text.split())  # verbatim, only cut


def test_an_english_question_finds_its_thai_renderings() -> None:
    text = FILLER + "ครม. อนุมัติงบประมาณ 500 ล้านบาท สำหรับโครงการ " + FILLER
    words = _words({"budget": 2.0, "cabinet": 1.0}, {"budget": ["งบประมาณ"], "cabinet": ["ครม."]})
    assert "อนุมัติงบประมาณ 500 ล้านบาท" in snippet(text, words)


def test_without_question_words_the_text_is_shown_from_its_start() -> None:
    text = "เริ่มต้นข่าว " + FILLER
    got = snippet(text, _words({"nothing": 1.0}))
    assert got.startswith("เริ่มต้นข่าว") and got.endswith("…")


def test_a_passage_already_cut_keeps_one_ellipsis() -> None:
    text = FILLER + "ท้ายข้อความ…"
    got = snippet(text, _words({"ท้ายข้อความ": 2.0}))
    assert got.endswith("ท้ายข้อความ…") and not got.endswith("……")
