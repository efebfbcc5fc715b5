"""Thai names written in lower case, as chat questions write them ("pak chong to sikhio"): looked up in the
name table by an exact sound key (index/search/glossary.py, ``Glossary._lower_case_names``)."""

from __future__ import annotations

from pathlib import Path

from index.search.glossary import default_glossary
from tests.tables import glossary_of

NAMES = "ปากช่อง\tpakchong\t223\nสีคิ้ว\tsikhio\t100\nภาค\tphak\t50\nณัฐเดช\tnatthadet\t10\nมาร์เก็ต\tmarket\t5\n"


def _terms(tmp_path: Path, question: str) -> dict[str, str]:
    g = glossary_of(
        tmp_path,
        mined="pak\tเบาชุมทาง\t0.46\t3\n",
        names=NAMES,
        wordnet="market\tตลาด\t1.0\nlength\tความยาว\t0.8\n",
    )
    return {t.thai: t.kind for t in g.translate(question)}


def test_two_lower_case_words_joined_name_a_place_and_speak_for_both(tmp_path: Path) -> None:
    got = _terms(tmp_path, "length of the free trial pak chong to sikhio")
    assert got["ปากช่อง"] == "name" and got["สีคิ้ว"] == "name"
    assert got["ความยาว"] == "dictionary"
    assert "เบาชุมทาง" not in got  # "pak" spoke through the joined name, not its weak mined rendering


def test_short_near_and_dictionary_words_are_not_read_as_names(tmp_path: Path) -> None:
    assert "ภาค" not in _terms(tmp_path, "phak")  # under six letters: too many names sound alike
    assert "ณัฐเดช" not in _terms(tmp_path, "how many inmates recovered")  # near, not exact
    got = _terms(tmp_path, "market price today")
    assert "มาร์เก็ต" not in got and got["ตลาด"] == "dictionary"  # a word the dictionary knows


def test_capitalised_names_keep_their_own_path(tmp_path: Path) -> None:
    assert _terms(tmp_path, "Trial from Pak Chong to Sikhio")["สีคิ้ว"] == "name"


def test_the_shipped_tables_read_chat_spellings_of_places() -> None:
    glossary = default_glossary()
    assert "ศาลายา" in {t.thai for t in glossary.translate("how long is the planned salaya link road")}
    got = {t.thai for t in glossary.translate("length of free m6 trial stretch pak chong to sikhio")}
    assert {"ปากช่อง", "สีคิ้ว"} <= got


def test_two_words_the_tables_render_confidently_are_not_joined(tmp_path: Path) -> None:
    tables = {"mined": "per\tเฉลี่ย\t0.9\t3\nrai\tไร่\t2.0\t9\n", "names": "เพไร\tperrai\t5\n"}
    got = {t.thai: t.kind for t in glossary_of(tmp_path, **tables).translate("premium per rai")}
    assert "เพไร" not in got and got["ไร่"] == "glossary" and got["เฉลี่ย"] == "glossary"


def test_a_romanised_run_keeps_its_words(tmp_path: Path) -> None:
    translit = tmp_path / "translit.tsv"
    translit.write_text("# thai\troyin\tdf\nน้ำใจ\tnamchai\t300\n", encoding="utf-8")
    g = glossary_of(tmp_path, mined="", names="ปุนนำ\tpunnam\t5\n", translit=translit)
    got = {t.thai: (t.kind, t.source) for t in g.translate("gsb pun nam jai deposit")}
    assert got["น้ำใจ"] == ("translit", "nam jai") and "ปุนนำ" not in got


def test_an_acronym_after_a_capitalised_name_is_not_joined_to_it() -> None:
    got = {t.thai for t in default_glossary().translate("When was the Huawei MOU signed?")}
    assert "หัวเว่ย" in got and "บันทึกความเข้าใจ" in got
    assert "ห้วยหมู" not in got  # "Huawei MOU" read as one name: a village
