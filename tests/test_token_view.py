"""TokenView: membership in a text's tokens, answered without splitting the text whenever a string search
can tell, and always the same answer as the full token set."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.answer.words import AnyOf, TokenSets
from index.lexical import tokenize

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sample"

TEXTS = [
    "นายกรัฐมนตรีลงนามบันทึกความเข้าใจ (MOU) กับ Huawei เมื่อวันที่ 18 ธันวาคม 2566",
    "The Cabinet approved 1,000 million baht for the King’s project on Dec. 5.",
    "ผู้ว่าราชการจังหวัดเชียงใหม่\u200bประชุม COVID-19ระบาด ณ ศาลากลาง",
    "  ราคา 35.50 บาท/กก.  “ข้าวหอมมะลิ”  ",
    "",
]
WORDS = [
    "mou", "MOU", "huawei", "หัวเว่ย", "18", "2566", "ธันวาคม", "นา", "ลง", "ลงนาม", "king’s", "king", "s",
    "1,000", "000", "dec", "5", "cabinet", "ผู้ว่า", "ผู้ว่าราชการจังหวัด", "เชียงใหม่", "covid-19", "covid",
    "19", "ระบาด", "35.50", "บาท", "กก", "ข้าวหอมมะลิ", "ข้าว", "ศาลากลาง", "ศาลา", "", "x", "ประชุม",
]  # fmt: skip


def _sentences() -> list[str]:
    """Lines of a few real releases, as the answer step reads them."""
    files = sorted(SAMPLE.rglob("*.txt"))[:6]
    if not files:
        pytest.skip("the sample corpus is not beside the checkout")
    return [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()][:300]


@pytest.mark.parametrize("text", TEXTS)
def test_membership_equals_the_token_set(text: str) -> None:
    sets = TokenSets()
    view = sets.view(text)
    tokens = set(tokenize(text))
    for word in WORDS + sorted(tokens):
        assert (word in view) == (word in tokens), word


def test_same_answers_as_the_token_sets_over_real_sentences() -> None:
    sentences = _sentences()
    words = sorted({t for s in sentences[:40] for t in tokenize(s)})[:400] + ["ไม่มีคำนี้", "zzz", "2099"]
    sets = TokenSets()
    for s in sentences:
        view, tokens = sets.view(s), set(tokenize(s))
        assert [w in view for w in words] == [w in tokens for w in words]


def test_a_word_absent_from_the_text_splits_nothing() -> None:
    sets = TokenSets()
    view = sets.view(TEXTS[0])
    assert "budget" not in view and "กระทรวง" not in view and 5 not in view
    assert len(sets) == 0  # no token set was made
    assert "huawei" in view  # a word the text could hold: split once, kept
    assert len(sets) == 1


def test_any_of_several_texts() -> None:
    sets = TokenSets()
    both = AnyOf(sets.view(t) for t in TEXTS[:2])
    assert "huawei" in both and "cabinet" in both and "ข้าว" not in both
    assert "x" not in AnyOf([])
