"""Answer spans that are values: dates and numbers (amounts, counts, rates) as a sentence writes them.

The :class:`Span` every finder returns is defined here. Dates are found by :func:`corpus.thaidate.find_dates`
(Thai and Gregorian calendars); numbers with their prefix, multiplier and Thai classifier or English unit.
Split from :mod:`index.answer.spans`, which chooses among the spans these finders give.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pythainlp.util import thai_digit_to_arabic_digit

from corpus.thaidate import DateMention, english_date, find_dates, format_th


def _words(text: str) -> list[str]:
    """A word list written as whitespace-separated text (long tables stay readable)."""
    return text.split()


_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of a sentence: a ``kind`` of answer (date, number, person, place, reason)."""

    start: int
    end: int
    text: str
    kind: str
    score: float = 1.0
    date: dt.date | None = None
    until: dt.date | None = None
    granularity: str = "day"
    #: For numbers: 1.0 when it carries the unit the question asks for, 0.0 when not, None: none asked.
    fit: float | None = None


# --- dates --------------------------------------------------------------------------------------------


def format_date_answer(span: Span, lang: str) -> str:
    """A date span as a short answer: as written for Thai; Gregorian first, then as written, for English.

    ``18 ธ.ค. 2566`` → ``18 December 2023 (18 ธ.ค. 2566)`` for an English reply; a month-only mention
    (``ธันวาคม 2566``) → ``December 2023 (ธันวาคม 2566)``; a range keeps both ends.
    """
    if span.date is None:
        return span.text
    if lang == "th":
        if _THAI_CHAR.search(span.text):
            return span.text
        if span.granularity == "year":
            return f"{span.text} (พ.ศ. {span.date.year + 543})"
        return f"{span.text} ({format_th(span.date)})"
    english = english_date(span.date, span.until, span.granularity)
    if english.replace("–", "-") == span.text.replace("–", "-"):
        return english
    return f"{english} ({span.text})"


def find_date_spans(text: str, default_year: int | None = None) -> list[Span]:
    """Every date in ``text`` as a span; a date right after ``วันนี้ (`` (the release's own day) scores low."""
    spans = []
    for m in find_dates(text, default_year=default_year):
        score = 1.0
        before = text[max(0, m.start - 12) : m.start]
        if re.search(r"(?:วันนี้|เมื่อวันนี้|today)\s*\(?\s*(?:วัน\S*ที่\s*)?$", before, re.I):
            score = 0.3
        spans.append(_date_span(m, score))
    return spans


def _date_span(m: DateMention, score: float) -> Span:
    return Span(m.start, m.end, m.text, "date", score, m.date, m.until, m.granularity)


#: A year named alone: ``ภายในปี 2565``, ``พ.ศ. 2553``, ``ปีงบประมาณ 2567``, ``in 2023``. Thai years need their
#: ``ปี``/``พ.ศ.``/``ค.ศ.`` (a bare 25xx is nearly always part of a date); English ones stand bare.
_YEAR_TH = re.compile(
    r"(?:(?:ภายใน|ใน|ตั้งแต่|ถึง|ก่อน)\s*)?(?:ปี(?:งบประมาณ)?\s*(?:พ\.\s?ศ\.|ค\.\s?ศ\.)?|พ\.\s?ศ\.|ค\.\s?ศ\.)\s*"
    r"(?P<y>(?:25|19|20)\d\d)(?!\d|,\d)"
)
#: English text only, after a word that introduces a year ("in 2023", "since 2012"): a bare 2000 may be a
#: count.
_YEAR_EN = re.compile(
    r"\b(?:in|since|by|until|till|from|of|during|before|after|year)\s+(?P<y>(?:19|20)\d\d)(?!\d|,\d|\.\d)",
    re.I,
)
#: A unit after a number means a count, not a year ("2020 คน"); a dash or ถึง and a number, a range of years.
_AFTER_YEAR = re.compile(
    r"\s?(?:%|million|billion|thousand|tons?|tonnes?|people|baht|units?|(?:[-–/]|ถึง)\s?\d)", re.I
)


