"""Question analysis: language, dates (absolute and relative), answer type, anchors (numbers, Latin words).

Why a separate step: retrieval needs to know *when* a question is about (English questions often name the
day, month or year, and a date window is the strongest filter there is between look-alike releases), which
language it is in (fusion weights and cross-lingual expansion differ), and what it asks for. All of it is
cheap regular-expression work, run once per question.

Relative dates ("yesterday", "last week", "ล่าสุด") count from a reference day: today, or the newest
release in the index when the corpus is older than today (an archive answers "latest" with its latest).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pythainlp.util import thai_digit_to_arabic_digit

from corpus.text import detect_lang, normalize
from corpus.thaidate import (
    EN_MONTHS,
    SPOKEN_MONTHS,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_to_ce,
    ce_to_be,
    find_dates,
    thai_month,
    thai_year,
)
from index.search.relative_days import LAST_WEEK, THIS_WEEK, TODAY, YESTERDAY, last_week, this_week


@dataclass(frozen=True)
class DateWindow:
    """Publication dates a question points at: ``start``..``end`` inclusive.

    ``kind`` says how it was written ("day", "month", "year", "relative", "quarter") and sets how much
    slack the searcher gives around it: a release reports an event on the day or a few days later.
    """

    start: dt.date
    end: dt.date
    kind: str
    text: str = ""


@dataclass(frozen=True)
class QueryInfo:
    """What retrieval needs to know about one question."""

    text: str
    lang: str
    dates: list[DateWindow] = field(default_factory=list)
    latest: bool = False
    numbers: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)
    #: crop and fiscal seasons an English question names ("2021/22"), the Thai way ("2564/65")
    seasons: list[str] = field(default_factory=list)

    def thai_date_terms(self) -> list[str]:
        """Dates of the question written the Thai way (month names, BE years) for BM25 over Thai text."""
        terms: list[str] = []
        for w in self.dates:
            if w.kind in ("day", "month"):
                terms.append(THAI_MONTHS[w.start.month - 1])
                terms.append(THAI_MONTHS_ABBR[w.start.month - 1])
                terms.append(str(ce_to_be(w.start.year)))
            elif w.kind == "year":
                # The end's year: a fiscal year starts the October before and is named by the year it ends
                # in ("fiscal 2021" is ปีงบประมาณ 2564); a plain year starts and ends in the same one.
                terms.append(str(ce_to_be(w.end.year)))
        return terms + self.seasons

    def number_terms(self) -> list[str]:
        """The question's numbers as releases write them: a whole number of four digits or more also with
        thousands separators ("10000" → "10,000"), since a release's "10,000" is one word with its commas;
        a year-like one (1900-2100, 2400-2700) is left as it is."""
        return [form for n in self.numbers for form in number_forms(n)]

    def english_date_terms(self) -> list[str]:
        """The same dates the English way, for Thai questions over English releases."""
        terms: list[str] = []
        for w in self.dates:
            if w.kind in ("day", "month"):
                terms += [EN_MONTHS[w.start.month - 1], str(w.start.year)]
            elif w.kind == "year":
                terms.append(str(w.end.year))
        return terms


# "fiscal year 2024" and "budget year 2024" (the English of ปีงบประมาณ) are fiscal years, not the year 2024.
_YEAR_EN = re.compile(
    r"(?<![\d,./])(?:in |(?:fiscal|budget) year |fiscal |FY ?|year )?((?:19|20)\d\d)(?!\d|,\d)", re.I
)
#: A Thai year: ปี 2566, พ.ศ. 2566, ปี 66; a fiscal one written in full (ปีงบประมาณ 2566) or as people
#: shorten it (ปีงบ 66, ปีงบฯ 66). A range (ปี 58-64) names the period a text covers: no date clue.
_YEAR_TH = re.compile(
    r"(?:ปีงบประมาณ|งบประมาณ|ปีงบฯ?|ปี|พ\.\s?ศ\.|พศ\.?)\s*(?:พ\.\s?ศ\.\s*)?(\d{4}|\d{2})(?!\d|\s*[-–]\s*\d)"
)
# Two consecutive years written as one season ("the 2021/22 crop", "2023-24"): Thai releases write the
# Buddhist-era pair ("ปี 2564/65").
_SEASON = re.compile(r"(?<![\d/])((?:19|20)\d\d)\s?[-–/]\s?((?:19|20)?\d\d)(?![\d/])")
_YEAR_RANGE = re.compile(r"(?<!\d)(?:19|20|25)\d\d\s*[-–/]\s*(?:(?:19|20|25)\d\d|\d\d)(?!\d)")
_YEAR_BE = re.compile(r"(?<![\d,./])(25[6-9]\d)(?!\d|,\d)")
_QUARTER = re.compile(
    r"\bQ([1-4])\s*(?:of\s+)?((?:19|20)\d\d)\b|\b(first|second|third|fourth) quarter of ((?:19|20)\d\d)\b",
    re.I,
)
_HALF = re.compile(r"\b(first|second) half of ((?:19|20)\d\d)\b", re.I)
_LATE_EARLY = re.compile(r"\b(early|mid|late)[- ]((?:19|20)\d\d)\b", re.I)
# A number glued to letters ("EK384", "100km", "5G") is no number term, nor is any part of it ("100km" once
# gave "10", "1.5m" gave "1"), except an ordinal of two digits or more: "the 24th meeting" names its 24 (once
# its "2"); a one-digit ordinal ("2nd") stays without one, as a one-digit term matches most releases.
_NUMBER = re.compile(
    r"(?<![A-Za-z\d])(?:\d[\d,]*(?:\.\d+)?(?![A-Za-z\d]|[.,]\d)|\d{2,}(?=(?:st|nd|rd|th)\b))"
)
#: Chat shorthand for amounts in English questions ("10k baht", "3bn", "500mn"), written out as releases write
#: them. Not "m", which is as often metres ("a 5m road").
_SHORTHAND = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s?(k|mn|bn)\b", re.IGNORECASE)
# "ธ.ค. 66", "ธันวาคม 2566", "ธันวา 66": a Thai month and a year with no day, which corpus.thaidate leaves to
# callers.
_TH_MONTH_YEAR = re.compile(
    "(?<![\\d])("
    + "|".join(sorted(THAI_MONTHS, key=len, reverse=True))
    + "|"
    + "|".join(re.escape(a) for a in THAI_MONTHS_ABBR)
    + "|"
    + "|".join(SPOKEN_MONTHS)
    + r")\s*(?:พ\.\s?ศ\.\s*)?(\d{4}|\d{2})(?!\d)"
)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-&.]*[A-Za-z0-9]|[A-Z]")

# Relative expressions: (pattern, kind); the days and weeks are read as the list requests read them.
_RELATIVE: tuple[tuple[re.Pattern[str], str], ...] = (
    (YESTERDAY, "yesterday"),
    (TODAY, "today"),
    (LAST_WEEK, "last_week"),
    (THIS_WEEK, "this_week"),
    (re.compile(r"\blast month\b|\bpast month\b|เดือน(?:ที่)?(?:แล้ว|ก่อน)", re.I), "last_month"),
    (re.compile(r"\bthis month\b|เดือนนี้", re.I), "this_month"),
    (re.compile(r"\blast year\b|\bpast year\b|ปี(?:ที่)?(?:แล้ว|ก่อน)(?!หน้า)", re.I), "last_year"),
    (re.compile(r"\bthis year\b|ปีนี้", re.I), "this_year"),
)
#: Words that ask for the newest value or release, in both languages: retrieval favours the newest candidates
#: and the reply leads with the newest answering release. One list for both, so that "now", "currently",
#: "ตอนนี้" and "ปัจจุบัน" do what "latest" and "ล่าสุด" do.
_LATEST = re.compile(
    r"\b(?:latest|most recent|recent(?:ly)?|newest|current(?:ly)?|now|these days)\b"
    r"|ล่าสุด|เร็ว ๆ นี้|เร็วๆนี้|ปัจจุบัน|ตอนนี้|ขณะนี้",
    re.I,
)


def number_forms(n: str) -> list[str]:
    """One number of a question as releases write it (see :meth:`QueryInfo.number_terms`)."""
    if n.isdigit() and len(n) >= 4 and not (1900 <= int(n) <= 2100 or 2400 <= int(n) <= 2700):
        return [n, f"{int(n):,}"]
    return [n]


def asks_for_latest(text: str) -> bool:
    """Whether ``text`` asks for the newest value (see :data:`_LATEST`)."""
    return _LATEST.search(text) is not None


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _relative(kind: str, ref: dt.date) -> DateWindow:
    if kind == "yesterday":
        d = ref - dt.timedelta(days=1)
        return DateWindow(d, d, "relative", kind)
    if kind == "today":
        return DateWindow(ref, ref, "relative", kind)
    if kind in ("last_week", "this_week"):
        first, last = (last_week if kind == "last_week" else this_week)(ref)
        return DateWindow(first, last, "relative", kind)
    if kind == "last_month":
        first = ref.replace(day=1) - dt.timedelta(days=1)
        return DateWindow(first.replace(day=1), first, "relative", kind)
    if kind == "this_month":
        return DateWindow(ref.replace(day=1), ref, "relative", kind)
    if kind == "last_year":
        return DateWindow(dt.date(ref.year - 1, 1, 1), dt.date(ref.year - 1, 12, 31), "relative", kind)
    return DateWindow(dt.date(ref.year, 1, 1), ref, "relative", kind)  # this_year


def reference_day(today: dt.date | None = None, newest: dt.date | None = None) -> dt.date:
    """The day relative dates count from: today, or the newest indexed release if the corpus is older."""
    today = today or dt.date.today()
    if newest is not None and newest < today:
        return newest
    return today


def _written_out(text: str) -> str:
    """``text`` with its shorthand amounts written out: "10k" → "10000", "1.5bn" → "1.5 billion"."""

    def one(m: re.Match[str]) -> str:
        number, unit = m.group(1), m.group(2).lower()
        if unit == "k":
            value = float(number) * 1000
            return str(int(value)) if value.is_integer() else str(value)
        return f"{number} {'million' if unit == 'mn' else 'billion'}"

    return _SHORTHAND.sub(one, text)


def _absolute_dates(text: str) -> list[DateWindow]:
    windows: list[DateWindow] = []
    covered: list[tuple[int, int]] = []
    for m in find_dates(text, spoken=True):
        end = m.until or (_month_end(m.date) if m.granularity == "month" else m.date)
        windows.append(DateWindow(m.date, end, m.granularity, m.text))
        covered.append((m.start, m.end))

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in covered)

    for m in _TH_MONTH_YEAR.finditer(text):
        if not free(*m.span()):
            continue
        month, year = thai_month(m.group(1)), thai_year(m.group(2))
        if month is not None and 1990 <= year <= 2100:
            start = dt.date(year, month, 1)
            windows.append(DateWindow(start, _month_end(start), "month", m.group()))
            covered.append(m.span())
    # Day-month pairs with no year ("on 2 November") take their year from another date of the question.
    for m in _QUARTER.finditer(text):
        if m.group(1):
            q, year = int(m.group(1)), int(m.group(2))
        else:
            q = ("first", "second", "third", "fourth").index(m.group(3).lower()) + 1
            year = int(m.group(4))
        start = dt.date(year, 3 * q - 2, 1)
        windows.append(DateWindow(start, _month_end(dt.date(year, 3 * q, 1)), "quarter", m.group()))
        covered.append(m.span())
    for m in _HALF.finditer(text):
        year = int(m.group(2))
        first = m.group(1).lower() == "first"
        start, end = (
            (dt.date(year, 1, 1), dt.date(year, 6, 30))
            if first
            else (dt.date(year, 7, 1), dt.date(year, 12, 31))
        )
        windows.append(DateWindow(start, end, "quarter", m.group()))
        covered.append(m.span())
    for m in _LATE_EARLY.finditer(text):
        year = int(m.group(2))
        part = m.group(1).lower()
        months = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[part]
        windows.append(
            DateWindow(
                dt.date(year, months[0], 1), _month_end(dt.date(year, months[1], 1)), "quarter", m.group()
            )
        )
        covered.append(m.span())
    for m in _YEAR_TH.finditer(text):
        raw = m.group(1)
        year = thai_year(raw)
        if free(*m.span()) and 1990 <= year <= 2100:
            windows.append(_year_window(year, "งบ" in m.group(), m.group()))
            covered.append(m.span())
    for m in _YEAR_BE.finditer(text):
        if free(*m.span()):
            year = be_to_ce(int(m.group(1)))
            windows.append(DateWindow(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", m.group()))
            covered.append(m.span())
    # A range of years ("plan 2017-2021", "2020-2022 figures") names the period a text covers, not when it
    # was published: no date clue.
    for m in _YEAR_RANGE.finditer(text):
        covered.append(m.span())
    for m in _YEAR_EN.finditer(text):
        if free(*m.span(1)):
            year = int(m.group(1))
            fiscal = re.match(r"fiscal|budget|FY", m.group(), re.I) is not None
            windows.append(_year_window(year, fiscal, m.group()))
            covered.append(m.span())
    return windows


def _seasons(text: str) -> list[tuple[str, str]]:
    """The seasons ``text`` names, each as (its text, the Thai Buddhist-era pair)."""
    out = []
    for m in _SEASON.finditer(text):
        first, second = int(m.group(1)), int(m.group(2))
        if second == (first + 1) % 100 or second == first + 1:
            be = ce_to_be(first)
            out.append((m.group(), f"{be}/{(be + 1) % 100:02d}"))
    return out


def _year_window(year: int, fiscal: bool, text: str) -> DateWindow:
    """A named year. A fiscal year ("fiscal 2025", "ปีงบประมาณ 2568") starts the October before; both run to
    the end of the calendar year, when a fiscal year's results are reported."""
    start = dt.date(year - 1, 10, 1) if fiscal else dt.date(year, 1, 1)
    return DateWindow(start, dt.date(year, 12, 31), "year", text)


