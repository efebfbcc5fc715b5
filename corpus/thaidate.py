"""Thai and English dates: Buddhist-era years, Thai month names (full and abbreviated), dates in running text.

The Thai tables and conversions are pythainlp's (``pythainlp.util``: month names, ``convert_years``,
Thai digits, ``thai_strftime``); what is ours is :func:`find_dates`, every date written in running text
with its position, which no library does for Thai releases.

The corpus writes dates the Thai way (``วันอังคารที่ 19 ธันวาคม 2566``, ``18 ธ.ค. 66``, ``19/12/2566``) and
its English releases the English way (``September 14, 2023``, ``9 Jan 2024``). The parser needs the
publication date line; question analysis and answer extraction need every date mentioned in a text, with
its position, so that "when" questions can be answered from the passage itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pythainlp.util import convert_years, thai_digit_to_arabic_digit, thai_strftime
from pythainlp.util.date import thai_abbr_months, thai_full_months

from corpus.text import has_thai

#: Thai month names, full and abbreviated (``มกราคม`` …, ``ม.ค.`` …): pythainlp's tables.
THAI_MONTHS = tuple(thai_full_months)
THAI_MONTHS_ABBR = tuple(thai_abbr_months)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Thailand's time (UTC+7, no daylight saving): releases are dated in it and users' "today" is its day.
BANGKOK = dt.timezone(dt.timedelta(hours=7))
#: Common misspellings seen in the corpus, mapped to their month number.
_THAI_VARIANTS = {"กรกฏาคม": 7, "กุมภาพันธ": 2, "พฤษจิกายน": 11, "พฤศจิกยน": 11}


def _spoken(name: str) -> str:
    """A month's spoken name: the full name without its ending (ธันวาคม → ธันวา, กุมภาพันธ์ → กุมภา)."""
    for ending in ("คม", "ยน", "พันธ์"):
        if name.endswith(ending):
            return name[: -len(ending)]
    return name


#: The spoken month names people type (``5 ธันวา 66``, ``14 กุมภา``), by month number.
SPOKEN_MONTHS: dict[str, int] = {_spoken(name): i for i, name in enumerate(THAI_MONTHS, 1)}


@dataclass(frozen=True)
class DateMention:
    """A date found in text: ``text[start:end]`` is the mention, ``date`` its (first) day.

    ``granularity`` is ``"day"`` or ``"month"`` (``ธันวาคม 2566``, ``December 2023``: ``date`` is then the
    first of the month); ``until`` is the last day of a range such as ``18-20 ธ.ค. 66``, else ``None``.
    """

    start: int
    end: int
    text: str
    date: dt.date
    granularity: str = "day"
    until: dt.date | None = None


def be_to_ce(year: int) -> int:
    """2566 → 2023 (pythainlp's ``convert_years``)."""
    return int(convert_years(str(year), src="be", target="ad"))


def ce_to_be(year: int) -> int:
    """2023 → 2566 (pythainlp's ``convert_years``)."""
    return int(convert_years(str(year), src="ad", target="be"))


def _abbr_pattern(abbr: str) -> str:
    # "ธ.ค." also appears as "ธ.ค" or "ธ. ค."; at least the inner dot is required, so that plain
    # syllables inside Thai words never read as months.
    parts = abbr.rstrip(".").split(".")
    return r"\.\s?".join(parts) + r"\.?"


_MONTH_BY_NAME: dict[str, int] = {}
for _i, _name in enumerate(THAI_MONTHS, 1):
    _MONTH_BY_NAME[_name] = _i
for _name, _i in _THAI_VARIANTS.items():
    _MONTH_BY_NAME[_name] = _i