def find_year_spans(text: str, date_spans: list[Span]) -> list[Span]:
    """Years named without a day or month, outside the full dates already found, as date spans of
    granularity ``"year"`` (their ``date`` is 1 January, Gregorian). Why: "when is the FTA to be concluded?"
    is answered by ``ภายในปี 2565``, and "which year did the award start?" by ``ปี พ.ศ. 2550``; without them a
    sentence that answers with a year held no date span at all. They score below a full date."""
    out: list[Span] = []
    for pattern in (_YEAR_TH,) if _THAI_CHAR.search(text) else (_YEAR_TH, _YEAR_EN):
        for m in pattern.finditer(text):
            # An English year is the year alone ("2023", not "in 2023"); a Thai one keeps its ภายในปี.
            start, end = (m.start("y") if pattern is _YEAR_EN else m.start()), m.end()
            if any(d.start < end and start < d.end for d in date_spans + out):
                continue
            if _AFTER_YEAR.match(text, end) or _AFTER_UNIT_TH.match(text, end):
                continue
            year = int(m.group("y"))
            year = year - 543 if year >= 2400 else year
            out.append(
                Span(start, end, text[start:end].strip(), "date", 0.6, dt.date(year, 1, 1), None, "year")
            )
    return sorted(out, key=lambda s: s.start)


# --- times of day -------------------------------------------------------------------------------------

_CLOCK_TIME = r"(?:[01๐๑]?[0-9๐-๙]|2[0-3]|๒[๐-๓])[.:][0-5๐-๕][0-9๐-๙]"
#: A time of day as releases write it: ``เวลา 14.00 น.``, ``ตั้งแต่เวลา 16.00-22.00 น.``, ``๑๓.๓๐ น.``,
#: ``10:50 น.``, ``1505hrs``, ``10.30 a.m.``; a clock time needs its unit (``น.``, ``นาฬิกา``, hrs,
#: a.m./p.m.), so that ``7.31`` (a percentage) is not one.
_TIME_RE = re.compile(
    r"(?:(?P<lead>ตั้งแต่|ระหว่าง|ฤกษ์)?\s?เวลา\s?(?P<about>ประมาณ\s?)?)?"
    rf"(?<![\d.])(?:(?P<a>{_CLOCK_TIME})(?:\s?(?:[-–]|ถึง)\s?(?P<b>{_CLOCK_TIME}))?"
    r"\s?(?P<unit>น\.|นาฬิกา|hrs?\b\.?|a\.m\.|p\.m\.)"
    r"|[0-2][0-9][0-5][0-9]\s?hrs?\b)"
)
#: The units of a time written the Thai way, which :func:`format_time_answer` reads on the 24-hour clock.
_THAI_UNITS = ("น.", "นาฬิกา")


def format_time_answer(text: str, lang: str) -> str:
    """A time of day as a short answer: as written for Thai; for English the 24-hour clock first, then as
    written: ``เวลา 09.20 น.`` → ``09:20 (เวลา 09.20 น.)``, ``14.00-17.00 น.`` → ``14:00–17:00 (…)``,
    ``เวลาประมาณ 17.00 น.`` → ``about 17:00 (…)``, ``ตั้งแต่เวลา 08.00 น.`` → ``from 08:00 (…)``.

    Why: since English replies put short answers in bold (docs/answers.md, "Stop 50") a third of them were
    times written the Thai way. As with amounts, only a span read whole is glossed (an auspicious time,
    ``ฤกษ์ …``, or one already in hrs or a.m./p.m. stays as written)."""
    m = _TIME_RE.fullmatch(text)  # a time span is one of its matches; its groups say how it is written
    if lang != "en" or m is None or m["unit"] not in _THAI_UNITS or m["lead"] == "ฤกษ์":
        return text

    def clock(value: str) -> str:
        return re.sub(r"[.:]", ":", thai_digit_to_arabic_digit(value))

    english = clock(m["a"]) + (f"–{clock(m['b'])}" if m["b"] else "")
    if m["about"]:
        english = f"about {english}"
    elif m["lead"] == "ตั้งแต่" and not m["b"]:
        english = f"from {english}"
    return f"{english} ({text})"


def find_time_spans(text: str) -> list[Span]:
    """Times of day (and spans of hours) as written. Why their own kind: "what time / กี่โมง" was asked for
    as a date, and a release's opening line holds both its date and its time, so the date was the answer."""
    return [Span(m.start(), m.end(), m.group(0).strip(), "time", 1.0) for m in _TIME_RE.finditer(text)]


# --- phone numbers ------------------------------------------------------------------------------------

