"""Question analysis: language, absolute dates (English and Thai, BE and CE), relative dates, types."""

from __future__ import annotations

import datetime as dt

from index.search.query import QueryInfo, analyze, reference_day

TODAY = dt.date(2026, 11, 25)
NEWEST = dt.date(2025, 9, 20)


def windows(q: str, **kw: object) -> list[tuple[str, str, str]]:
    info = analyze(q, **kw)  # type: ignore[arg-type]
    return [(w.start.isoformat(), w.end.isoformat(), w.kind) for w in info.dates]


def test_english_day_month_year() -> None:
    assert windows("What happened on 9 Jan 2024?") == [("2024-01-09", "2024-01-09", "day")]
    assert ("2023-12-01", "2023-12-31", "month") in windows("Huawei MOU in December 2023")
    assert ("2021-01-01", "2021-12-31", "year") in windows("How many in 2021?")


def test_english_fiscal_quarter_and_half() -> None:
    assert ("2024-10-01", "2025-12-31", "year") in windows("In fiscal 2025, how many pages were shut?")
    # The Thai fiscal year too: ปีงบประมาณ 2566 began on 1 October 2022; a plain Thai year is the calendar's.
    assert ("2022-10-01", "2023-12-31", "year") in windows("มีผู้เข้าอบรมกี่รายในปีงบประมาณ 2566")
    assert ("2023-01-01", "2023-12-31", "year") in windows("มีผู้เข้าอบรมกี่รายในปี 2566")
    # ... and as chat questions shorten it (ปีงบ, ปีงบฯ), while a range of short years gives no clue.
    assert windows("ปีงบ 64 กรมการจัดหางานบรรจุงานได้กี่คน") == [("2020-10-01", "2021-12-31", "year")]
    assert windows("เป้ายึดทรัพย์ปีงบฯ66 เท่าไหร่") == [("2022-10-01", "2023-12-31", "year")]
    assert windows("รถชนรถไฟ ปีงบ 58-64 กี่ครั้ง") == [] and windows("ปี 58 - 64") == []
    assert ("2023-10-01", "2023-12-31", "quarter") in windows("What was the MPI for Q4 2023?")
    assert ("2024-07-01", "2024-12-31", "quarter") in windows("most homes sold in the second half of 2024")
    assert ("2021-09-01", "2021-12-31", "quarter") in windows("a loan SMS in late 2021")
    # A range of years is the period a text covers, not a publication date.
    assert windows("the sports plan (2017-2021)") == []


def test_thai_dates_be_and_short_years() -> None:
    assert windows("หัวเว่ยแถลงเมื่อ ธ.ค. 66 กี่ด้าน") == [("2023-12-01", "2023-12-31", "month")]
    assert windows("ลงนามวันที่ 15 ตุลาคม 2567") == [("2024-10-15", "2024-10-15", "day")]
    assert windows("งบประมาณปี 2566 เท่าไร") == [("2023-01-01", "2023-12-31", "year")]
    assert ("2022-01-01", "2022-12-31", "year") in windows("ปี 65 มีผู้ป่วยกี่คน")


def test_seasons_are_written_the_thai_way() -> None:
    # "the 2021/22 crop": Thai releases write the Buddhist-era pair, one BM25 word ("ปี 2564/65").
    info = analyze("2021/22 rice farmers income guarantee")
    assert info.seasons == ["2564/65"] and "2564/65" in info.thai_date_terms() and info.numbers == []
    assert analyze("the 2022/2023 crop vs the 2022/23 one").seasons == ["2565/66"]
    assert analyze("the 2023-24 season").seasons == ["2566/67"]
    assert analyze("plan 2017-2021").seasons == []  # a range of years, not one season
    assert analyze("ปี 2565/66 ข้าว").seasons == []  # a Thai question writes it as the releases do


def test_fiscal_and_budget_years_in_english() -> None:
    fiscal = [("2023-10-01", "2024-12-31", "year")]
    for text in ("budget in fiscal year 2024", "budget year 2024 allocation", "FY2024 budget", "fiscal 2024"):
        assert windows(text) == fiscal
    assert windows("the year 2024") == [("2024-01-01", "2024-12-31", "year")]


def test_spoken_thai_month_names_in_questions() -> None:
    assert windows("ครม. 12 ธันวา 66 อนุมัติอะไรบ้าง") == [("2023-12-12", "2023-12-12", "day")]
    assert windows("ข่าวเดือนธันวา 66") == [("2023-12-01", "2023-12-31", "month")]
    assert windows("ศาลตุลาการ 2566") == [("2023-01-01", "2023-12-31", "year")]


