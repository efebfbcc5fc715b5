"""Thai and English dates: month names, Buddhist-era years, dates inside running text."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.thaidate import (
    SPOKEN_MONTHS,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_to_ce,
    ce_to_be,
    find_dates,
    format_en,
    format_th,
    parse_thai_date,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("วันอังคารที่ 19 ธันวาคม 2566", D(2023, 12, 19)),  # the corpus's date line
        ("วันพฤหัสบดีที่ 2 มกราคม 2568", D(2025, 1, 2)),
        ("18 ธ.ค. 2566", D(2023, 12, 18)),
        ("5 ก.ย. 63", D(2020, 9, 5)),  # two-digit BE year
        ("1 มี.ค. 67", D(2024, 3, 1)),
        ("29 ก.พ. 2567", D(2024, 2, 29)),  # leap day (2024)
        ("๑๙ ธันวาคม ๒๕๖๖", D(2023, 12, 19)),  # Thai digits
        ("19 ธันวาคม พ.ศ. 2566", D(2023, 12, 19)),
        ("19/12/2566", D(2023, 12, 19)),
        ("19/12/2023", D(2023, 12, 19)),  # a CE year stays CE
        ("9 Jan 2024", D(2024, 1, 9)),
        ("9 January 2024", D(2024, 1, 9)),
        ("September 14, 2023", D(2023, 9, 14)),
        ("the 3rd of March 2022", D(2022, 3, 3)),
        ("December 2023", D(2023, 12, 1)),
    ],
)
def test_parse_thai_date(text: str, expected: dt.date) -> None:
    assert parse_thai_date(text) == expected


@pytest.mark.parametrize("text", ["", "ไม่มีวันที่", "31 ก.พ. 2566", "วันที่ 18 ธ.ค.", "ก.ค.ศ. 2547", "may 5 people"])
def test_no_date(text: str) -> None:
    assert parse_thai_date(text) is None


def test_every_month_full_and_abbreviated() -> None:
    for month, (full, abbr) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_ABBR, strict=True), 1):
        assert parse_thai_date(f"3 {full} 2566") == D(2023, month, 3)
        assert parse_thai_date(f"3 {abbr} 66") == D(2023, month, 3)
        assert parse_thai_date(f"3 {abbr.rstrip('.')} 2566") == D(2023, month, 3)  # "ธ.ค" without final dot


def test_spoken_month_names_are_read_only_when_asked_for() -> None:
    assert list(SPOKEN_MONTHS.values()) == list(range(1, 13))
    assert SPOKEN_MONTHS["ธันวา"] == 12 and SPOKEN_MONTHS["กุมภา"] == 2
    for name, month in SPOKEN_MONTHS.items():
        (m,) = find_dates(f"ครม. 3 {name} 66 อนุมัติอะไร", spoken=True)
        assert (m.date, m.text) == (D(2023, month, 3), f"3 {name} 66")
    (rng,) = find_dates("12-14 ธันวา 2566", spoken=True)
    assert (rng.date, rng.until) == (D(2023, 12, 12), D(2023, 12, 14))
    assert [m.date for m in find_dates("14 กุมภา", default_year=2024, spoken=True)] == [D(2024, 2, 14)]
    # Release text keeps them as names (อนุสรณ์สถาน 14 ตุลา); a longer word is not a month either way.
    assert find_dates("อนุสรณ์สถาน 14 ตุลา 2516") == []
    assert find_dates("ศาล 5 ตุลาการ 2566", spoken=True) == []
    # A full name still wins over its spoken prefix.
    (full,) = find_dates("5 ธันวาคม 2566", spoken=True)
    assert full.text == "5 ธันวาคม 2566"


def test_find_dates_in_running_text_keeps_offsets() -> None:
    text = (
        "วันนี้ (19 ธันวาคม 2566) โฆษกฯ เปิดเผยว่า ได้ลงนาม MOU ในวันที่ 18 ธ.ค. 2566 "
        "และจะประชุมอีกครั้ง 5 ม.ค. 67 เวลา 10.30 น. (meeting on 9 Jan 2024)"
    )
    mentions = find_dates(text)
    assert [m.date for m in mentions] == [D(2023, 12, 19), D(2023, 12, 18), D(2024, 1, 5), D(2024, 1, 9)]
    for m in mentions:
        assert text[m.start : m.end] == m.text
    assert mentions[1].text == "18 ธ.ค. 2566"


def test_find_dates_ranges_and_months() -> None:
    (rng,) = find_dates("ระหว่างวันที่ 18 - 20 ธันวาคม 2566 ณ กรุงเทพฯ")
    assert (rng.date, rng.until) == (D(2023, 12, 18), D(2023, 12, 20))
    (month,) = find_dates("ในเดือนธันวาคม 2566 ")
    assert (month.date, month.granularity) == (D(2023, 12, 1), "month")


def test_time_is_not_a_two_digit_year() -> None:
    assert find_dates("5 ก.ย. 10.30 น.") == []
    (m,) = find_dates("5 ก.ย. 10.30 น.", default_year=2023)
    assert m.date == D(2023, 9, 5) and m.text == "5 ก.ย."


def test_be_ce_and_formatting() -> None:
    assert be_to_ce(2566) == 2023 and ce_to_be(2023) == 2566
    assert format_th(D(2023, 12, 18)) == "18 ธ.ค. 2566"
    assert format_th(D(2023, 12, 18), full=True) == "18 ธันวาคม 2566"
    assert format_en(D(2023, 12, 18)) == "18 December 2023"
    for day in (D(2020, 9, 5), D(2024, 2, 29), D(2025, 9, 19)):
        assert parse_thai_date(format_th(day)) == day
        assert parse_thai_date(format_en(day)) == day


def test_each_script_is_read_wherever_it_appears() -> None:
    """The English and numeric patterns only run on a text that has what they need (an English month's
    first letters, a slash): a Thai sentence with an English date, an English one with a Thai date and a
    numeric date inside Thai text are all still read."""
    mixed = "ลงนามเมื่อ 18 December 2023 ณ กรุงเทพฯ และ 19 ธ.ค. 2566 และวันที่ 20/12/2023"
    assert [d.date for d in find_dates(mixed)] == [
        dt.date(2023, 12, 18),
        dt.date(2023, 12, 19),
        dt.date(2023, 12, 20),
    ]
    assert [d.date for d in find_dates("Signed on 19 ธ.ค. 2566 in Bangkok, Sept. 5, 2024 too")] == [
        dt.date(2023, 12, 19),
        dt.date(2024, 9, 5),
    ]
    assert find_dates("ไม่มีวันที่ 2566 คน") == [] and find_dates("12 people on 3 floors") == []