def analyze(question: str, today: dt.date | None = None, newest: dt.date | None = None) -> QueryInfo:
    """Analyse one question. ``newest``: the newest release date in the index, for relative dates."""
    text = normalize(question).replace("\n", " ").strip()
    lang = detect_lang(text)
    if lang == "en":
        text = _written_out(text)
    ascii_digits = thai_digit_to_arabic_digit(text)
    windows = _absolute_dates(ascii_digits)
    ref = reference_day(today, newest)
    for pattern, kind in _RELATIVE:
        if pattern.search(text):
            windows.append(_relative(kind, ref))
    latest = asks_for_latest(text)
    seasons = _seasons(ascii_digits) if lang == "en" else []
    spans = [w.text for w in windows if w.text and w.kind != "relative"] + [written for written, _ in seasons]
    date_spans = "|".join(re.escape(t) for t in spans)
    rest = re.sub(date_spans, " ", ascii_digits) if date_spans else ascii_digits
    numbers = []
    for m in _NUMBER.finditer(rest):
        n = m.group().replace(",", "").rstrip(".")
        if n and n not in numbers:
            numbers.append(n)
    latin = []
    for m in _LATIN.finditer(text):
        w = m.group().strip(".")
        if w and w not in latin:
            latin.append(w)
    return QueryInfo(
        text=text,
        lang=lang,
        dates=windows,
        latest=latest,
        numbers=numbers,
        latin=latin,
        seasons=list(dict.fromkeys(thai for _, thai in seasons)),
    )


def date_of(iso: str) -> dt.date | None:
    """An ISO date (None when it has none)."""
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def day_of(iso: str) -> int:
    """The ordinal day of an ISO date (0 when it has none), read as :func:`date_of` reads it."""
    d = date_of(iso or "")
    return d.toordinal() if d is not None else 0
