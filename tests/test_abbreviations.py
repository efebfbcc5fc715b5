"""Thai words cut short with ฯ, completed from the index's vocabulary when the archive writes them whole."""

from __future__ import annotations

from index.lexical import tokenize
from index.search.abbreviations import Completer

DOC_FREQ = {
    "นคร": 900,
    "ศรี": 800,
    "นครศรีธรรมราช": 2475,
    "นครปฐม": 1200,
    "นายก": 27787,
    "นายกรัฐมนตรี": 31509,
    "นายกเทศมนตรี": 900,
    "อุบล": 520,
    "อุบลราชธานี": 2613,
    "ที่": 50000,
    "ประชุม": 20000,
    "hello": 10,
}


def completer() -> Completer:
    return Completer(list(DOC_FREQ), lambda t: DOC_FREQ.get(t, 0))


def test_a_cut_word_is_completed_by_the_archives_most_frequent_whole_word() -> None:
    c = completer()
    assert c.expansions("ปลัด มท. ประชุมที่นครศรีฯ ห้องไหน", tokenize) == ["นครศรีธรรมราช"]
    assert c.expansions("อุบลฯ จัดบริจาคโลหิต", tokenize) == ["อุบลราชธานี"]


def test_a_part_the_archive_writes_as_often_as_the_whole_is_left_alone() -> None:
    c = completer()
    assert c.complete("นายก") is None  # นายกฯ: 27,787 chunks, นายกรัฐมนตรี: 31,509
    assert c.expansions("นายกฯ ลงพื้นที่", tokenize) == []


def test_no_cut_word_or_no_completion_gives_nothing() -> None:
    c = completer()
    assert c.expansions("ฯลฯ และอื่น ๆ", tokenize) == []  # "and so on", not a cut word
    assert c.expansions("นครศรีธรรมราช", tokenize) == []
    assert c.expansions("ขสมกฯ", tokenize) == []  # nothing in the vocabulary starts with it
    assert c.complete("นค") is None  # too short to choose
