"""What a question asks for: a date, a count, an amount, a person, a place, a reason...

The answerer scores sentences by whether they hold the kind of thing asked for, and extracts a short answer
span of that kind, so the type is detected first, from the wording of the question alone (Thai or English).
Patterns are general interrogative forms of each language, ordered from the most specific to the least
(``วันที่เท่าไหร่`` is a date question although ``เท่าไหร่`` alone asks for an amount).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import detect_lang

WHEN = "when"
HOW_MANY = "how_many"
HOW_MUCH = "how_much"
WHO = "who"
WHERE = "where"
WHICH = "which"
WHAT = "what"
WHY = "why"
YES_NO = "yes_no"
OTHER = "other"

#: The kind of span each type expects in an answering sentence (``None``: any sentence may answer).
EXPECTED_KIND = {
    WHEN: "date",
    HOW_MANY: "number",
    HOW_MUCH: "number",
    WHO: "person",
    WHERE: "place",
    WHICH: None,
    WHAT: None,
    WHY: "reason",
    YES_NO: None,
    OTHER: None,
}

# --- Thai ---------------------------------------------------------------------------------------------
#: Nouns of a place (a room, a building, a temple, a sub-district...): "<noun>ไหน" asks where, as
#: ``which <place noun>`` does in English (organisations such as a court or a centre are not among them).
_TH_PLACE_NOUNS = (
    r"(?:ห้อง(?:ประชุม)?|หอประชุม|อาคาร|ตึก|ชั้น|โรงแรม|โรงพยาบาล|รพ\.|วัด|มัสยิด|โบสถ์|ศาลา|รัฐ|ตำบล|"
    r"แขวง|หมู่บ้าน|ซอย|ถนน|ย่าน|ฐาน|ค่าย|สถานี|ท่าเรือ|สนามบิน|สนาม|เกาะ|ตลาด|สวน|อุทยาน|ด่าน|"
    r"ห้าง(?:สรรพสินค้า)?|มหาวิทยาลัย)"
)
_TH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (WHY, re.compile(r"ทำไม|เพราะอะไร|เพราะเหตุใด|เหตุใด|สาเหตุ(?:อะไร|ใด)|ด้วยเหตุผลอะไร")),
    (
        WHEN,
        re.compile(
            r"เมื่อไ[รห]|เมื่อใด|วัน(?:ที่)?(?:ไหน|ใด|อะไร)|วันที่เท่า(?:ไร|ไหร่|ใด)|ถึงวันไหน|กี่โมง|"
            r"เดือน(?:ไหน|ใด|อะไร)|ปี(?:ไหน|ใด)|ช่วง(?:ไหน|ใด)|ตั้งแต่(?:เมื่อ|วัน)ไหน"
        ),
    ),
    # "ชื่ออะไร" asks for a name: a person's, unless the question names an organisation or an event.
    (WHAT, re.compile(r"(?:บริษัท|โครงการ|สัมมนา|แพลตฟอร์ม|แอป|หน่วยงาน|องค์กร|มูลนิธิ|กิจกรรม|งาน).*ชื่อ(?:ว่า)?อะไร")),
    (WHO, re.compile(r"ใคร|ผู้ใด|บุคคลใด|ชื่ออะไร|ชื่อว่าอะไร|คนไหน|ท่านใด|ท่านไหน")),
    (
        WHERE,
        re.compile(
            r"ที่ไหน|ที่ใด|ตรงไหน|บริเวณ(?:ไหน|ใด)|แห่งใด|สถานที่ใด|จังหวัด(?:ไหน|ใด|อะไร)|เมือง(?:ไหน|ใด|อะไร)|อำเภอ(?:ไหน|ใด)|"
            r"ประเทศ(?:ไหน|ใด)จัด|หาด(?:ไหน|ใด|อะไร)|ทำเล(?:ไหน|ใด)|"
            rf"{_TH_PLACE_NOUNS}\s?(?:ไหน|ใด)"
        ),
    ),
    (HOW_MANY, re.compile(r"กี่|จำนวน(?:เท่า(?:ไร|ไหร่)|ทั้งหมด)|นานแค่ไหน|นานเท่า(?:ไร|ไหร่)|มากแค่ไหน")),
    (HOW_MUCH, re.compile(r"เท่า(?:ไร|ไหร่|ใด)|เท่าไร|แค่ไหน|ร้อยละเท่า|กี่เปอร์เซ็นต์")),
    (YES_NO, re.compile(r"หรือเปล่า|หรือไม่|ใช่ไหม|ใช่หรือไม่|จริงไหม|จริงหรือ|ไหม\s*$|มั้ย|หรือยัง")),
    (WHICH, re.compile(r"(?:ไหน|ใด)")),
    (WHAT, re.compile(r"อะไร|อย่างไร|ยังไง")),
)

# --- English ------------------------------------------------------------------------------------------
_EN_DATE_NOUNS = r"(?:date|day|days|month|year|time|period|dates|deadline)"
_EN_PLACE_NOUNS = (
    r"(?:city|province|country|venue|location|place|hotel|hospital|beach|district|town|village|"
    r"building|site|island|airport|port|area|region|temple|university|school|mall|centre|center|"
    r"room|hall|park|border|camp|branch|station)"
)
_EN_PERSON_NOUNS = (
    r"(?:person|people|minister|official|officer|singer|actor|director|governor|spokesperson|"
    r"spokesman|chairman|chair|president|leader|member|man|woman|monk|doctor|ambassador|secretary)"
)
_EN_AMOUNT = (
    r"(?:amount|value|budget|cost|price|rate|fee|fare|toll|prize|score|index|percentage|share|"
    r"total|weight|sum)"
)

_EN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (WHY, re.compile(r"\bwhy\b|\bfor what reason\b|\bwhat (?:caused|was the reason|is the reason)\b", re.I)),
    (
        WHEN,
        re.compile(
            rf"\bwhen\b|\buntil when\b|\b(?:what|which) {_EN_DATE_NOUNS}\b|\bon what\b|"
            rf"\bby what {_EN_DATE_NOUNS}\b|\bhow long ago\b",
            re.I,
        ),
    ),
    (HOW_MANY, re.compile(r"\bhow many\b|\bhow long\b|\bhow far\b|\bhow often\b|\bhow old\b", re.I)),
    (
        HOW_MUCH,
        re.compile(
            r"\bhow (?:much|large|big|high|low|heavy|expensive|cheap)\b|"
            rf"\bwhat\b[^?,]{{0,60}}?\b{_EN_AMOUNT}\b|\bto what (?:rate|level|extent)\b|\bwhat percent",
            re.I,
        ),
    ),
    (WHO, re.compile(rf"\bwhom?\b|^\s*whose\b|\b(?:which|what) (?:\w+ ){{0,2}}{_EN_PERSON_NOUNS}\b", re.I)),
    (WHERE, re.compile(rf"\bwhere\b|\b(?:which|what) (?:\w+ ){{0,2}}{_EN_PLACE_NOUNS}\b", re.I)),
    (WHICH, re.compile(r"\bwhich\b", re.I)),
    (WHAT, re.compile(r"\bwhat\b|\bhow\b", re.I)),
    (
        YES_NO,
        re.compile(r"^\s*(?:is|are|was|were|do|does|did|can|could|will|would|has|have|had|should)\b", re.I),
    ),
)

#: The unit or counted noun the question names (``กี่แห่ง`` → ``แห่ง``, ``how many beds`` → ``beds``).
_TH_UNIT = re.compile(r"กี่\s*([ก-์]{1,12}?)(?=[\s?]|$|ที่|แล้ว|ทั้ง|ต่อ|ใน|จาก|กัน|คะ|ครับ)")
_TH_UNIT_LOOSE = re.compile(r"กี่\s*([ก-ฮ][ก-์]{0,8})")
_EN_UNIT = re.compile(r"\bhow many\s+((?:[a-z-]+\s+){0,3})", re.I)
_EN_NOT_UNIT = {"does", "was", "has", "is", "its", "this", "his", "us", "as", "less", "thus", "news"}


@dataclass(frozen=True)
class QuestionType:
    """The detected type (``when``, ``how_many``...), the span kind it expects, the question's language and
    the counted noun or unit named in it, if any (``แห่ง``, ``beds``)."""

    qtype: str
    kind: str | None
    lang: str
    unit: str | None = None


def detect_qtype(question: str, lang: str | None = None) -> QuestionType:
    """Classify ``question``; ``lang`` defaults to :func:`corpus.text.detect_lang` of the question."""
    lang = lang or detect_lang(question)
    rules = _TH_RULES if lang == "th" else _EN_RULES
    qtype = _first_match(question, rules)
    if qtype == WHEN and lang != "th":
        # "How many families did X help, when he met Y?", "When the cabinet extended the cut, by how much…":
        # a "when" that opens a clause (no auxiliary after it) sets the scene; the question asks what the
        # other interrogative asks. Without another one ("when tokyo station first open") it stays a when.
        qtype = _first_match(_EN_WHEN_CLAUSE.sub(" ", question), rules, default=WHEN)
    if qtype == OTHER and lang == "th":
        # Thai questions sometimes carry English interrogatives and vice versa ("ITA ... when").
        qtype = _first_match(question, _EN_RULES)
    unit = _unit(question, lang) if qtype in (HOW_MANY, HOW_MUCH) else None
    kind = EXPECTED_KIND[qtype]
    if qtype in (WHEN, WHAT, WHICH, OTHER) and _TIME_Q.search(question):
        # "กี่โมง", "what time", "opening hours": a time of day, not a date.
        return QuestionType(WHEN, "time", lang, None)
    phone_q = _TH_PHONE_Q if lang == "th" else _EN_PHONE_Q
    asks_phone = phone_q.search(question) or (qtype == OTHER and _PHONE_KEYWORDS.search(question))
    if qtype in (WHICH, WHAT, WHERE, OTHER) and asks_phone and not _STATES_PHONE.search(question):
        # "โทรเบอร์อะไร", "hotline?", "which number should debtors call": a phone number is asked for.
        return QuestionType(qtype, "phone", lang, None)
    if qtype in (WHICH, WHAT):
        org = (_TH_ORG_Q if lang == "th" else _EN_ORG_Q).search(question)
        if org:
            # "which company / foundation / court": the answer is an organisation's name, of that kind.
            kind, unit = "org", org.group("noun").lower()
    return QuestionType(qtype, kind, lang, unit)


def _first_match(question: str, rules: tuple[tuple[str, re.Pattern[str]], ...], default: str = OTHER) -> str:
    """The type of the first rule (most specific first) whose pattern the question holds."""
    for name, pattern in rules:
        if pattern.search(question):
            return name
    return default


#: English auxiliaries: an interrogative "when" is followed by one ("when did", "when will"), a "when" that
#: opens a clause by its subject ("when he met", "when the cabinet extended").
_EN_AUX = r"(?:did|does|do|was|were|is|are|will|would|can|could|has|have|had|should|shall|must|might|may)"
_EN_WHEN_CLAUSE = re.compile(rf"\bwhen\b(?=\s+(?!{_EN_AUX}\b)[\w'’\"“-])", re.I)

#: Asking for a number outright: "เบอร์อะไร", "โทรเบอร์ไหน", "ได้ที่หมายเลขใด", "โทรไปที่ไหน"; "phone number",
#: "which number do I call", "which hotline".
_TH_PHONE_Q = re.compile(
    r"(?:เบอร์|หมายเลข)(?:โทร(?:ศัพท์)?)?\s?(?:อะไร|ไหน|ใด)|"
    r"โทร(?:ศัพท์)?.{0,60}?(?:เบอร์|หมายเลข)\s?(?:ไหน|อะไร|ใด)|โทร(?:ศัพท์)?\s?(?:หา|ไป|ถาม|สอบถาม|แจ้ง)?\s?(?:ที่)?\s?(?:ไหน|อะไร|ใด)"
)
_EN_PHONE_Q = re.compile(
    r"\b(?:phone|telephone|hotline|helpline|contact|call\s?cent(?:er|re))\s?(?:numbers?|no\.?)\b|"
    r"\b(?:which|what) (?:\w+ )?(?:hotline|helpline)s?\b|"
    r"\bnumber\b[^?]{0,40}\bcall\b|\bcall\b[^?]{0,40}\bnumber\b",
    re.I,
)
#: A chat question without an interrogative that names a number to call: "เบอร์โทรกรมบัญชีกลาง", "สายด่วน ปภ.",
#: "Revenue Department hotline?".
_PHONE_KEYWORDS = re.compile(
    r"เบอร์(?:โทร|ติดต่อ|สายด่วน)|สายด่วน|คอลเซ็นเตอร์|call\s?cent(?:er|re)|\bhotlines?\b|\bhelplines?\b", re.I
)
_TIME_Q = re.compile(
    r"กี่โมง|เวลา(?:อะไร|ไหน|ใด)|\bwhat (?:local )?time\b(?!\s+(?:frame|period|span|line|limit|scale|zone))|"
    r"\bwhich time\b|\bopening hours\b|\bhours\b[^?]{0,30}\bopen\b",
    re.I,
)
#: A question that states a phone number itself asks something else about it (a year is not one).
_STATES_PHONE = re.compile(r"(?<!\d)(?:0(?:[\s-]?\d){8,9}|1[0-8]\d{2})(?!\d|,\d)")
_EN_ORG_Q = re.compile(
    r"\b(?:which|what) (?:\w+ ){0,2}(?P<noun>company|companies|firm|foundation|agency|department|ministry|"
    r"court|organi[sz]ation|bank|association|institute|institution|council|club|operator|corporation|"
    r"authority)\b",
    re.I,
)
_TH_ORG_Q = re.compile(
    r"(?P<noun>บริษัท|มูลนิธิ|หน่วยงาน|องค์กร|องค์การ|กรม|กระทรวง|ศาล|ธนาคาร|สมาคม|สถาบัน|ชมรม)(?:\s?(?:ไหน|ใด|อะไร))"
)


def _unit(question: str, lang: str) -> str | None:
    if lang == "th":
        m = _TH_UNIT.search(question) or _TH_UNIT_LOOSE.search(question)
        return m.group(1) if m else None
    m = _EN_UNIT.search(question + " ")
    if not m:
        return None
    words = [w.lower() for w in m.group(1).split()]
    # The counted noun: "how many AI-skilled people does" → "people"; plural nouns end in s.
    for word in words:
        if word in _EN_COUNTED or (word.endswith("s") and word not in _EN_NOT_UNIT and len(word) > 3):
            return word
    return None


_EN_COUNTED = {"people", "children", "staff", "police", "cattle", "rai", "baht"}
