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

from index.answer.amount_words import (
    AS_MANY_AFTER,
    COUNTED,
    MULTIPLIERS,
    NOT_AFTER,
    PER,
    PREFIXES,
    QUALIFIERS,
    SINGULAR,
    UNITS,
)
from index.answer.span_values import find_number_spans

_NUM = r"[0-9๐-๙]+(?:[,.][0-9๐-๙]+)*"
_THAI = re.compile(r"[\u0e00-\u0e7f]")
#: A Thai letter or mark (ฯ and ๆ too, not a Thai digit): what a Thai word is made of.
_THAI_LETTER = re.compile(r"[\u0e01-\u0e3a\u0e40-\u0e4e]")
#: What a short answer's Thai is stripped of at its ends (as :func:`index.answer.spans.span_answer` does).
_EDGES = ' ,;:()"“”'
_LINK = re.compile(r"\S*(?:https?://|www\.)\S*$")


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


#: An amount's words up to its unit: a rate's "per" word before it, a prefix, ร้อยละ, number, multiplier, unit.
_HEAD = (
    rf"(?:(?P<per>{_alternation(PER)})ละ\s?)?(?:(?P<prefix>{_alternation(PREFIXES)})\s?)?(?:(?P<pct>ร้อยละ)\s?)?"
    rf"(?P<num>{_NUM})(?:\s?(?P<mult>{_alternation(MULTIPLIERS)}))?"
    rf"(?:\s?(?P<unit>{_alternation(UNITS)}|%|เปอร์เซ็นต์))?"
)
_SPAN = re.compile(rf"^{_HEAD}(?:\s?(?:ต่อ|/)\s?(?P<per_after>{_alternation(PER)}))?$")
#: The same words read in the text at an amount's start: the span finder's units are not these tables', so
#: it stops short of a unit that only the gloss reads ("17 ล้านล้าน" of "17 ล้านล้านเหรียญสหรัฐฯ").
_HEAD_AT = re.compile(_HEAD)
#: What an amount with no unit is not glossed before (:func:`_unitless`): a word on its line (the unit it may
#: count), a digit (its number goes on: "115. 6 กิโลเมตร"), a list's "." or ")" ("สูงสุด 3. กรม...").
_WORD_NEXT = re.compile(r"[^\S\n]*(?:[^\W_]|[.)])")


#: A prefix ending just before ``ร้อยละ`` / starting at the amount (:func:`_prefix_start`), compiled once.
_PREFIX_BEFORE = re.compile(rf"(?:{_alternation(PREFIXES)})\s?$")
_PREFIX_HERE = re.compile(rf"(?:{_alternation(PREFIXES)})")


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
        if unit and UNITS[unit] in COUNTED and not m.group("mult") and re.search(r"[.]", m.group("num")):
            return None  # 1.1 projects, 19.02 people: a list's number or a rate, not a count
        text = f"{number} {_unit(UNITS[unit], number)}" if unit else number
    if m.group("prefix"):
        text = f"{PREFIXES[m.group('prefix')]} {text}"
    if m.group("per") and m.group("per_after"):
        return None  # two rates ("ลิตรละ 33 บาทต่อเดือน")
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


def glossed_amount(span_text: str, context: str | None = None, at: int | None = None) -> str:
    """An English reply's short answer for a Thai amount: its English, then the Thai in brackets; the span
    as it is when it has no sure English. ``context`` (the quoted sentence the span was found in, at offset
    ``at``) is read too, as :func:`read_amount` says: "กว่า 6 เดือน" of "อายุน้อยกว่า 6 เดือน" is less than 6
    months, not more."""
    if context is not None and at is not None and context[at : at + len(span_text)] == span_text:
        read = read_amount(context, at, at + len(span_text))
        if read is None:
            return span_text
        start, end, english = read
        thai = context[start:end].strip(_EDGES)
        return f"{english} ({thai})"
    english = english_amount(span_text)
    return f"{english} ({span_text})" if english else span_text


