"""The days a question names relative to today: today, yesterday, a weekday, this or last week, or the
latest meeting. Counted in Bangkok time, the users' time.

Why its own module: two readers share these words. The search's date clues (:mod:`index.search.query`)
turn today, yesterday and this or last week into publication windows; the list request
(:mod:`index.answer.agenda`) turns them, and weekdays, into meeting days: newsroom questions name their
meeting this way far more often than by date ("what did the cabinet approve on Tuesday?", "ครม. สัปดาห์ที่แล้ว
อนุมัติอะไรบ้าง"), and the cabinet meets weekly, so a week names one meeting. The words are general calendar
words of both languages, not phrases of particular questions.
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.thaidate import BANGKOK

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Thai weekday names; อาทิตย์ (Sunday) also means "week", so it counts as a day only after วัน. A name
#: must end its word (จันทร์โอชา is a surname): only "ที่", "นี้", "ก่อน", "ผ่าน" or no Thai letter may follow.
_TH_DAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัส(?:บดี)?", "ศุกร์", "เสาร์", "อาทิตย์")
_TH_END = r"(?=ที่|นี้|ก่อน|ผ่าน|หน้า|[^\u0e00-\u0e7f]|$)"
_PAST = r"\s*(?:ที่)?(?:แล้ว|ผ่านมา|ก่อน)"
#: A weekday still to come: "อังคารหน้า", "วันอังคารที่จะถึงนี้" (and in English "next"/"coming Tuesday").
_NEXT = r"\s*(?:หน้า|ที่จะถึง(?:นี้)?)"

TODAY = re.compile(r"(?i)\b(?:today|tonight)\b|วันนี้")
YESTERDAY = re.compile(r"(?i)\byesterday\b|เมื่อวาน")
LAST_WEEK = re.compile(r"(?i)\b(?:last|past|previous)\s+week\b|(?:สัปดาห์|อาทิตย์)" + _PAST)
THIS_WEEK = re.compile(r"(?i)\bthis\s+week\b|(?:สัปดาห์|อาทิตย์)นี้")
_LATEST = re.compile(r"(?i)\b(?:latest|most\s+recent|last)\b|ล่าสุด|ครั้งที่แล้ว|ครั้งก่อน")
_EN_WEEKDAY = re.compile(
    r"(?i)\b(?:(?P<last>(?:last|past|previous)\s+)|(?P<next>(?:next|coming)\s+))?(?P<d>"
    + "|".join(_EN_DAYS)
    + r")\b"
)
_TH_WEEKDAY = re.compile(
    r"(?:วัน(?P<d1>"
    + "|".join(_TH_DAYS)
    + r")|(?P<d2>"
    + "|".join(_TH_DAYS[:-1])
    + r"))"
    + _TH_END
    + r"(?:(?P<last>"
    + _PAST
    + r")|(?P<next>"
    + _NEXT
    + r"))?"
)


def _words(pattern: re.Pattern[str]) -> str:
    """A pattern's text without its flags and group names, to be joined with others."""
    return re.sub(r"\?P<\w+>", "?:", pattern.pattern.removeprefix("(?i)"))


#: The words of a relative day, set aside with the date before counting a list question's topic words.
RELATIVE_WORDS = re.compile(
    "|".join(
        (
            *(_words(p) for p in (LAST_WEEK, THIS_WEEK, _EN_WEEKDAY, _TH_WEEKDAY)),
            r"\b(?:today|yesterday|latest|most\s+recent|last)\b|วันนี้|เมื่อวาน(?:นี้)?|ล่าสุด|ครั้งที่แล้ว|ครั้งก่อน|ครั้ง",
        )
    ),
    re.IGNORECASE,
)


def today_in_bangkok(now: dt.datetime | None = None) -> dt.date:
    """Bangkok's date at ``now`` (the clock when None)."""
    return (now or dt.datetime.now(BANGKOK)).astimezone(BANGKOK).date()


def last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the week before ``today``'s."""
    sunday = today - dt.timedelta(days=today.weekday() + 1)
    return sunday - dt.timedelta(days=6), sunday


def this_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday of ``today``'s week, and today."""
    return today - dt.timedelta(days=today.weekday()), today


def relative_days(text: str, today: dt.date) -> tuple[str, ...] | None:
    """The days (ISO, newest first) a question without a written date means; ``()`` for the latest meeting;
    None when it names no day at all."""
    if YESTERDAY.search(text):
        return ((today - dt.timedelta(days=1)).isoformat(),)
    if TODAY.search(text):
        return (today.isoformat(),)
    weekday = _weekday(text)
    if weekday is not None:
        day, direction = weekday
        if direction > 0:  # "next Tuesday": the coming one, never today
            return ((today + dt.timedelta(days=(day - today.weekday()) % 7 or 7)).isoformat(),)
        back = (today.weekday() - day) % 7 or (7 if direction < 0 else 0)
        return ((today - dt.timedelta(days=back)).isoformat(),)
    for pattern, week in ((LAST_WEEK, last_week), (THIS_WEEK, this_week)):
        if pattern.search(text):
            first, last = week(today)
            return tuple((last - dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1))
    if _LATEST.search(text):
        return ()
    return None


def _weekday(text: str) -> tuple[int, int] | None:
    """The weekday named (Monday 0) and its direction: -1 when "last"/"ที่แล้ว" puts it strictly before
    today, 1 when "next"/"หน้า" puts it strictly after, 0 for the latest such day (today included)."""
    m = _EN_WEEKDAY.search(text)
    if m is not None:
        day = _EN_DAYS.index(m.group("d").lower())
    else:
        m = _TH_WEEKDAY.search(text)
        if m is None:
            return None
        name = m.group("d1") or m.group("d2")
        day = next(i for i, pattern in enumerate(_TH_DAYS) if re.fullmatch(pattern, name))
    return day, (1 if m.group("next") else -1 if m.group("last") else 0)