def test_relative_dates_count_from_newest_release_when_corpus_is_older() -> None:
    assert reference_day(TODAY, NEWEST) == NEWEST
    assert reference_day(TODAY, dt.date(2027, 1, 1)) == TODAY
    assert windows("What did the cabinet approve yesterday?", today=TODAY, newest=NEWEST) == [
        ("2025-09-19", "2025-09-19", "relative")
    ]
    assert windows("ครม. อนุมัติอะไรเมื่อวาน", today=TODAY, newest=NEWEST) == [
        ("2025-09-19", "2025-09-19", "relative")
    ]
    # 2025-09-20 is a Saturday: last week is Monday 8 to Sunday 14 September.
    assert windows("news from last week", today=TODAY, newest=NEWEST) == [
        ("2025-09-08", "2025-09-14", "relative")
    ]
    assert windows("ข่าวสัปดาห์ที่แล้ว", today=TODAY, newest=NEWEST) == [("2025-09-08", "2025-09-14", "relative")]
    # Read as the cabinet-list requests read them (index.search.relative_days): ที่ผ่านมา, "previous week".
    for text in ("ข่าวสัปดาห์ที่ผ่านมา", "news from the previous week"):
        assert windows(text, today=TODAY, newest=NEWEST) == [("2025-09-08", "2025-09-14", "relative")]
    assert windows("เดือนที่แล้ว", today=TODAY, newest=None) == [("2026-10-01", "2026-10-31", "relative")]
    assert analyze("ข่าวล่าสุดเรื่องน้ำท่วม").latest
    assert analyze("the latest cabinet decisions").latest
    assert not analyze("the cabinet decisions").latest


def test_numbers_glued_to_letters_and_chat_shorthand() -> None:
    assert analyze("digital wallet 10k baht").numbers == ["10000"]
    assert analyze("3bn baht budget").text.startswith("3 billion baht")
    assert analyze("a 1.5k fine").numbers == ["1500"]
    # No part of a number glued to letters: "100km" once gave "10", "1.5m" "1", "24th" "2".
    assert analyze("1.5m tourists on a 100km road").numbers == []
    assert analyze("where was the 26th dgicm meeting held").numbers == ["26"]
    assert analyze("who was the 2nd director-general").numbers == []
    assert analyze("flight EK384 with 4,680 packs").numbers == ["4680"]


def test_number_terms_are_written_as_releases_write_them() -> None:
    # A release's "10,000" is one word with its commas: four digits or more also get the separators.
    info = QueryInfo(text="", lang="en", numbers=["10000", "4680", "1.5", "123", "2566", "2024"])
    assert info.number_terms() == ["10000", "10,000", "4680", "4,680", "1.5", "123", "2566", "2024"]
    assert analyze("digital wallet 10k baht").number_terms() == ["10000", "10,000"]


def test_language_numbers_and_thai_date_terms() -> None:
    info = analyze("How many Thai evacuees landed on flight EK384 on 3 March 2022 with 4,680 packs?")
    assert info.lang == "en"
    assert info.numbers == ["4680"]  # the date's digits and EK384's are not loose numbers
    assert "EK384" in info.latin
    assert info.thai_date_terms() == ["มีนาคม", "มี.ค.", "2565"]
    # A fiscal year is named by the year it ends in: fiscal 2021 is the Thai ปีงบประมาณ 2564.
    assert analyze("How many Thai workers went to Taiwan in fiscal 2021?").thai_date_terms() == ["2564"]
    assert analyze("How many workers went abroad in 2021?").thai_date_terms() == ["2564"]
    th = analyze("ใครเป็นประธานการประชุม")
    assert th.lang == "th"


def test_now_and_currently_ask_for_the_latest_like_latest_does() -> None:
    for q in (
        "thailand imd competitiveness rank now?",
        "ปัจจุบันไทยให้วีซ่าฟรีกี่ประเทศ",
        "ตอนนี้รัฐตรึงดีเซลไว้เท่าไหร่",
        "At what price is the government currently capping diesel?",
        "ค่าไฟงวดล่าสุดหน่วยละกี่บาท",
    ):
        assert analyze(q).latest, q
    assert not analyze("When was the Huawei MOU signed?").latest
    assert not analyze("who announced the known risks").latest  # "now" only as a word