def gloss_amounts(text: str) -> str:
    """``text`` (release text an English reply quotes) with each Thai amount that has a sure English followed
    by it in brackets: ``มีหนี้ 35,408 ล้านบาท`` -> ``มีหนี้ 35,408 ล้านบาท [35,408 million baht]``.

    Left alone: a number with nothing Thai to read around it but its digits (``๑.``, a list's or a phone's
    ``๐๒ ๒๘๓``), one inside a link, what :func:`read_amount` cannot read whole, and all that
    :func:`index.answer.span_values.find_number_spans` does not take for an amount (dates, clock times,
    ordinals, phone numbers, years)."""
    if not text or not _THAI.search(text):
        return text
    glosses = []
    done = 0
    for span in find_number_spans(text):
        if span.start < done or _in_link(text, span.start):
            continue
        read = read_amount(text, span.start, span.end)
        if read is None or not _has_words(text[read[0] : read[1]]):
            continue
        glosses.append((read[1], read[2]))
        done = read[1]
    return bracketed(text, glosses)


def read_amount(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The amount ``text[start:end]`` read in its sentence: ``(start, end, English)`` with the span widened
    to the words that belong to it (a comparative before it: ``ไม่น้อยกว่า 3 ปี``, a prefix before a ``ร้อยละ``:
    ``กว่าร้อยละ 50``, a unit the span finder does not know: ``5 ล้านเหรียญสหรัฐ``, a rate after it:
    ``33 บาทต่อลิตร``), or None when the words around it may change what it says. Why: a span's own words
    misread it when it is cut out of a longer word or phrase, and the gloss must never say what the Thai
    does not. None for:

    - a prefix after a negation or a comparative of less (``น้อยกว่า 5 คน``, ``ไม่ถึง 4 เดือน``, ``ถูกกว่า``),
      ``ถึง`` that is not "as many as" (a range, "until": :data:`AS_MANY_AFTER`);
    - a unit or multiplier that is the start of a longer word (``5 พันธุ์`` is five varieties, not 5,000;
      ``7 วันทำการ``, ``2567 บริษัทฯ``), a qualifier after it (``60 ปีขึ้นไป``: :data:`QUALIFIERS`), a rate
      whose "per" is not read (``1 ล้านบาทต่อราย``, ``300 บาท/คน/วัน``), an ordinal (``ครั้งที่ 2``), a
      currency's country (``ดอลลาร์ออสเตรเลีย``), a range or a fraction it starts (``6 เดือนถึง 1 ปี``,
      ``เกือบ 1 ใน 4``);
    - a negative amount (``ติดลบ 35,408 ล้านบาท``: the gloss would drop the minus);
    - an amount with no unit right before a word (``17 ล้านล้านเหรียญมาเก๊า``, ``กว่า 50 ร้านค้า``): the word
      may be a unit the tables do not know, and "17 trillion" would drop it (:func:`_unitless`);
    - a quote's cut ("5 แสน…" may be 5 แสนล้าน; "…5 แสนบาท" may be 1 ล้าน 5 แสนบาท);
    - a number that is not an amount of what follows it: a year (``ปี 2567 จังหวัด…``, ``พ.ศ. 2563 รอบ 6
      เดือน``), a kilometre post (``กม. 106+150 ตำบล…``), COVID-19 (``โควิด 19 จังหวัด…``), a list's number at
      the start of a line (``1.2 หน่วยรับงบประมาณ``), a part of an amount written in two
      (``1 ล้าน 5 แสนบาท`` is 1.5 million: neither "1 million" nor "500,000 baht").
    """
    start = _prefix_start(text, start)
    if start is None or not _an_amount_here(text, start, end) or _NEGATIVE.search(text[:start]):
        return None
    head = _HEAD_AT.match(text, start)
    end = _read_end(text, max(end, head.end() if head else end))
    if end is None:
        return None
    english = english_amount(text[start:end])
    if english is None or (_unitless(text[start:end]) and _WORD_NEXT.match(text, end)):
        return None
    return start, end, english


def _unitless(amount: str) -> bool:
    """Whether an amount has neither a unit nor a percent: a word right after it may be the unit it counts,
    one the tables do not know ("17 ล้านล้าน" of "17 ล้านล้านเหรียญมาเก๊า", "กว่า 50 ร้านค้า"), and its
    English ("17 trillion", "more than 50") would drop it: baht to an English reader, or nothing at all."""
    m = _SPAN.match(" ".join(amount.split()))
    return m is not None and not m.group("unit") and not m.group("pct")


#: What stands before a number that is not an amount (see :func:`read_amount`): a year's word, a
#: kilometre post's ``+``, COVID-19, a quote's cut, the first part of an amount written in two.
_NOT_AMOUNT_BEFORE = re.compile(
    r"(?:(?:ปี|พ\.\s?ศ\.|ค\.\s?ศ\.)\s*|\+|(?:โควิด|โคโรนา|covid|COVID|Covid)\s?-?\s?|…\s*"
    r"|[0-9๐-๙]\s?(?:ล้าน|แสน|หมื่น|พัน)\s?)$"
)
#: A negative amount ("ติดลบ 35,408 ล้านบาท", the oil fund's deficit): its gloss would drop the minus.
_NEGATIVE = re.compile(r"ติดลบ\s*$")
#: After an amount that ends with its multiplier: the rest of it ("1 ล้าน 5 แสนบาท", "3 พัน 5 ร้อยคน").
_MORE_OF_IT = re.compile(r"\s?[0-9๐-๙]+(?:[,.][0-9๐-๙]+)*\s?(?:แสน|หมื่น|พัน|ร้อย)")
#: A list's number at the start of a line ("1.2 หน่วยรับงบประมาณ…").
_LIST_NUMBER = re.compile(r"(?:^|\n)[\s(]*$")


def _an_amount_here(text: str, start: int, end: int) -> bool:
    """Whether the number of ``text[start:end]`` is an amount of what follows it (see :func:`read_amount`)."""
    before = text[max(0, start - 24) : start]
    if _NOT_AMOUNT_BEFORE.search(before):
        return False
    if text[start:end].rstrip().endswith(tuple(MULTIPLIERS)) and _MORE_OF_IT.match(text, end):
        return False
    return not (re.match(r"[0-9๐-๙]+[.][0-9๐-๙]+\s", text[start:end]) and _LIST_NUMBER.search(text[:start]))


def _prefix_start(text: str, start: int) -> int | None:
    """Where the amount at ``start`` begins once its prefix is read in its words (see :func:`read_amount`);
    None when that prefix has no sure English there."""
    head = text[start:]
    if head.startswith("ร้อยละ"):  # "กว่าร้อยละ 50": the span finder takes ร้อยละ as the prefix
        before = _PREFIX_BEFORE.search(text[max(0, start - 16) : start])
        if before is None:
            return start
        start -= len(before.group(0))
        head = text[start:]
    prefix = _PREFIX_HERE.match(head)
    if prefix is None:
        return start
    run_start = start
    while run_start > 0 and _THAI_LETTER.match(text[run_start - 1]):
        run_start -= 1
    words = list(_split(text[run_start : start + prefix.end()]))
    word, i = "", len(words)
    while i > 0 and len(word) < prefix.end():
        i -= 1
        word = words[i] + word
    while i > 0 and words[i - 1] + word in PREFIXES:  # "ไม่" + "น้อยกว่า"
        i -= 1
        word = words[i] + word
    if word not in PREFIXES:  # the prefix is the end of a longer word
        return None
    before = words[i - 1] if i > 0 else _last_word(text[:run_start])
    if before in NOT_AFTER or (word == "ถึง" and before not in AS_MANY_AFTER):
        return None
    return start + prefix.end() - len(word)


def _read_end(text: str, end: int) -> int | None:
    """Where the amount ending at ``end`` ends once the words after it are read (a rate's "per" word taken
    in); None when they may change it (see :func:`read_amount`)."""
    rated = False
    while True:
        if re.match(r"[^\s\[\]]*…", text[end:]):
            return None  # cut by the quote inside or right after the amount's last word
        following, gap = _next_word(text, end)
        if following is None:
            return None  # the unit or multiplier is the start of a longer word
        if following in QUALIFIERS or re.match(r"ที่\s?[0-9๐-๙]", text[end + gap :]):
            return None
        if re.match(r"\s?(?:ถึง|[-–]|ใน)\s?[0-9๐-๙]", text[end:]):
            return None  # a range's first end ("6 เดือนถึง 1 ปี"), a fraction's ("เกือบ 1 ใน 4"): not alone
        if following not in ("ต่อ", "/"):
            if following and gap == 0 and text[:end].endswith("ดอลลาร์"):
                return None  # ดอลลาร์ออสเตรเลีย, ดอลลาร์สิงคโปร์: a currency this does not name
            return end
        if rated:
            return None  # a second rate ("ต่อคนต่อเดือน", "/คน/วัน"): not read
        per_at = end + gap + len(following)
        per_at += 1 if text[per_at : per_at + 1] == " " else 0
        per = _word_at(text, per_at)
        if per not in PER:
            return None  # "ต่อราย" (per case or per person), "ต่อรัฐบาล" (to the government)
        end, rated = per_at + len(per), True


def _word_at(text: str, at: int) -> str:
    """The Thai word starting at ``at`` ("" when none does)."""
    if at < len(text) and _THAI_LETTER.match(text[at]):
        words = _split(_thai_run(text, at))
        return words[0] if words else ""
    return ""


def _next_word(text: str, at: int) -> tuple[str | None, int]:
    """The word starting at ``at`` (after at most one space) and that space's length: ``""`` at anything but
    a Thai word or a slash, None when ``at`` falls inside a Thai word (no word of the run starts there)."""
    if at >= len(text):
        return "", 0
    if _THAI_LETTER.match(text[at]) and at > 0 and _THAI_LETTER.match(text[at - 1]):
        run_start = at
        while run_start > 0 and _THAI_LETTER.match(text[run_start - 1]):
            run_start -= 1
        edge = run_start
        for word in _split(_thai_run(text, run_start)):
            if edge == at:
                return word, 0
            edge += len(word)
        return None, 0
    gap = 1 if text[at] == " " else 0
    at += gap
    if text[at : at + 1] == "/":
        return "/", gap
    return _word_at(text, at), gap


def _thai_run(text: str, at: int) -> str:
    end = at
    while end < len(text) and _THAI_LETTER.match(text[end]):
        end += 1
    return text[at:end]


def _last_word(text: str) -> str:
    """The last Thai word of ``text`` (across one space), "" when it does not end in one."""
    run = re.search(r"[\u0e01-\u0e4e]+ ?$", text)
    words = _split(run.group(0).strip()) if run else ()
    return words[-1] if words else ""


def _split(run: str) -> tuple[str, ...]:
    from index.lexical import split_thai  # the index's own word splitter (loaded with the index anyway)

    return split_thai(run) if run else ()


def _has_words(amount: str) -> bool:
    """Whether an amount says more than its digits (a prefix, multiplier, unit or percent): a number
    alone is quoted as it is, Thai digits included (``๑.``, a phone's ``๐๒ ๒๘๓``)."""
    m = _SPAN.match(" ".join(amount.split()))
    return m is not None and any(m.group(g) for g in ("per", "prefix", "pct", "mult", "unit", "per_after"))


#: What a gloss's bracket is written right before, with no space: the end of a clause or of a bracket.
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}\"'”’…/-–—")


def bracketed(text: str, glosses: Iterable[tuple[int, str]]) -> str:
    """``text`` with each ``(end, words)`` of ``glosses`` (ascending ``end``) written as `` [words]`` right
    after position ``end``: how an English reply glosses what it quotes (dates, amounts). A space follows
    the bracket when a word does: Thai writes no space between words ("5 ปีข้างหน้า"), and
    "[5 years]ข้างหน้า" reads as one glued token; before punctuation or a space, none is added."""
    out: list[str] = []
    at = 0
    for end, words in glosses:
        out.append(text[at:end])
        after = text[end : end + 1]
        spaced = after and not after.isspace() and after not in _NO_SPACE_BEFORE
        out.append(f" [{words}] " if spaced else f" [{words}]")
        at = end
    out.append(text[at:])
    return "".join(out)


def _in_link(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` lies inside a URL (its digits are the link's, not an amount)."""
    return _LINK.search(text[max(0, at - 200) : at]) is not None
