"""A Thai amount as an English reply's short answer gives it: ``35,408 ล้านบาท`` becomes ``35,408 million baht
(35,408 ล้านบาท)``.

Why: an English question about a Thai release gets a Thai span as its short answer, and the words around the
number (ล้านบาท, ร้อยละ, ประเทศ, กว่า) are what an English reader cannot read, while the number alone is
ambiguous (62.4 what?). Dates have had their English form since the first reader (``format_date_answer``);
this does the same for amounts, counts and rates.

The gloss must never say what the text does not: it is given only when every part of the span is read
(prefix, number, multiplier, unit; a rate's "per" word), else the Thai span stands alone. Classifiers whose
English depends on what is counted (ราย: cases or people; แห่ง: hospitals, sites...; เครื่อง, ฉบับ, เรื่อง) are
not glossed, nor is เท่า (a "2 เท่า" rise is read as 2x and as 3x). The Thai span stays in brackets,
so the reply still quotes the release's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pythainlp.util import thai_digit_to_arabic_digit

from index.answer.span_values import find_number_spans

#: The words before a number, in English.
PREFIXES = {
    "มากกว่า": "more than",
    "กว่า": "more than",
    "ประมาณ": "about",
    "ราว": "about",
    "เกือบ": "nearly",
    "อย่างน้อย": "at least",
    "ไม่ต่ำกว่า": "at least",
    "ไม่เกิน": "up to",
    "สูงสุด": "up to",
    "ถึง": "as many as",
    "รวม": "a total of",
}
#: Thai multipliers: (English word, or None; factor applied to the number when there is no word).
MULTIPLIERS = {
    "ล้านล้าน": ("trillion", 1),
    "แสนล้าน": ("billion", 100),
    "หมื่นล้าน": ("billion", 10),
    "พันล้าน": ("billion", 1),
    "ล้าน": ("million", 1),
    "แสน": (None, 100_000),
    "หมื่น": (None, 10_000),
    "พัน": (None, 1_000),
}
#: Units and classifiers whose English does not depend on what is counted (longest first when read).
UNITS = {
    "คน": "people",
    "ประเทศ": "countries",
    "จังหวัด": "provinces",
    "อำเภอ": "districts",
    "ตำบล": "subdistricts",
    "หมู่บ้าน": "villages",
    "ครัวเรือน": "households",
    "หลังคาเรือน": "households",
    "ครอบครัว": "families",
    "เตียง": "beds",
    "คดี": "cases",
    "ครั้ง": "times",
    "รอบ": "rounds",
    "ไร่": "rai",
    "ตารางเมตร": "square metres",
    "ตร.ม.": "square metres",
    "ตารางกิโลเมตร": "square kilometres",
    "กิโลเมตร": "km",
    "กม.": "km",
    "เมตร": "metres",
    "กิโลกรัม": "kg",
    "กก.": "kg",
    "ตัน": "tonnes",
    "ลิตร": "litres",
    "บาท": "baht",
    "ดอลลาร์สหรัฐ": "US dollars",
    "ดอลลาร์": "dollars",
    "หยวน": "yuan",
    "ยูโร": "euros",
    "เยน": "yen",
    "ตำแหน่ง": "positions",
    "โครงการ": "projects",
    "ชั่วโมง": "hours",
    "วัน": "days",
    "เดือน": "months",
    "ปี": "years",
    "สัปดาห์": "weeks",
    "นาที": "minutes",
    "คะแนน": "points",
    "ทีม": "teams",
    "บริษัท": "companies",
    "โรงเรียน": "schools",
    "โรงงาน": "factories",
    "ที่นั่ง": "seats",
    "โดส": "doses",
    "หน่วยงาน": "agencies",
    "เที่ยวบิน": "flights",
    "ภาษา": "languages",
    "ฟาร์ม": "farms",
    "สหกรณ์": "cooperatives",
    "อาคาร": "buildings",
    "หน่วย": "units",
}
#: A unit's English for one ("1 วัน" is 1 day); the others read the same for one (baht, rai, km).
SINGULAR = {
    "people": "person",
    "countries": "country",
    "provinces": "province",
    "districts": "district",
    "subdistricts": "subdistrict",
    "villages": "village",
    "households": "household",
    "families": "family",
    "beds": "bed",
    "cases": "case",
    "rounds": "round",
    "square metres": "square metre",
    "square kilometres": "square kilometre",
    "metres": "metre",
    "tonnes": "tonne",
    "litres": "litre",
    "US dollars": "US dollar",
    "dollars": "dollar",
    "euros": "euro",
    "positions": "position",
    "projects": "project",
    "hours": "hour",
    "days": "day",
    "months": "month",
    "years": "year",
    "weeks": "week",
    "minutes": "minute",
    "points": "point",
    "teams": "team",
    "companies": "company",
    "schools": "school",
    "factories": "factory",
    "seats": "seat",
    "doses": "dose",
    "agencies": "agency",
    "flights": "flight",
    "languages": "language",
    "farms": "farm",
    "cooperatives": "cooperative",
    "buildings": "building",
    "units": "unit",
    "times": "time",
}
#: What a rate is per ("ลิตรละ 33 บาท": 33 baht per litre).
PER = {
    "ลิตร": "litre",
    "หน่วย": "unit",
    "คน": "person",
    "ครัวเรือน": "household",
    "ครอบครัว": "family",
    "ไร่": "rai",
    "ตัน": "tonne",
    "กิโลกรัม": "kg",
    "เดือน": "month",
    "ปี": "year",
    "วัน": "day",
    "ชั่วโมง": "hour",
    "ครั้ง": "time",
}
_NUM = r"[0-9๐-๙]+(?:[,.][0-9๐-๙]+)*"
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LINK = re.compile(r"\S*(?:https?://|www\.)\S*$")


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


_SPAN = re.compile(
    rf"^(?:(?P<per>{_alternation(PER)})ละ\s?)?(?:(?P<prefix>{_alternation(PREFIXES)})\s?)?(?:(?P<pct>ร้อยละ)\s?)?"
    rf"(?P<num>{_NUM})(?:\s?(?P<mult>{_alternation(MULTIPLIERS)}))?"
    rf"(?:\s?(?P<unit>{_alternation(UNITS)}|%|เปอร์เซ็นต์))?"
    rf"(?:\s?(?:ต่อ|/)\s?(?P<per_after>{_alternation(PER)}))?$"
)


def english_amount(span_text: str) -> str | None:
    """The English of a Thai amount written as one span (``กว่า 20.7 ล้านคน`` -> ``more than 20.7 million
    people``), or None when any part of it has no sure English (the module docstring says why)."""
    m = _SPAN.match(" ".join(span_text.split()))
    if m is None or not _THAI.search(span_text):
        return None
    number = _scaled(thai_digit_to_arabic_digit(m.group("num")), m.group("mult"))
    if number is None:
        return None
    unit = m.group("unit") or ""
    if m.group("pct") or unit in ("%", "เปอร์เซ็นต์"):
        if m.group("pct") and unit:
            return None
        text = f"{number}%"
    else:
        text = f"{number} {_unit(UNITS[unit], number)}" if unit else number
    if m.group("prefix"):
        text = f"{PREFIXES[m.group('prefix')]} {text}"
    per = m.group("per") or m.group("per_after")
    if per:  # a rate: something per litre, per year (a bare number per something says nothing sure)
        if not unit and not m.group("pct"):
            return None
        text = f"{text} per {PER[per]}"
    return text


def _unit(english: str, number: str) -> str:
    """The unit's English for ``number``: singular for exactly one ("1 day", "1 person")."""
    return SINGULAR.get(english, english) if number == "1" else english


