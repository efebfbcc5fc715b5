"""Days named relative to today (Bangkok): weekdays, this and last week, today, yesterday, the latest."""

from __future__ import annotations

import datetime as dt

import pytest

from index.answer.agenda import list_request
from index.search.relative_days import RELATIVE_WORDS, relative_days, today_in_bangkok

WEDNESDAY = dt.date(2026, 12, 2)
TUESDAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("What did the cabinet approve on Tuesday?", ("2026-12-01",)),
        ("what did the cabinet approve last tuesday", ("2026-12-01",)),
        ("Monday's meeting", ("2026-11-30",)),
        ("ครม. วันอังคารที่แล้วอนุมัติอะไร", ("2026-12-01",)),
        ("ครม. อังคารนี้มีมติอะไรบ้าง", ("2026-12-01",)),
        ("ประชุมวันศุกร์ที่ผ่านมา", ("2026-11-27",)),
        ("ประชุมวันอาทิตย์", ("2026-11-29",)),
        ("yesterday", ("2026-12-01",)),
        ("เมื่อวานนี้", ("2026-12-01",)),
        ("วันนี้", ("2026-12-02",)),
        ("มติ ครม. ล่าสุด", ()),
        ("the latest cabinet meeting", ()),
        ("nothing relative here", None),
        ("ประยุทธ์ จันทร์โอชา", None),  # a surname, not Monday
        ("ตุลาการศาลปกครอง", None),
    ],
)
def test_days(text: str, days: tuple[str, ...] | None) -> None:
    assert relative_days(text, WEDNESDAY) == days


def test_weeks_are_monday_to_sunday_newest_first() -> None:
    last = tuple(f"2026-11-{d}" for d in range(29, 22, -1))
    assert relative_days("cabinet decisions last week", WEDNESDAY) == last
    assert relative_days("ครม. สัปดาห์ที่แล้วอนุมัติอะไรบ้าง", WEDNESDAY) == last
    assert relative_days("ครม. อาทิตย์ที่แล้วอนุมัติอะไร", WEDNESDAY) == last  # อาทิตย์ as "week"
    assert relative_days("มติ ครม. สัปดาห์นี้", WEDNESDAY) == ("2026-12-02", "2026-12-01", "2026-11-30")
    assert relative_days("this week", dt.date(2026, 11, 30)) == ("2026-11-30",)


def test_last_weekday_is_strictly_before_today() -> None:
    assert relative_days("Tuesday's cabinet", TUESDAY) == ("2026-12-01",)
    assert relative_days("last Tuesday's cabinet", TUESDAY) == ("2026-11-24",)
    assert relative_days("ครม. วันอังคารที่แล้ว", TUESDAY) == ("2026-11-24",)


def test_next_weekday_is_strictly_after_today() -> None:
    """ "next Tuesday" was read as the last one (a meeting already held, answered as if asked)."""
    assert relative_days("What will the cabinet approve next Tuesday?", TUESDAY) == ("2026-12-08",)
    assert relative_days("coming friday", TUESDAY) == ("2026-12-04",)
    assert relative_days("ครม. อังคารหน้า", WEDNESDAY) == ("2026-12-08",)
    assert relative_days("ครม. วันอังคารที่จะถึงนี้", WEDNESDAY) == ("2026-12-08",)
    assert relative_days("ครม. วันอังคาร", WEDNESDAY) == ("2026-12-01",)


def test_bangkok_day_and_the_words_set_aside() -> None:
    late_utc = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)  # already 2 December in Bangkok
    assert today_in_bangkok(late_utc) == WEDNESDAY
    assert RELATIVE_WORDS.sub(" ", "ครม. สัปดาห์ที่แล้วอนุมัติอะไร").split() == ["ครม.", "อนุมัติอะไร"]
    assert RELATIVE_WORDS.sub(" ", "cabinet on last Tuesday").split() == ["cabinet", "on"]


def test_list_requests_with_relative_days() -> None:
    now = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)
    request = list_request("What did the cabinet approve on Tuesday?", now)
    assert request is not None and request.dates == ("2026-12-01",) and request.relative
    week = list_request("ครม. สัปดาห์ที่แล้วอนุมัติอะไรบ้าง", now)
    assert week is not None and len(week.dates) == 7 and week.relative
    dated = list_request("ครม. อนุมัติอะไรบ้างเมื่อวันที่ 29 สิงหาคม 2566", now)
    assert dated is not None and not dated.relative
    latest = list_request("ครม. ล่าสุดมีมติอะไรบ้าง", now)
    assert latest is not None and latest.dates == () and not latest.relative
    assert list_request("What did the cabinet approve on Tuesday about the minimum wage?", now) is None
