"""Thai-aware sentence splitting for evidence, with offsets into the original text.

Thai has no full stop: a space ends a sentence or a clause, but spaces also sit inside names
(``นายชัย วัชรงค์``), around numbers and dates (``18 ธ.ค. 2566``), and around English words. pythainlp's
CRF splitter knows this but costs tens of milliseconds per page; answering must stay within a few
milliseconds, so this is a greedy packer instead: a space between two Thai letters is a possible break,
taken once the sentence is long enough and not right after a titled name; English text breaks after
``.``, ``!`` or ``?``. Sentences come out 40-320 characters long, verbatim slices of the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A sentence shorter than this is not ended at a Thai space (it would be a clause fragment).
MIN_CHARS = 80
#: English sentences end at their full stop once this long.
EN_MIN_CHARS = 20
#: Past this length any space between Thai letters ends a sentence, not only one before a clause word.
WEAK_CHARS = 200
#: A sentence longer than this is cut at the next possible break, or any space past ``HARD_CHARS``.
MAX_CHARS = 260
HARD_CHARS = 320

_TITLE_TAIL = re.compile(
    r"(?:นาย|นาง|นางสาว|ดร\.|นพ\.|พญ\.|พล\.[อทต]\.|พ\.ต\.[อทต]\.|พันตำรวจ(?:เอก|โท|ตรี)|พลเอก)[ก-์]*$"
)
# A full stop after a Latin letter or digit (not after Thai abbreviations such as ธ.ค.), then a capital.
_EN_BREAK = re.compile(r"(?<=[A-Za-z0-9%)\"”’][.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z\u0e01-\u0e4e])")
#: Words that open a Thai clause: a space before them is a sentence break once the sentence is long enough.
_TH_CLAUSE_HEAD = re.compile(
    r"(?:โดย|ซึ่ง|และ|เพื่อ|ทั้งนี้|นอกจากนี้|พร้อม|ส่วน|ขณะที่|จึง|ทำให้|อย่างไรก็ตาม|สำหรับ|ภายหลัง|หลังจาก|"
    r"ก่อนหน้านี้|ในการนี้|โอกาสนี้|ต่อมา|รวมทั้ง|รวมถึง|อีกทั้ง|แต่|เนื่องจาก|เพราะ|ได้|จะ|ก็|ทั้งหมด|ในส่วน|"
    r"วันนี้|ขณะนี้|ปัจจุบัน|ด้าน|ที่ผ่านมา|สรุป|ดังนั้น|อนึ่ง|ส่งผล|นาย|นาง|ดร\.)"
)
#: Thai words that cannot end a sentence: a preposition or conjunction wants what follows it.
_TH_OPEN_TAIL = re.compile(
    r"(?:กับ|และ|หรือ|ของ|ที่|ใน|แก่|แด่|โดย|ให้|จาก|ว่า|เพื่อ|ณ|ได้แก่|คือ|ระหว่าง|ตั้งแต่|ถึง|ต่อ|ด้วย|"
    r"เป็น|จำนวน|รวม|ทั้ง|ซึ่ง|อย่าง|เช่น|ตาม|สำหรับ|เกี่ยวกับ|บริษัท|จังหวัด|อำเภอ|ตำบล|กระทรวง|กรม)$"
)
_EN_ABBR = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|No|Nos|St|Mt|Co|Ltd|Inc|Pol|vs|etc|H\.E|U\.S)|\b[A-Z])\.$"
)


@dataclass(frozen=True)
class Sentence:
    """``text[start:end]`` of the split text."""

    start: int
    end: int
    text: str


#: A space between a Thai letter (or a closing quote or bracket) and a Thai letter.
_THAI_BREAK = re.compile(r"(?<=[\u0e01-\u0e4e)”\"]) (?=[\u0e01-\u0e4e])")


def _thai_breaks(line: str) -> list[int]:
    """Offsets of spaces in ``line`` that may end a Thai sentence."""
    return [m.start() for m in _THAI_BREAK.finditer(line)]


def _split_line(line: str) -> list[tuple[int, int]]:
    """Sentence boundaries inside one paragraph, as (start, end) offsets."""
    if len(line) <= MAX_CHARS and not _EN_BREAK.search(line):
        return [(0, len(line))] if line.strip() else []
    breaks = set(_thai_breaks(line))
    en_breaks = set()
    for m in _EN_BREAK.finditer(line):
        if not _EN_ABBR.search(line[max(0, m.start() - 6) : m.start()]):
            en_breaks.add(m.start())
    out: list[tuple[int, int]] = []
    start = 0
    spaces = [m.start() for m in re.finditer(r" ", line)]
    for i in spaces:
        length = i - start
        if length <= 0:
            continue
        if (i in en_breaks and length >= EN_MIN_CHARS) or (
            i in breaks
            and length >= MIN_CHARS
            and (length >= WEAK_CHARS or _TH_CLAUSE_HEAD.match(line, i + 1))
            and not _TITLE_TAIL.search(line[start:i])
            and not _TH_OPEN_TAIL.search(line[start:i])
        ):
            out.append((start, i))
            start = i + 1
            continue
        if length >= HARD_CHARS:
            out.append((start, i))
            start = i + 1
    if start < len(line):
        if out and len(line) - start < MIN_CHARS // 2 and (start - 1) not in en_breaks:
            out[-1] = (out[-1][0], len(line))  # a short tail joins the sentence before it
        else:
            out.append((start, len(line)))
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (paragraphs are lines), each a verbatim slice with its offsets."""
    sentences: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        sentences.extend(_line_sentences(line, offset))
        offset += len(line) + 1
    return sentences


def _line_sentences(line: str, offset: int) -> list[Sentence]:
    out = []
    for s, e in _split_line(line):
        while s < e and line[s].isspace():
            s += 1
        while e > s and line[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(offset + s, offset + e, line[s:e]))
    return out


class LineSentences:
    """The sentences of one text, split a line at a time when asked for (lines split independently).

    Why: the answer step weighs the sentences of a few matched passages, but cabinet summaries run to
    130k characters; splitting all of them cost a fifth of the answer step. :meth:`around` gives the
    sentences of the lines that overlap the passages, with the nearest sentence-holding line on each side,
    so that each of those sentences has the same neighbours (context, evidence) as in
    :func:`split_sentences`'s list of the whole text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._lines: dict[int, list[Sentence]] = {}

    def line(self, n: int) -> list[Sentence]:
        """The sentences of line ``n`` (cached)."""
        got = self._lines.get(n)
        if got is None:
            start = self.starts[n]
            end = self.starts[n + 1] - 1 if n + 1 < len(self.starts) else len(self.text)
            got = self._lines[n] = _line_sentences(self.text[start:end], start)
        return got

    def around(self, ranges: list[tuple[int, int, float]]) -> list[Sentence]:
        """Sentences of the lines overlapping any ``(start, end, _)`` range, and of the nearest line
        holding a sentence before and after each of them, in text order."""
        import bisect

        n_lines = len(self.starts)
        wanted: set[int] = set()
        for a, b, *_ in ranges:
            first = bisect.bisect_right(self.starts, a) - 1
            last = bisect.bisect_right(self.starts, max(a, b - 1)) - 1
            wanted.update(range(max(first, 0), min(last, n_lines - 1) + 1))
        lines = set(wanted)
        for n in wanted:
            for step in (-1, 1):
                k = n + step
                while 0 <= k < n_lines and k not in wanted and not self.line(k):
                    k += step
                if 0 <= k < n_lines:
                    lines.add(k)
        return [s for n in sorted(lines) for s in self.line(n)]
