"""Province names from pythainlp's gazetteer and hyphenated English words in the glossary's translation."""

from __future__ import annotations

from pathlib import Path

from index.search.glossary import Glossary, provinces
from tests.tables import glossary_of


def _glossary(tmp_path: Path) -> Glossary:
    # What co-occurrence mining made of two place words: a neighbouring province and noise.
    return glossary_of(
        tmp_path,
        mined="nakhon\tนครราชสีมา\t0.48\t3\nubon\tไทยดิฉัน\t0.6\t3\nterminal\tสถานีขนส่ง\t0.9\t3\n"
        "e-commerce\tอีคอมเมิร์ซ\t1.0\t9\n",
        wordnet="cigarette\tบุหรี่\t1.0\ngas\tก๊าซ\t0.9\n",
    )


def test_the_gazetteer_knows_every_province_in_both_spellings() -> None:
    places = provinces()
    assert len(set(places.values())) == 77
    assert (
        places["bangkok"] == "กรุงเทพมหานคร" and places["nakhon sawan"] == places["nakhonsawan"] == "นครสวรรค์"
    )


def test_a_province_name_speaks_for_its_words(tmp_path: Path) -> None:
    g = _glossary(tmp_path)
    got = [(t.thai, t.kind) for t in g.translate("the Nakhon Sawan bus terminal", per_word=3)]
    assert got[0] == ("นครสวรรค์", "place") and ("สถานีขนส่ง", "glossary") in got
    assert "นครราชสีมา" not in {thai for thai, _ in got}  # the mined "nakhon" no longer speaks for it
    # The longest name wins, and each province of a list is found.
    assert [t.thai for t in g.translate("Phra Nakhon Si Ayutthaya")] == ["พระนครศรีอยุธยา"]
    assert [t.thai for t in g.translate("Ubon Ratchathani and Sisaket")] == ["อุบลราชธานี", "ศรีสะเกษ"]
    assert [t.thai for t in g.translate("buriram")] == ["บุรีรัมย์"]  # written as one word, lower case


def test_a_hyphenated_word_is_looked_up_by_its_parts_unless_known_whole(tmp_path: Path) -> None:
    g = _glossary(tmp_path)
    assert {t.thai for t in g.translate("e-cigarette pods")} == {"บุหรี่"}
    assert {t.thai for t in g.translate("greenhouse-gas")} == {"ก๊าซ"}
    assert [t.thai for t in g.translate("E-commerce sales")] == ["อีคอมเมิร์ซ"]
