"""Thai dates in quoted release text glossed in English for an English reply: ``18 ธ.ค. 2566`` becomes
``18 ธ.ค. 2566 [18 December 2023]``.

Why: an English question about a Thai release gets a Thai quote (or snippets). Its dates are often what the
reader came for and among the few things they could pick out, but a Thai month abbreviation and a
Buddhist-era year (2566) are opaque to them. The gloss is added where the reply is rendered: the answer's
``evidence`` and ``sources`` stay the release's own text, verbatim.
"""

from __future__ import annotations

import re

from corpus.thaidate import find_dates
from index.answer.span_values import english_date

_THAI = re.compile(r"[\u0e00-\u0e7f]")


def gloss_dates(text: str) -> str:
    """``text`` with each date written in Thai (a Thai month name, or a Buddhist-era year) followed by
    its Gregorian form in brackets; dates written in English, and days without a year, stay as they are."""
    if not text:
        return text
    out: list[str] = []
    at = 0
    for m in find_dates(text):
        english = english_date(m.date, m.until, m.granularity)
        if not _THAI.search(m.text) and str(m.date.year + 543) not in m.text:
            continue  # written in English or in the Common era already
        out.append(text[at : m.end])
        out.append(f" [{english}]")
        at = m.end
    out.append(text[at:])
    return "".join(out)