_TH_FULL = "|".join(sorted(_MONTH_BY_NAME, key=len, reverse=True))
_TH_ABBR = "|".join(_abbr_pattern(a) for a in THAI_MONTHS_ABBR)
# An abbreviation must not run on into a longer one (ก.ค.ศ. is a commission, not July).
_TH_MONTH = rf"(?P<m>{_TH_FULL}|(?:{_TH_ABBR})(?![\u0e01-\u0e2e]\.))"
_TH_YEAR = r"(?:\s*(?P<era>พ\.\s?ศ\.?|ค\.\s?ศ\.?|พศ\.?|คศ\.?|ปี)?\s*(?P<y>\d{4}|\d{2})(?!\d|[.:,]\d))?"
_DAY_RANGE = r"(?<![\d.,/:])(?P<d1>[0-3]?\d)(?:\s*[-–]\s*(?P<d2>[0-3]?\d))?"
_TH_DAY_RE = re.compile(rf"{_DAY_RANGE}\s*(?:เดือน\s*)?{_TH_MONTH}{_TH_YEAR}")
# A spoken name must end its word: "ตุลาการ" (judges) is not October.
_TH_SPOKEN_DAY_RE = re.compile(
    rf"{_DAY_RANGE}\s*(?:เดือน\s*)?(?P<m>{'|'.join(SPOKEN_MONTHS)})(?![\u0e00-\u0e7f]){_TH_YEAR}"
)
_TH_MONTH_YEAR_RE = re.compile(
    rf"(?:เดือน\s*)?(?P<m>{_TH_FULL})\s*(?P<era>พ\.\s?ศ\.?|ค\.\s?ศ\.?|พศ\.?|คศ\.?|ปี)?\s*(?P<y>\d{{4}})(?!\d)"
)

_EN_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
_EN_MONTH = "(?P<m>" + "|".join(EN_MONTHS + _EN_ABBR) + r")\b\.?"
_ORD = r"(?:st|nd|rd|th)?"
_EN_DAY_MONTH_RE = re.compile(
    rf"(?<![\d.,/:])(?P<d1>[0-3]?\d){_ORD}(?:\s*[-–]\s*(?P<d2>[0-3]?\d){_ORD})?\s+(?:of\s+)?{_EN_MONTH}"
    r"(?:,?\s+(?P<y>\d{4})(?!\d))?",
    re.IGNORECASE,
)
_EN_MONTH_DAY_RE = re.compile(
    rf"\b{_EN_MONTH}\s+(?P<d1>[0-3]?\d){_ORD}(?:\s*[-–]\s*(?P<d2>[0-3]?\d){_ORD})?\b(?!\s*[:.]\d)"
    r"(?:,?\s+(?P<y>\d{4})(?!\d))?",
    re.IGNORECASE,
)
_EN_MONTH_YEAR_RE = re.compile(rf"\b{_EN_MONTH},?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"[0-9]")
#: What every English month name starts with, under the English patterns' own case folding: a text without
#: any is not scanned by them (three patterns that try every position were two thirds of the time).
_EN_MONTH_HINT = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_THAI_DIGIT = re.compile(r"[\u0e50-\u0e59]")
_NUMERIC_RE = re.compile(r"(?<![\d/.])(?P<d1>[0-3]?\d)/(?P<m>[01]?\d)/(?P<y>\d{4})(?![\d/])")


def thai_month(token: str) -> int | None:
    """The month a Thai month name names: full (and the corpus's misspellings), abbreviated with or without
    its dots, or spoken (ธันวา); None for anything else."""
    token = re.sub(r"\s", "", token)
    if token in _MONTH_BY_NAME:
        return _MONTH_BY_NAME[token]
    if token in SPOKEN_MONTHS:
        return SPOKEN_MONTHS[token]
    bare = token.replace(".", "")
    for i, abbr in enumerate(THAI_MONTHS_ABBR, 1):
        if bare == abbr.replace(".", ""):
            return i
    return None


def _en_month(token: str) -> int | None:
    token = token.rstrip(".").lower()
    for i, name in enumerate(EN_MONTHS, 1):
        if name.lower() == token or (len(token) >= 3 and name.lower().startswith(token)):
            return i
    return None


def _year(raw: str | None, era: str | None, thai: bool, default_year: int | None) -> int | None:
    """The Common-era year of a written year: 4 digits from 2400 up are BE; 2 digits are BE in Thai text."""
    if not raw:
        return default_year
    year = int(raw)
    era = (era or "").replace(" ", "").replace(".", "")
    if len(raw) == 2:
        if era.startswith("ค") or not thai:
            return 2000 + year
        return be_to_ce(2500 + year)
    if year >= 2400:
        return be_to_ce(year)
    return year


def thai_year(raw: str) -> int:
    """The Common-era year of a year written in Thai text: two digits (``66``) and four from 2400 up are BE
    (used with a 1990-2100 window, which no year near 2400 passes either way)."""
    year = _year(raw, None, thai=True, default_year=None)
    assert year is not None
    return year


def _make(year: int | None, month: int | None, day: int) -> dt.date | None:
    if year is None or month is None or not 1900 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, default_year: int | None = None, *, spoken: bool = False) -> list[DateMention]:
    """Every Thai, English or ``dd/mm/yyyy`` date in ``text``, in order, without overlaps.

    A day and month with no year (``18 ธ.ค.``) is kept only when ``default_year`` (Common era) is given,
    for example the year of the release it appears in. Impossible dates (31 February) are dropped.
    ``spoken``: spoken month names too (``5 ธันวา 66``), for questions, which people type that way; releases
    use them mostly in names (อนุสรณ์สถาน 14 ตุลา, วิมาน 7 มกรา), so release text is read without them.
    """
    if not text:
        return []
    # Same length, so offsets hold for ``text``; most texts have no Thai digit to convert (not rebuilt then).
    work = thai_digit_to_arabic_digit(text) if _THAI_DIGIT.search(text) else text
    if not _ANY_DIGIT.search(work):
        return []  # every pattern needs a day or a year: most sentences are over in one scan
    found: list[DateMention] = []

    def add(m: re.Match[str], month: int | None, thai: bool, granularity: str = "day") -> None:
        groups = m.groupdict()
        year = _year(groups.get("y"), groups.get("era"), thai, default_year)
        day = int(groups["d1"]) if groups.get("d1") else 1
        first = _make(year, month, day)
        if first is None:
            return
        until = None
        if groups.get("d2"):
            until = _make(year, month, int(groups["d2"]))
            if until is None or until <= first:
                return
        end = m.end()
        # Keep the match tight: no trailing spaces or dots swallowed after a yearless abbreviation.
        while end > m.start() and text[end - 1].isspace():
            end -= 1
        found.append(DateMention(m.start(), end, text[m.start() : end], first, granularity, until))

    if has_thai(work):  # every Thai month name is written in Thai letters
        for m in _TH_DAY_RE.finditer(work):
            add(m, thai_month(m.group("m")), thai=True)
        if spoken:
            for m in _TH_SPOKEN_DAY_RE.finditer(work):
                add(m, thai_month(m.group("m")), thai=True)
        for m in _TH_MONTH_YEAR_RE.finditer(work):
            add(m, thai_month(m.group("m")), thai=True, granularity="month")
    if _EN_MONTH_HINT.search(work):
        for regex in (_EN_DAY_MONTH_RE, _EN_MONTH_DAY_RE):
            for m in regex.finditer(work):
                # "may 5 people": lower-case English month names are ordinary words.
                if m.group("m")[0].isupper():
                    add(m, _en_month(m.group("m")), thai=False)
        for m in _EN_MONTH_YEAR_RE.finditer(work):
            if m.group("m")[0].isupper():
                add(m, _en_month(m.group("m")), thai=False, granularity="month")
    if "/" in work:
        for m in _NUMERIC_RE.finditer(work):
            add(m, int(m.group("m")), thai=True)

    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    result: list[DateMention] = []
    for mention in found:
        if result and mention.start < result[-1].end:
            continue
        result.append(mention)
    return result