#: Thai phone numbers: ten or nine digits from 0 (``02 670 8888``, ``0-2208-4174-8``, ``081 234 5678``) or
#: +66, and four-digit hotlines from 1 (``1323``) when a cue word stands just before them.
_PHONE_LONG = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:\+66[\s-]?|0)(?:[\s-]?\d){8,9}(?:\s?(?:ต่อ|ext\.?)\s?\d{1,5})?(?!\d|,\d|-\d)"
)
_HOTLINE = re.compile(r"(?<!\d)(?<!\d[.,])1\d{3}(?!\d|,\d|\.\d)")
_PHONE_CUE = re.compile(
    r"(?:โทร(?!สาร)(?:ศัพท์)?|สายด่วน|หมายเลข|เบอร์|call\s?cent(?:er|re)|คอลเซ็นเตอร์|hotline|tel|phone|ศูนย์บริการ|กด)"
    r"[^\d\n]{0,14}$",
    re.I,
)


def find_phone_spans(text: str) -> list[Span]:
    """Phone numbers and hotlines as written; one after a cue word (``โทร.``, ``สายด่วน``, ``Call Center``)
    scores higher, and a four-digit hotline needs one (``1323`` alone may be a count)."""
    spans: list[Span] = []
    for pattern, needs_cue in ((_PHONE_LONG, False), (_HOTLINE, True)):
        for m in pattern.finditer(text):
            if any(s.start < m.end() and m.start() < s.end for s in spans):
                continue
            # A list ("โทร 1111, 1669 หรือ 1323") shares the cue of its first number.
            listed = any(s.kind == "phone" and s.score > 1.0 and 0 <= m.start() - s.end <= 7 for s in spans)
            cue = listed or bool(_PHONE_CUE.search(text[max(0, m.start() - 24) : m.start()]))
            if needs_cue and (not cue or _AFTER_UNIT_TH.match(text, m.end())):
                continue
            spans.append(Span(m.start(), m.end(), m.group(0).strip(), "phone", 1.0 + 0.5 * cue))
    return sorted(spans, key=lambda s: s.start)


# --- numbers ------------------------------------------------------------------------------------------

#: Thai classifiers and units that follow a number (general Thai, longest first when matched).
TH_UNITS = sorted(
    _words(
        """
        คน ราย แห่ง ด้าน ประเทศ จังหวัด อำเภอ ตำบล หมู่บ้าน ครัวเรือน ครอบครัว หลัง หลังคาเรือน เตียง
        สาย เส้น คัน ลำ เครื่อง ชิ้น ตู้ ใบ ฉบับ เรื่อง ข้อ ข้อความ คดี ครั้ง รอบ รูป องค์ ตัว ต้น ไร่
        ตารางเมตร ตร.ม. ตารางกิโลเมตร กิโลเมตร กม. เมตร กิโลกรัม กก. ตัน ลิตร บาท ล้านบาท ดอลลาร์
        ดอลลาร์สหรัฐ ล้านดอลลาร์สหรัฐ ล้านดอลลาร์ หยวน ยูโร เยน เปอร์เซ็นต์ หน่วย อัตรา ตำแหน่ง โครงการ
        มาตรฐาน คำขอ สาขา ชั่วโมง วัน เดือน ปี สัปดาห์ นาที เท่า คะแนน ทีม กลุ่ม บริษัท โรงเรียน โรงงาน
        ศูนย์ ห้อง ที่นั่ง แปลง ลูก ถุง กล่อง ซอง ชุด เม็ด โดส ล้านคน ล้านราย แสนคน หมื่นคน ล้านตัน
        ล้านลิตร ล้านหน่วย ล้านไร่ ล้านบาทต่อปี สถาบัน หน่วยงาน เขต จุด ด่าน ท่า ขบวน เที่ยว เที่ยวบิน
        ฉาก เล่ม แผ่น อัน รายการ ภาษา สัญญา ฟาร์ม สหกรณ์ ชนิด ประเภท ระดับ อาคาร ชั้น ลัง แพ็ค ขวด มวน
        กระป๋อง ก้อน ดวง เครือข่าย
        """
    ),
    key=len,
    reverse=True,
)
TH_UNIT_RE = "|".join(re.escape(u) for u in TH_UNITS)
#: A Thai classifier right after a number: it counts something (a year or a hotline is not followed by one).
_AFTER_UNIT_TH = re.compile(rf"\s?(?:{TH_UNIT_RE})")
_MULT_TH = r"(?:พันล้าน|หมื่นล้าน|แสนล้าน|ล้านล้าน|ล้าน|แสน|หมื่น|พัน)"
_MULT_EN = r"(?:trillion|billion|million|thousand|bn|mn|m)\b"
NUM = r"[0-9๐-๙]+(?:[,.][0-9๐-๙]+)*"
_PREFIX = (
    r"(?:(?:มากกว่า|กว่า|(?<!งบ)ประมาณ|ราว|เกือบ|ร้อยละ|อย่างน้อย|ไม่ต่ำกว่า|ไม่เกิน|สูงสุด|ถึง|(?<!โดย)รวม|(?<!แ)ละ|"
    r"more than|over|about|around|nearly|almost|approximately|up to|at least|some|US\$|\$|฿|THB|USD)\s?)"
)
_NUMBER_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})?(?P<num>(?<![\w.,/-]){NUM}(?:\s?[-–]\s?{NUM})?)(?![\w/]|[.,:]\d)"
    rf"(?P<mult>\s?(?:{_MULT_TH}|{_MULT_EN}))?"
    rf"(?P<unit>\s?(?:%|{TH_UNIT_RE}|(?:per ?cent|percent|baht|yuan|dollars?|US dollars?|"
    rf"[A-Za-z][A-Za-z-]*s\b|[A-Za-z]{{2,}}(?=\s|$|[,.;)]))))?",
)
_CLOCK = re.compile(r"^\s?(?:น\.|นาฬิกา|hrs?\b|a\.m\.|p\.m\.|am\b|pm\b)")
_ORDINAL_BEFORE = re.compile(r"(?:ที่|ครั้งที่|ฉบับที่|ลำดับที่|No\.|no\.|หมายเลข|เลขที่|ข้อ|มาตรา|หมู่|ซอย|ชั้น)\s?$")


