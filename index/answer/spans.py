"""Short answer spans inside a sentence: dates, amounts and counts, people, places.

The answerer quotes a whole sentence as evidence; when the question asks for a date, a number, a person or a
place, the span of that kind is also given as the short answer. Spans are found with patterns of how Thai
and English releases write these things (Thai titles before names, classifiers after numbers, Buddhist-era
dates), and the best one is the one nearest to the words the sentence shares with the question, skipping
values the question itself already states (the question's own date or number is never its answer).

The finders live in :mod:`index.answer.span_values` (dates, numbers) and :mod:`index.answer.span_names`
(people, places, organisations, reasons); this module chooses among their spans.

Numbers and units are kept as written; dates are kept as written for Thai replies and converted to the
Gregorian calendar for English ones, showing both: ``18 December 2023 (18 ธ.ค. 2566)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from typing import NamedTuple

from corpus.thaidate import find_dates
from index.answer.number_gloss import glossed_amount
from index.answer.qtype import QuestionType
from index.answer.span_names import (
    ORG_NOUNS,
    TH_TITLE_RE,
    find_org_spans,
    find_person_spans,
    find_place_spans,
    find_reason_spans,
)
from index.answer.span_values import (
    NUM,
    TH_UNIT_RE,
    Span,
    find_date_spans,
    find_number_spans,
    find_phone_spans,
    find_time_spans,
    find_year_spans,
    format_date_answer,
    format_time_answer,
    plain_digits,
)
from index.answer.words import years_in

#: English counted nouns → the Thai classifiers that count them (general vocabulary, both languages).
EN_TO_TH_UNITS: dict[str, tuple[str, ...]] = {
    "people": ("คน", "ราย"),
    "persons": ("คน", "ราย"),
    "visitors": ("คน", "ราย"),
    "tourists": ("คน", "ราย"),
    "participants": ("คน", "ราย"),
    "runners": ("คน", "ราย"),
    "workers": ("คน", "ราย"),
    "members": ("ราย", "คน"),
    "jobseekers": ("คน", "ราย"),
    "evacuees": ("คน", "ราย"),
    "students": ("คน",),
    "patients": ("คน", "ราย"),
    "farmers": ("ราย", "คน"),
    "households": ("ครัวเรือน",),
    "families": ("ครอบครัว",),
    "countries": ("ประเทศ",),
    "beds": ("เตียง",),
    "roads": ("สาย", "เส้น"),
    "routes": ("สาย", "เส้น"),
    "containers": ("ตู้",),
    "companies": ("บริษัท", "แห่ง", "ราย"),
    "firms": ("บริษัท", "แห่ง", "ราย"),
    "places": ("แห่ง",),
    "sites": ("แห่ง",),
    "hospitals": ("แห่ง",),
    "schools": ("แห่ง", "โรงเรียน"),
    "shops": ("แห่ง", "ร้าน"),
    "pharmacies": ("แห่ง", "ร้าน"),
    "cases": ("คดี", "ราย"),
    "lawsuits": ("คดี",),
    "monks": ("รูป",),
    "vehicles": ("คัน",),
    "cars": ("คัน",),
    "trucks": ("คัน",),
    "machines": ("เครื่อง",),
    "pumps": ("เครื่อง",),
    "items": ("ชิ้น", "รายการ"),
    "pieces": ("ชิ้น",),
    "pods": ("ชิ้น",),
    "projects": ("โครงการ",),
    "messages": ("ข้อความ",),
    "provinces": ("จังหวัด",),
    "districts": ("อำเภอ",),
    "villages": ("หมู่บ้าน",),
    "units": ("หน่วย",),
    "areas": ("ด้าน", "พื้นที่"),
    "fields": ("ด้าน", "สาขา"),
    "aspects": ("ด้าน",),
    "sectors": ("ด้าน", "สาขา"),
    "years": ("ปี",),
    "days": ("วัน",),
    "months": ("เดือน",),
    "weeks": ("สัปดาห์",),
    "hours": ("ชั่วโมง",),
    "times": ("ครั้ง", "เท่า"),
    "standards": ("มาตรฐาน",),
    "applications": ("คำขอ",),
    "requests": ("คำขอ",),
    "jobs": ("อัตรา", "ตำแหน่ง"),
    "vacancies": ("อัตรา", "ตำแหน่ง"),
    "positions": ("อัตรา", "ตำแหน่ง"),
    "tons": ("ตัน",),
    "tonnes": ("ตัน",),
    "flights": ("เที่ยวบิน",),
    "agencies": ("หน่วยงาน",),
    "organizations": ("หน่วยงาน", "องค์กร"),
    "teams": ("ทีม",),
    "groups": ("กลุ่ม",),
    "banks": ("ใบ", "แห่ง"),
    "doses": ("โดส",),
    "copies": ("ฉบับ", "เล่ม"),
    "points": ("คะแนน", "จุด"),
}
RANGE_Q = re.compile(r"ถึงวัน|ถึงเมื่อ|ไหนถึง|ช่วงวัน|ระหว่างวัน|from when|how long|which days|what dates", re.I)
_DURATION_Q = re.compile(r"นานแค่ไหน|นานเท่า|กี่ปี|กี่เดือน|กี่วัน|how long|how many years|how many months", re.I)
_DURATION_UNIT = re.compile(r"ปี|เดือน|วัน|สัปดาห์|ชั่วโมง|years?|months?|days?|weeks?|hours?")
_MONEY_Q = re.compile(
    r"งบ|วงเงิน|มูลค่า|ค่า|ราคา|รายได้|เงิน|บาท|สินเชื่อ|กู้|ลงทุน|budget|cost|value|price|baht|revenue|income|fee|fare|toll|"
    r"money|pay|paid|fund|worth|spend|spent|invest",
    re.I,
)
_MONEY_UNIT = re.compile(r"บาท|ดอลลาร์|หยวน|ยูโร|เยน|baht|dollar|yuan|euro|yen|US\$|\$|฿|USD|THB", re.I)
#: A question asking for a measured value (a score, an index), not a count: its answer is a bare number
#: or one in points or per cent, never a count of things (``76 จังหวัด``, ``8,300 agencies``).
_MEASURE_Q = re.compile(r"\b(?:score|index|rating|sentiment)\b|คะแนน|ดัชนี", re.I)
_MEASURE_UNIT = re.compile(r"คะแนน|จุด|points?\b|%|ร้อยละ|เปอร์เซ็นต์|per ?cent|ระดับ", re.I)
_COUNTED_TAIL = re.compile(rf"(?:{TH_UNIT_RE}|[A-Za-z]{{3,}})\s*$")
#: The question asks for a year, not a day: a year named alone then answers as well as a full date.
_YEAR_Q = re.compile(
    r"ปี(?:ไหน|ใด|อะไร)|พ\.ศ\.\s?(?:ไหน|ใด|อะไร)|\b(?:which|what) year\b|\bsince when\b", re.I
)
_PERCENT_Q = re.compile(r"เปอร์เซ็นต์|ร้อยละ|percent|%|rate|อัตรา|ดอกเบี้ย|interest|share|proportion", re.I)

# --- choosing a span ----------------------------------------------------------------------------------


def candidate_spans(text: str, qt: QuestionType, default_year: int | None = None) -> list[Span]:
    """The spans of the kind ``qt`` expects, in order of position."""
    return list(_spans_of(text, qt.kind, default_year))


@functools.lru_cache(maxsize=8192)
def _spans_of(text: str, kind: str | None, default_year: int | None) -> tuple[Span, ...]:
    """A sentence's spans of one kind. Cached (spans are frozen): the answer step looks for spans in every
    sentence of the top releases' passages, and the releases in the news are asked about again and again."""
    return tuple(_find_spans(text, kind, default_year))


