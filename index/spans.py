"""Short answer spans inside a sentence: dates, amounts and counts, people, places.

The answerer quotes a whole sentence as evidence; when the question asks for a date, a number, a person or a
place, the span of that kind is also given as the short answer. Spans are found with patterns of how Thai
and English releases write these things (Thai titles before names, classifiers after numbers, Buddhist-era
dates), and the best one is the one nearest to the words the sentence shares with the question, skipping
values the question itself already states (the question's own date or number is never its answer).

Numbers and units are kept as written; dates are kept as written for Thai replies and converted to the
Gregorian calendar for English ones, showing both: ``18 December 2023 (18 ธ.ค. 2566)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass

from corpus.thaidate import DateMention, find_dates, format_en, format_th
from index.qtype import QuestionType


def _words(text: str) -> list[str]:
    """A word list written as whitespace-separated text (long tables stay readable)."""
    return text.split()


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
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


def _range_en(first: dt.date, until: dt.date) -> str:
    if (first.year, first.month) == (until.year, until.month):
        return f"{first.day}–{format_en(until)}"
    if first.year == until.year:
        return f"{format_en(first).rsplit(' ', 1)[0]} – {format_en(until)}"
    return f"{format_en(first)} – {format_en(until)}"


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
        return f"{span.text} ({format_th(span.date)})"
    if span.granularity == "month":
        english = format_en(span.date).split(" ", 1)[1]
    elif span.until is not None:
        english = _range_en(span.date, span.until)
    else:
        english = format_en(span.date)
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
_TH_UNIT_RE = "|".join(re.escape(u) for u in TH_UNITS)
_MULT_TH = r"(?:พันล้าน|หมื่นล้าน|แสนล้าน|ล้านล้าน|ล้าน|แสน|หมื่น|พัน)"
_MULT_EN = r"(?:trillion|billion|million|thousand|bn|mn|m)\b"
_NUM = r"[0-9๐-๙]+(?:[,.][0-9๐-๙]+)*"
_PREFIX = (
    r"(?:(?:มากกว่า|กว่า|(?<!งบ)ประมาณ|ราว|เกือบ|ร้อยละ|อย่างน้อย|ไม่ต่ำกว่า|ไม่เกิน|สูงสุด|ถึง|(?<!โดย)รวม|(?<!แ)ละ|"
    r"more than|over|about|around|nearly|almost|approximately|up to|at least|some|US\$|\$|฿|THB|USD)\s?)"
)
_NUMBER_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})?(?P<num>(?<![\w.,/-]){_NUM}(?:\s?[-–]\s?{_NUM})?)(?![\w/]|[.,:]\d)"
    rf"(?P<mult>\s?(?:{_MULT_TH}|{_MULT_EN}))?"
    rf"(?P<unit>\s?(?:%|{_TH_UNIT_RE}|(?:per ?cent|percent|baht|yuan|dollars?|US dollars?|"
    rf"[A-Za-z][A-Za-z-]*s\b|[A-Za-z]{{2,}}(?=\s|$|[,.;)]))))?",
)
_CLOCK = re.compile(r"^\s?(?:น\.|นาฬิกา|hrs?\b|a\.m\.|p\.m\.|am\b|pm\b)")
_ORDINAL_BEFORE = re.compile(r"(?:ที่|ครั้งที่|ฉบับที่|ลำดับที่|No\.|no\.|หมายเลข|เลขที่|ข้อ|มาตรา|หมู่|ซอย|ชั้น)\s?$")

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
_COUNTED_TAIL = re.compile(rf"(?:{_TH_UNIT_RE}|[A-Za-z]{{3,}})\s*$")
_PERCENT_Q = re.compile(r"เปอร์เซ็นต์|ร้อยละ|percent|%|rate|อัตรา|ดอกเบี้ย|interest|share|proportion", re.I)


def _digits(s: str) -> str:
    return re.sub(r"[,\s]", "", s.translate(_THAI_DIGITS))


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
        if re.fullmatch(r"0\d{8,}|\d{2,4}-\d{3,}-?\d*", _digits(num)) or re.search(r"\d{3}-\d{6,}", num):
            continue
        unit = (m.group("unit") or "").strip()
        mult = (m.group("mult") or "").strip()
        value = _digits(num)
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


# --- people -------------------------------------------------------------------------------------------

_TH_TITLES = (
    r"(?:นางสาว|นาย(?!ก(?:รัฐมนตรี|ฯ|\s|$)|จ้าง|ทะเบียน|อำเภอ|ด่าน|หน้า|ทหาร|ตำรวจ|ช่าง|พราน|ร้อย|สิบ|พัน|พล|"
    r"กเทศมนตรี|กสมาคม|กองค์การ|กรัฐ|กเทศ|ทุน|ประกัน|แบบ|ห้าง|งาน)|นาง(?!งาม|พยาบาล|ฟ้า)|น\.ส\.|"
    r"ดร\.|นพ\.|พญ\.|ทพ\.|ทพญ\.|ภก\.|ภญ\.|ศ\.|รศ\.|ผศ\.|ศาสตราจารย์|รองศาสตราจารย์|ผู้ช่วยศาสตราจารย์|"
    r"พล\.?[อทตร]\.(?:[อทต]\.)?|พลเอก|พลโท|พลตรี|พลเรือ(?:เอก|โท|ตรี)|พลอากาศ(?:เอก|โท|ตรี)|"
    r"พลตำรวจ(?:เอก|โท|ตรี)|พันตำรวจ(?:เอก|โท|ตรี)|พันเอก|พันโท|พันตรี|พ\.ต\.[อทต]\.|พ\.[อทต]\.|"
    r"ร\.ต\.[อทต]\.|ร้อย(?:เอก|โท|ตรี)|ร้อยตำรวจ(?:เอก|โท|ตรี)|ว่าที่ร้อย(?:เอก|โท|ตรี)|ว่าที่ ร\.ต\.|"
    r"หม่อมราชวงศ์|หม่อมหลวง|ม\.ร\.ว\.|ม\.ล\.|คุณหญิง|พระ(?=[ก-์]+\s)|สมเด็จ)"
)
_TH_NAME = r"[ก-์]{2,}"
_TH_TITLE_RE = re.compile(rf"^(?:{_TH_TITLES})(?:ดร\.)?\s?")
_TH_PERSON_RE = re.compile(rf"(?:{_TH_TITLES})(?:ดร\.)?\s?{_TH_NAME}(?:\s{_TH_NAME})?")
_EN_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Gen|Lt|Col|Maj|Capt|Pol|Adm|H\.E|M\.R|M\.L)\.?|General|Admiral|"
    r"Police (?:General|Lieutenant General|Major General|Colonel)|Prime Minister|Deputy Prime Minister|"
    r"Minister|Governor|Ambassador|Director-General|Secretary-General|Permanent Secretary|Spokesperson|"
    r"President|Chairman|Professor|Khun"
)
_EN_PERSON_RE = re.compile(rf"\b(?:{_EN_TITLES})\s+((?:[A-Z][a-zA-Z'-]+)(?:\s+[A-Z][a-zA-Z'-]+){{0,2}})")


def find_person_spans(text: str) -> list[Span]:
    """People named with a title: ``นายชัย วัชรงค์``, ``พันตำรวจโท ประวุธ วงศ์สีนิล``, ``Mr. Edison Xu``."""
    spans = [Span(m.start(), m.end(), m.group(0), "person") for m in _TH_PERSON_RE.finditer(text)]
    for m in _EN_PERSON_RE.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group(0), "person"))
    return spans


# --- places -------------------------------------------------------------------------------------------

_TH_PLACE_MARKERS = (
    r"(?:จังหวัด|จ\.|อำเภอ|อ\.|ตำบล|ต\.|เขต|แขวง|กรุง|เมือง|หาด|เกาะ|โรงแรม|โรงพยาบาล|รพ\.|ศูนย์ประชุม|"
    r"ห้างสรรพสินค้า|ห้าง|ทำเนียบรัฐบาล|ท่าอากาศยาน|สนามบิน|วัด|มหาวิทยาลัย|สหกรณ์|ค่าย|อาคาร|ห้องประชุม|"
    r"สวน|ตลาด|ท่าเรือ|สถานี|ศาลา|หอประชุม|ศาล|สนาม|ทำเล|หมู่บ้าน|ถนน|สะพาน|ด่าน|ชายหาด|อุทยาน|ศูนย์)"
)
_PLACE_NAME = r"\s?[ก-์A-Za-z0-9.]+"
_TH_PLACE_RE = re.compile(
    rf"(?:(?<=ณ )|(?<=ที่ )|(?<![ก-์])){_TH_PLACE_MARKERS}{_PLACE_NAME}"
    rf"(?:\s(?:{_TH_PLACE_MARKERS}|สาขา){_PLACE_NAME})*"
)
_TH_AT_RE = re.compile(
    r"(?:^|\s)ณ\s?(?P<p>[^\s]+(?:\s(?!เพื่อ|โดย|ซึ่ง|และ|ว่า|พร้อม|ได้|ทั้งนี้|เมื่อ|ใน|วันที่|ตั้งแต่|ระหว่าง)[^\s]+){0,3})"
)
_EN_PLACE_RE = re.compile(
    r"\b(?:at|in|from|to)\s+(?P<p>(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:of|de|and|the)?\s*[A-Z][\w'’-]*){0,5})"
)


def find_place_spans(text: str) -> list[Span]:
    """Places: after ``ณ``, Thai place nouns with their names (``จ.ชัยภูมิ``, ``โรงแรม ...``), and English
    capitalised names after ``at``/``in``."""
    spans = []
    for m in _TH_AT_RE.finditer(text):
        spans.append(Span(m.start("p"), m.end("p"), m.group("p"), "place", 1.2))
    for m in _TH_PLACE_RE.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group(0), "place"))
    for m in _EN_PLACE_RE.finditer(text):
        spans.append(Span(m.start("p"), m.end("p"), m.group("p"), "place", 0.9))
    return spans


# --- organisations ------------------------------------------------------------------------------------

_TH_ORG_MARKERS = (
    r"บริษัท|มูลนิธิ|กรม|กระทรวง|ศาล|ธนาคาร|สมาคม|สถาบัน|ชมรม|สำนักงาน|องค์การ|สหกรณ์|มหาวิทยาลัย|"
    r"การไฟฟ้า|การประปา|การรถไฟ|การท่าเรือ"
)
#: Words that end an organisation's name rather than continue it (``กรมป่าไม้ เป็นผู้ดำเนินการ``).
_TH_NAME_STOP = r"(?!เป็น|ได้|ของ|และ|ที่|ใน|ซึ่ง|โดย|จะ|ว่า|มี|ให้|กับ|เพื่อ|ร่วม|จัด|เข้า)"
_TH_ORG_RE = re.compile(
    rf"(?:{_TH_ORG_MARKERS}){_TH_NAME_STOP}\s?[ก-์A-Za-z0-9.]+"
    rf"(?:(?<=[ก-์A-Za-z])\s{_TH_NAME_STOP}[ก-์A-Za-z0-9.]+(?=\s?จำกัด))?(?:\s?จำกัด(?:\s?\(มหาชน\))?)?"
)
_TH_FOUNDATION_RE = re.compile(rf"(?:มูลนิธิ|ชมรม|สมาคม){_TH_NAME_STOP}[ก-์]+\s{_TH_NAME_STOP}[ก-์]{{3,}}")
_EN_ORG_RE = re.compile(
    r"\b(?:Department|Ministry|Office|Bank|Court|Institute|Foundation|Association|Council|Bureau) of "
    r"(?:the )?[A-Z][\w'-]*(?:,? (?:and )?[A-Z][\w'-]*){0,4}|"
    r"\b(?:[A-Z][\w&.'-]* ){1,5}(?:Co\., Ltd\.|(?:(?:Public )?Company Limited|Foundation|Court|Bank|"
    r"Department|Agency|Institute|Association|Corporation|Authority|Company)\b)"
)


#: The organisation nouns of a question and how a name of that kind is written (Thai and English).
_ORG_NOUNS = {
    "company": ("บริษัท", "Company", "Co.", "Corporation"),
    "companies": ("บริษัท", "Company", "Co.", "Corporation"),
    "firm": ("บริษัท", "Company", "Co.", "Corporation"),
    "corporation": ("บริษัท", "Corporation", "Company", "Co."),
    "บริษัท": ("บริษัท", "Company", "Co."),
    "foundation": ("มูลนิธิ", "Foundation"),
    "มูลนิธิ": ("มูลนิธิ", "Foundation"),
    "court": ("ศาล", "Court"),
    "ศาล": ("ศาล", "Court"),
    "bank": ("ธนาคาร", "Bank"),
    "ธนาคาร": ("ธนาคาร", "Bank"),
    "ministry": ("กระทรวง", "Ministry"),
    "กระทรวง": ("กระทรวง", "Ministry"),
    "department": ("กรม", "Department"),
    "กรม": ("กรม", "Department"),
    "association": ("สมาคม", "Association"),
    "สมาคม": ("สมาคม", "Association"),
    "club": ("ชมรม", "สโมสร", "Club"),
    "ชมรม": ("ชมรม", "Club"),
}


def find_org_spans(text: str) -> list[Span]:
    """Organisations named with their kind: ``บริษัท เวอริซายน์ จำกัด``, ``มูลนิธิไชยยงค์ ชูชาติ``, ``กรมป่าไม้``,
    ``Central Administrative Court``, ``Department of Forestry``."""
    spans = [Span(m.start(), m.end(), m.group(0), "org") for m in _TH_ORG_RE.finditer(text)]
    spans += [Span(m.start(), m.end(), m.group(0), "org", 1.1) for m in _TH_FOUNDATION_RE.finditer(text)]
    spans += [Span(m.start(), m.end(), m.group(0), "org") for m in _EN_ORG_RE.finditer(text)]
    return sorted(spans, key=lambda sp: sp.start)


_REASON_RE = re.compile(
    r"เนื่องจาก|เพราะ|สาเหตุ|เป็นผลมาจาก|ส่งผลให้|เพื่อให้|จึง|because|due to|as a result|caused by|owing to|"
    r"in order to|so that|since|reason",
    re.I,
)


def find_reason_spans(text: str) -> list[Span]:
    """Reason markers (``เนื่องจาก``, ``because``): a sentence giving a reason answers "why"."""
    return [Span(m.start(), m.end(), m.group(0), "reason", 0.6) for m in _REASON_RE.finditer(text)]


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
        return find_date_spans(text, default_year)
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
    money_q = bool(_MONEY_Q.search(question))
    if _MONEY_UNIT.search(text):
        if money_q:
            score += 0.8
        elif qt.qtype == "how_much":
            score += 0.4
        matched = matched or bool(_MONEY_EXPECT.search(question))
    if _MONEY_EXPECT.search(question) and not qt.unit:
        expected = True
    if _DURATION_Q.search(question):
        expected = True
        if _DURATION_UNIT.search(text):
            score += 1.2
            matched = True
    if _PERCENT_Q.search(question) and re.search(r"%|เปอร์เซ็นต์|ร้อยละ|percent", text):
        score += 0.8
        matched = True
    if _MEASURE_Q.search(question) and not qt.unit:
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
        if span.kind == "number":
            digits = re.findall(_NUM, span.text)
            if digits and all(_digits(d) in q_numbers for d in digits):
                score -= 1.5
            bonus, fit = _unit_fit(span, qt, question)
            score += bonus
            span = dataclasses.replace(span, fit=fit)
        if span.kind == "org" and qt.unit in _ORG_NOUNS:
            # "Which court": a court's name fits, a ministry's does not.
            fit = 1.0 if any(m in span.text for m in _ORG_NOUNS[qt.unit]) else 0.0
            score += 0.8 if fit else -0.5
            span = dataclasses.replace(span, fit=fit)
        if span.kind in ("person", "place", "org") and _named_in(span.text, question):
            score -= 1.5
        if anchors:
            # Nearness to the question's words, averaged so that a span beside several of them wins.
            near = [1.0 / (1.0 + _gap(a, span) / 30.0) for a in anchors]
            score += 0.3 * max(near) + 0.4 * sum(near) / len(near)
        out.append(dataclasses.replace(span, score=score))
    return out


@functools.lru_cache(maxsize=256)
def _question_values(question: str, default_year: int | None) -> tuple[frozenset[str], frozenset[dt.date]]:
    """The numbers and dates the question itself states (a span repeating one is not the answer).

    Cached: :func:`best_span` is asked about dozens of candidate sentences for one question.
    """
    numbers = frozenset(_digits(n) for n in re.findall(_NUM, question))
    return numbers, frozenset(d.date for d in find_dates(question, default_year))


def _named_in(name: str, question: str) -> bool:
    """The question already names this person or place (title aside: ``คุณระบิล`` names ``นายระบิล ...``)."""
    name = name.strip()
    if not name:
        return False
    if name in question:
        return True
    bare = _TH_TITLE_RE.sub("", name, count=1).strip()
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


def span_answer(span: Span, lang: str) -> str | None:
    """The short answer text of a span for a reply in ``lang``; reasons give no short answer."""
    if span.kind == "date":
        return format_date_answer(span, lang)
    if span.kind == "reason":
        return None
    return span.text.strip(' ,;:()"“”')
