"""Provinces a question names (pythainlp's list, the product's tokenizer) and whether a release names them."""

from __future__ import annotations

from index.answer.places import missing_province, named_provinces, names, provinces


def _named(question: str) -> list[str]:
    return sorted(p.thai for p in named_provinces(question))


def test_thai_questions_name_a_province_as_a_word_long_or_after_its_marker() -> None:
    assert _named("รมช. ตั้งเป้าส่งเสริมอาชีพเกษตรกร จ.ร้อยเอ็ด กี่ครัวเรือน") == ["ร้อยเอ็ด"]
    assert _named("ภูเก็ตติดอันดับเท่าไหร่") == ["ภูเก็ต"]
    assert _named("ผู้ว่าฯ จ.เลย ชื่ออะไร") == ["เลย"]  # a short name after จ.
    assert _named("น้ำท่วมที่จังหวัดน่าน") == ["น่าน"]  # and after จังหวัด
    # Short names are common words too: เลย "at all", แพร่ "to spread", ตาก "to dry".
    assert _named("ไม่ได้เลย โรคแพร่ระบาด ตากแดด ตรวจเลย") == []
    assert _named("ประชุม ac ไทย-มาเลย์ จัดที่ไหน") == []  # เลย inside มาเลย์ is not a word of its own


def test_english_questions_name_a_province_by_its_english_name_however_spaced() -> None:
    assert _named("how many stroke deaths were there in Khon Kaen in 2024") == ["ขอนแก่น"]
    assert _named("khonkaen housing absorption rate") == ["ขอนแก่น"]
    assert _named("prachinburi bus fire compensation") == ["ปราจีนบุรี"]
    assert _named("chiang mai and Bangkok") == ["กรุงเทพมหานคร", "เชียงใหม่"]
    assert _named("what did the finance ministry announce") == []  # no "nan" inside "finance"


def test_a_release_names_a_province_by_either_name_and_the_capital_by_its_usual_ones() -> None:
    known = provinces()
    assert len(known) == 77
    assert names("ที่ จ.ขอนแก่น เมื่อวันที่ 1", known["ขอนแก่น"])
    assert names("in Khon Kaen province", known["ขอนแก่น"])
    assert names("ณ กรุงเทพฯ", known["กรุงเทพมหานคร"]) and names("ผู้ว่าฯ กทม.", known["กรุงเทพมหานคร"])
    assert not names("ที่ จ.ขอนแก่น", known["ร้อยเอ็ด"])
    got = missing_province("how many households in roi-et", "ติดตามงาน จ.ขอนแก่น ตั้งเป้า 25,000 ครัวเรือน")
    assert got is not None and got.thai == "ร้อยเอ็ด"
    assert missing_province("how many households in khon kaen", "ติดตามงาน จ.ขอนแก่น") is None
    assert missing_province("how many households", "ติดตามงาน จ.ขอนแก่น") is None