def _find_spans(text: str, kind: str | None, default_year: int | None) -> list[Span]:
    if kind == "date":
        dates = find_date_spans(text, default_year)
        return sorted(dates + find_year_spans(text, dates), key=lambda s: s.start)
    if kind == "phone":
        return find_phone_spans(text)
    if kind == "time":
        return find_time_spans(text)
    if kind == "number":
        return find_number_spans(text, find_date_spans(text, default_year))
    if kind == "person":
        return find_person_spans(text)
    if kind == "place":
        return find_place_spans(text)
    if kind == "reason":
        return find_reason_spans(text)
    if kind == "org":
        return find_org_spans(text)
    return []


_MONEY_EXPECT = re.compile(
    r"งบ|วงเงิน|มูลค่า|ราคา|รายได้|เงิน|บาท|ค่าปรับ|ค่าบริการ|ค่าเข้า|ค่าธรรมเนียม|ค่าผ่านทาง|ค่าใช้จ่าย|ค่าตอบแทน|"
    r"สินเชื่อ|budget|cost|value|price|baht|revenue|income|fee|fare|toll|money|paid|pay|fund|worth|spend|"
    r"spent|investment|fine",
    re.I,
)


class _Asks(NamedTuple):
    """What a question's wording says a number must carry: read once per question, not once per span."""

    money: bool
    money_expected: bool
    duration: bool
    percent: bool
    measure: bool