def _scaled(number: str, mult: str | None) -> str | None:
    """The number with its Thai multiplier in English words or digits (``35 แสน`` -> ``3,500,000``), exact:
    ``1.23456 แสนล้าน`` is 123.456 billion, never a rounded 123.46."""
    if not mult:
        return number
    word, factor = MULTIPLIERS[mult]
    if factor == 1:
        return f"{number} {word}"
    try:
        value = Decimal(number.replace(",", "")) * factor
    except InvalidOperation:
        return None
    if word is not None:  # หมื่นล้าน / แสนล้าน: tens or hundreds of the word's unit
        return f"{_digits(value)} {word}"
    return _digits(value) if value == value.to_integral_value() else None


def _digits(value: Decimal) -> str:
    """``3500000`` -> ``3,500,000``; ``12.50`` -> ``12.5``; every digit the Thai gives is kept."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    whole, _, fraction = f"{value:f}".partition(".")
    return f"{int(whole):,}.{fraction.rstrip('0')}"


def glossed_amount(span_text: str) -> str:
    """An English reply's short answer for a Thai amount: its English, then the Thai span in brackets; the
    span as it is when it has no sure English."""
    english = english_amount(span_text)
    return f"{english} ({span_text})" if english else span_text


def gloss_amounts(text: str) -> str:
    """``text`` (release text an English reply quotes) with each Thai amount that has a sure English followed
    by it in brackets: ``ติดลบ 35,408 ล้านบาท`` -> ``ติดลบ 35,408 ล้านบาท [35,408 million baht]``.

    Left alone: an amount cut short by the quote ("5 แสน…" may be 5 แสนล้าน), one inside a link, and all
    that :func:`index.answer.span_values.find_number_spans` does not take for an amount (dates, clock times,
    ordinals, phone numbers, years)."""
    if not text or not _THAI.search(text):
        return text
    glosses = []
    for span in find_number_spans(text):
        if text[span.end : span.end + 1] == "…" or _in_link(text, span.start):
            continue
        english = english_amount(span.text)
        if english is not None:
            glosses.append((span.end, english))
    return bracketed(text, glosses)


def bracketed(text: str, glosses: Iterable[tuple[int, str]]) -> str:
    """``text`` with each ``(end, words)`` of ``glosses`` (ascending ``end``) written as `` [words]`` right
    after position ``end``: how an English reply glosses what it quotes (dates, amounts)."""
    out: list[str] = []
    at = 0
    for end, words in glosses:
        out.append(text[at:end])
        out.append(f" [{words}]")
        at = end
    out.append(text[at:])
    return "".join(out)


def _in_link(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` lies inside a URL (its digits are the link's, not an amount)."""
    return _LINK.search(text[max(0, at - 200) : at]) is not None