def parse_thai_date(s: str) -> dt.date | None:
    """The first date written in ``s`` (Thai, English or ``dd/mm/yyyy``; BE or CE), or ``None``.

    ``parse_thai_date("วันอังคารที่ 19 ธันวาคม 2566") == date(2023, 12, 19)``.
    """
    mentions = find_dates(s)
    return mentions[0].date if mentions else None


def format_th(date: dt.date, full: bool = False) -> str:
    """``18 ธ.ค. 2566`` (``full=True``: ``18 ธันวาคม 2566``), the way Thai releases write dates."""
    return thai_strftime(dt.datetime(date.year, date.month, date.day), "%-d %B %Y" if full else "%-d %b %Y")


def format_en(date: dt.date) -> str:
    """``18 December 2023``."""
    return f"{date.day} {EN_MONTHS[date.month - 1]} {date.year}"


def _range_en(first: dt.date, until: dt.date) -> str:
    """A range of days in English, its month and year written once where the ends share them."""
    if (first.year, first.month) == (until.year, until.month):
        return f"{first.day}–{format_en(until)}"
    if first.year == until.year:
        return f"{format_en(first).rsplit(' ', 1)[0]} – {format_en(until)}"
    return f"{format_en(first)} – {format_en(until)}"


def english_date(date: dt.date, until: dt.date | None = None, granularity: str = "day") -> str:
    """A date as an English reply writes it: ``18 December 2023``, ``December 2023``, ``2023``, or a range
    (``6–8 December 2025``)."""
    if granularity == "year":
        return str(date.year)
    if granularity == "month":
        return format_en(date).split(" ", 1)[1]
    if until is not None:
        return _range_en(date, until)
    return format_en(date)