@functools.lru_cache(maxsize=256)
def _asks(question: str) -> _Asks:
    return _Asks(
        bool(_MONEY_Q.search(question)),
        bool(_MONEY_EXPECT.search(question)),
        bool(_DURATION_Q.search(question)),
        bool(_PERCENT_Q.search(question)),
        bool(_MEASURE_Q.search(question)),
    )


def _unit_fit(span: Span, qt: QuestionType, question: str) -> tuple[float, float | None]:
    """How well a number span fits what the question counts or measures: (bonus, fit).

    ``fit`` is ``None`` when the question names nothing a number must carry, else 1.0 when the span carries
    it (the counted noun, money, a percentage, a duration) and 0.0 when it does not: the answerer abstains
    more readily when no sentence holds a number of the kind asked for.
    """
    score = 0.0
    expected = matched = False
    text = span.text.casefold()
    if qt.unit:
        unit = qt.unit.casefold()
        known = qt.lang == "th" or unit in EN_TO_TH_UNITS
        wanted = (unit,) if qt.lang == "th" else (*EN_TO_TH_UNITS.get(unit, ()), unit, unit[:-1])
        if any(w and w in text for w in wanted):
            score += 1.5
            expected = matched = True
        elif known:
            expected = True
    asks = _asks(question)
    money_q = asks.money
    if _MONEY_UNIT.search(text):
        if money_q:
            score += 0.8
        elif qt.qtype == "how_much":
            score += 0.4
        matched = matched or asks.money_expected
    if asks.money_expected and not qt.unit:
        expected = True
    if asks.duration:
        expected = True
        if _DURATION_UNIT.search(text):
            score += 1.2
            matched = True
    if asks.percent and re.search(r"%|เปอร์เซ็นต์|ร้อยละ|percent", text):
        score += 0.8
        matched = True
    if asks.measure and not qt.unit:
        expected = True
        if _MEASURE_UNIT.search(text) or not _COUNTED_TAIL.search(text):
            score += 0.8
            matched = True
    if not expected:
        return score, None
    return score, 1.0 if matched else 0.0


def best_span(
    text: str,
    qt: QuestionType,
    question: str,
    anchors: list[tuple[int, int]] | None = None,
    default_year: int | None = None,
) -> Span | None:
    """The span of the expected kind most likely to answer by the rules (:func:`scored_spans`)."""
    spans = scored_spans(text, qt, question, anchors, default_year)
    return max(spans, key=lambda s: s.score) if spans else None


