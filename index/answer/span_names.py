"""Answer spans that are names or reasons: people (after a Thai or English title), places (after a place
marker), organisations and the clause that gives a reason.

Split from :mod:`index.answer.spans`, which chooses among the spans these finders give.
"""

from __future__ import annotations

import re

from index.answer.span_values import Span

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
#: A Thai name starts with a consonant or a leading vowel (``นางานสำคัญ`` inside ``พัฒนางาน`` is no
#: ``นาง``), and a verb of saying glued to it ends it (``นายแพทย์โอภาสกล่าวว่า``).
_TH_NAME = r"[ก-ฮเ-ไ](?:(?!กล่าว|เปิดเผย|ชี้แจง|แถลง)[ก-์])+"
TH_TITLE_RE = re.compile(rf"^(?:{_TH_TITLES})(?:ดร\.)?\s?")
#: Words that follow a name rather than being its surname: a verb of saying or doing, a linking word, a
#: position (``นายอนุทิน กล่าวต่อว่า``, ``นายจิรายุ ยังกล่าวว่า``, ``นายเศรษฐา นายกรัฐมนตรี``).
_TH_NOT_SURNAME = (
    r"(?!กล่าว|ยัง|ได้|เป็น|เปิดเผย|เผย|ชี้แจง|ระบุ|แถลง|และ|ว่า|ให้|พร้อม|ร่วม|มอบ|เดินทาง|ตรวจ|ที่|ซึ่ง|"
    r"จึง|ก็|จะ|โดย|เพื่อ|กับ|ใน|ของ|รอง|รัฐมนตรี|นายก|ผู้|ปลัด|อธิบดี|เลขาธิการ|โฆษก|ประธาน|"
    r"เอกอัครราชทูต|ผู้ว่า|สมาชิก|หัวหน้า|เน้น|ขอ|มี|เห็น|ย้ำ|สั่ง|รับ|เข้า|ลง|นำ|เป็นประธาน)"
)
_TH_PERSON_RE = re.compile(rf"(?:{_TH_TITLES})(?:ดร\.)?\s?{_TH_NAME}(?:\s{_TH_NOT_SURNAME}{_TH_NAME})?")
_EN_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Gen|Lt|Col|Maj|Capt|Pol|Adm|H\.E|M\.R|M\.L)\.?|General|Admiral|"
    r"Police (?:General|Lieutenant General|Major General|Colonel)|Prime Minister|Deputy Prime Minister|"
    r"Minister|Governor|Ambassador|Director-General|Secretary-General|Permanent Secretary|Spokesperson|"
    r"President|Chairman|Professor|Khun"
)
#: A name's words are not titles themselves ("Defense Minister Gen. Prayut" names no "Minister Gen").
_EN_NAME_WORD = r"(?!(?:Gen|Lt|Col|Maj|Capt|Pol|Adm|Dr|Mr|Mrs|Ms|Prof)\b)[A-Z][a-zA-Z'-]+"
_EN_PERSON_RE = re.compile(rf"\b(?:{_EN_TITLES})\s+({_EN_NAME_WORD}(?:\s+{_EN_NAME_WORD}){{0,2}})")


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
#: A place's name after its marker; it stops before a person's title (the opening frame runs on:
#: ``ที่ทำเนียบรัฐบาล นายอนุชา …``).
_PLACE_NAME = rf"\s?(?!{_TH_TITLES})[ก-์A-Za-z0-9.]+"
#: Places that are a whole name by themselves (no name follows the marker).
_TH_WHOLE_PLACES = r"ทำเนียบรัฐบาล|รัฐสภา"
_TH_PLACE_RE = re.compile(
    rf"(?<!\.)(?:(?<=ณ )|(?<=ที่ )|(?<=ณ)|(?<=ที่)|(?<![ก-์]))"
    rf"(?:{_TH_PLACE_MARKERS}{_PLACE_NAME}|{_TH_WHOLE_PLACES})"
    rf"(?:\s(?:{_TH_PLACE_MARKERS}|สาขา){_PLACE_NAME})*"
)
_TH_AT_RE = re.compile(
    r"(?:^|\s)ณ\s?(?P<p>[^\s]+(?:\s(?!เพื่อ|โดย|ซึ่ง|และ|ว่า|พร้อม|ได้|ทั้งนี้|เมื่อ|ใน|วันที่|ตั้งแต่|ระหว่าง"
    rf"|{_TH_TITLES})[^\s]+){{0,3}})"
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
ORG_NOUNS = {
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
