"""Thai dates in quoted release text glossed in English for an English reply: ``18 ธ.ค. 2566`` becomes
``18 ธ.ค. 2566 [18 December 2023]``.

Why: an English question about a Thai release gets a Thai quote (or snippets). Its dates are often what the
reader came for and among the few things they could pick out, but a Thai month abbreviation and a
Buddhist-era year (2566) are opaque to them. The gloss is added where the reply is rendered: the answer's
``evidence`` and ``sources`` stay the release's own text, verbatim.

A gloss must never show a date the text does not say, so a mention is left alone when it may be misread:
it ends at a cut ("15 มีนาคม 25…" is a year cut short, not the year 2525), its two-digit year would fall
before 2000 (in "5 มี.ค. 20 คน" the 20 counts people), it ends a range whose start has no year of its own
("1 ม.ค.-31 มี.ค. 2567": glossing the end alone would read as the whole range), or it sits in a link.
"""

from __future__ import annotations

import re

from corpus.thaidate import DateMention, english_date, find_dates
from index.answer.number_gloss import bracketed
from index.answer.words import has_thai

#: A two-digit year reads as Buddhist era 25xx; a date before this Common-era year is taken for a misreading.
EARLIEST_TWO_DIGIT_YEAR = 2000
_RANGE_BEFORE = re.compile(r"(?:[-–]|ถึง|จนถึง)\s*$")
_TWO_DIGIT_YEAR_END = re.compile(r"(?<!\d)\d\d$")


def gloss_dates(text: str) -> str:
    """``text`` with each date written in Thai (a Thai month name, or a Buddhist-era year in a numeric date)
    followed by its Gregorian form in brackets; dates written in English, years alone and days without a
    year stay as they are, and so does any mention that may be misread (module docstring)."""
    if not text:
        return text
    glosses = []
    prev_end: int | None = None
    for m in find_dates(text):
        after_date, prev_end = prev_end, m.end
        if _glossable(text, m, after_date):
            glosses.append((m.end, english_date(m.date, m.until, m.granularity)))
    return bracketed(text, glosses)


def _glossable(text: str, m: DateMention, after_date: int | None) -> bool:
    """Whether mention ``m`` of ``text`` is written the Thai way and cannot be a misreading
    (``after_date``: where the mention before it ends, if any)."""
    if not has_thai(m.text) and str(m.date.year + 543) not in m.text:
        return False  # written in English or in the Common era already
    if text[m.end : m.end + 1] == "…":
        return False  # cut here: the year may be cut short
    if _TWO_DIGIT_YEAR_END.search(m.text) and m.date.year < EARLIEST_TWO_DIGIT_YEAR:
        return False
    # The end of a range is glossed only when its start is a whole date of its own, glossed too.
    range_end = _RANGE_BEFORE.search(text[max(0, m.start - 8) : m.start]) is not None
    if range_end and (after_date is None or not _RANGE_BEFORE.fullmatch(text[after_date : m.start].strip())):
        return False
    token_start = text.rfind(" ", 0, m.start) + 1
    token_end = text.find(" ", m.end)
    token = text[token_start : len(text) if token_end < 0 else token_end]
    return "://" not in token and "www." not in token