def scored_spans(
    text: str,
    qt: QuestionType,
    question: str,
    anchors: list[tuple[int, int]] | None = None,
    default_year: int | None = None,
) -> list[Span]:
    """Every span of the expected kind, scored by the rules: type fit, nearness to ``anchors`` ((start, end)
    in ``text`` of words shared with the question), and not a value the question already states."""
    spans = candidate_spans(text, qt, default_year)
    if not spans:
        return []
    q_numbers, q_dates = _question_values(question, default_year)
    out = []
    for span in spans:
        score = span.score
        if span.kind == "date":
            if span.date in q_dates:
                score -= 0.8
            if span.until is not None:
                # Events run over days: a range answers "when" more fully, "from when to when" exactly.
                score += 0.6 if RANGE_Q.search(question) else 0.25
            if span.granularity == "year" and span.date is not None:
                score += (
                    -0.8
                    if span.date.year in years_in(question)
                    else (0.8 if _YEAR_Q.search(question) else 0.0)
                )
        if span.kind in ("number", "phone", "time"):
            # A value the question states itself is not its answer.
            digits = re.findall(NUM, span.text)
            if digits and all(plain_digits(d) in q_numbers for d in digits):
                score -= 1.5
        if span.kind == "number":
            bonus, fit = _unit_fit(span, qt, question)
            score += bonus
            span = dataclasses.replace(span, fit=fit)
        if span.kind == "org" and qt.unit in ORG_NOUNS:
            # "Which court": a court's name fits, a ministry's does not.
            fit = 1.0 if any(m in span.text for m in ORG_NOUNS[qt.unit]) else 0.0
            score += 0.8 if fit else -0.5
            span = dataclasses.replace(span, fit=fit)
        if span.kind in ("person", "place", "org") and _named_in(span.text, question):
            score -= 1.5
        if anchors:
            # Nearness to the question's words, averaged so that a span beside several of them wins.
            near = [1.0 / (1.0 + _gap(a, span) / 30.0) for a in anchors]
            score += 0.3 * max(near) + 0.4 * math.fsum(near) / len(near)
        out.append(dataclasses.replace(span, score=score))
    return out


@functools.lru_cache(maxsize=256)
def _question_values(question: str, default_year: int | None) -> tuple[frozenset[str], frozenset[dt.date]]:
    """The numbers and dates the question itself states (a span repeating one is not the answer).

    Cached: :func:`best_span` is asked about dozens of candidate sentences for one question.
    """
    numbers = frozenset(plain_digits(n) for n in re.findall(NUM, question))
    return numbers, frozenset(d.date for d in find_dates(question, default_year, spoken=True))


def _named_in(name: str, question: str) -> bool:
    """The question already names this person or place (title aside: ``คุณระบิล`` names ``นายระบิล ...``)."""
    name = name.strip()
    if not name:
        return False
    if name in question:
        return True
    bare = TH_TITLE_RE.sub("", name, count=1).strip()
    first = bare.split()[0] if bare.split() else ""
    return len(first) >= 3 and first in question


def _gap(anchor: tuple[int, int], span: Span) -> int:
    """Characters between a question word and a span (0 when they touch or overlap)."""
    start, end = anchor
    if end <= span.start:
        return span.start - end
    if start >= span.end:
        return start - span.end
    return 0


def span_answer(span: Span, lang: str, context: str | None = None) -> str | None:
    """The short answer text of a span for a reply in ``lang``; reasons give no short answer. ``context``:
    the text the span was found in (its ``start`` and ``end`` are offsets in it), which an English reply's
    amount is read in (:func:`index.answer.number_gloss.glossed_amount`)."""
    if span.kind == "date":
        return format_date_answer(span, lang)
    if span.kind == "reason":
        return None
    text = span.text.strip(' ,;:()"“”')
    if span.kind == "time":
        return format_time_answer(text, lang)
    if span.kind != "number" or lang != "en":
        return text
    if context is not None and context[span.start : span.end] == span.text:
        return glossed_amount(text, context, span.start + span.text.index(text))
    return glossed_amount(text)