def plain_digits(s: str) -> str:
    return re.sub(r"[,\s]", "", thai_digit_to_arabic_digit(s))


def find_number_spans(text: str, date_spans: list[Span] | None = None) -> list[Span]:
    """Numbers with their prefix (``กว่า``, ``over``), multiplier (``ล้าน``, ``million``) and unit as written.

    Numbers inside dates, clock times (``10.00 น.``), ordinals (``ครั้งที่ 25``), phone numbers and bare
    years are not answers to "how many" and are skipped.
    """
    if date_spans is None:
        date_spans = find_date_spans(text)
    spans = []
    for m in _NUMBER_RE.finditer(text):
        start, end = m.start("num"), m.end()
        num = m.group("num")
        if any(d.start <= start < d.end or d.start < end <= d.end for d in date_spans):
            continue
        tail = text[m.end("num") : m.end("num") + 12]
        if _CLOCK.match(tail) or _ORDINAL_BEFORE.search(text[max(0, start - 10) : start]):
            continue
        if re.fullmatch(r"0\d{8,}|\d{2,4}-\d{3,}-?\d*", plain_digits(num)) or re.search(r"\d{3}-\d{6,}", num):
            continue
        unit = (m.group("unit") or "").strip()
        mult = (m.group("mult") or "").strip()
        value = plain_digits(num)
        if not unit and not mult and re.fullmatch(r"(?:19|20|25)\d\d", value):
            continue  # a bare year
        if unit and unit[0].isascii() and unit.lower() in _EN_STOP_UNITS:
            unit = ""
            end = m.end("mult") if mult else m.end("num")
        s = start
        if m.group("prefix"):
            s = m.start("prefix")
            if m.group("prefix").startswith("ละ"):
                # A rate: "รายละ 15,000 บาท", "ตันคาร์บอนละ 100 บาท" (the unit it is per comes first).
                s -= _last_thai_word(text[max(0, s - 16) : s])
        while end > s and text[end - 1].isspace():
            end -= 1
        score = 1.0 + (0.5 if unit else 0.0) + (0.2 if mult else 0.0)
        spans.append(Span(s, end, text[s:end], "number", score))
    return spans


def _last_thai_word(text: str) -> int:
    """Length of the Thai word ending ``text``, split as the index splits words (:mod:`index.lexical`).

    Why that splitter: pythainlp's ``word_tokenize`` without a dictionary of ours rebuilt its trie on
    every call (0.27 s each), and a cached trie of its own cost ~70 MB of the bot's memory; the index's
    splitter is loaded anyway. Answers on the development set are the same either way.
    """
    m = re.search(r"[ก-์]+$", text)
    if not m:
        return 0
    from index.lexical import split_thai

    words = split_thai(m.group(0))
    return len(words[-1]) if words else 0


_EN_STOP_UNITS = frozenset(
    _words(
        "and or the to of in on at for from by with as is was were are has had have this that which who"
        " its it a an per than s"
    )
)
