"""Whether a reply answers a question right: the question sets' rule, and a strict reading of it.

The rule (``../shared/eval/README.md``): the short answer plus the first 400 characters of the evidence
contain the answer or one of its aliases, after NFKC, case folding and removing spaces and thousands
separators, and the first source is a gold release. It is what the product is judged by, so it is what
``thaigov-qa eval`` reports as accuracy.

Why a strict reading beside it: as a plain substring, a short alias matches inside other text. "4" (of
"4 ด้าน") is in "14 ธันวาคม", "1%" in "11%", "ใช่" in "ไม่ใช่", "no" in "November"; with spaces removed, two
numbers side by side run into one. The strict reading (:func:`answer_is_strictly_correct`) counts a bare
number of up to three digits, a bare percentage or a yes/no word only in the short answer, and never
inside a longer number; it compares the short answer and the evidence apart. The report shows both, so
that a gain that rides on such matches can be seen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

#: What a reply's text is compared on (see the module docstring).
EVIDENCE_CHARS = 400
#: Answers too short to find by themselves in a passage (strict reading only).
_WEAK = re.compile(r"\d{1,3}%?|yes|no|ใช่|ไม่|ไม่ใช่|true|false")
_SEPARATOR = re.compile(r"(?<=\d)[,\u066c\u2019'](?=\d{3})")


def normalized(text: str) -> str:
    """A text as answers are compared in ``../shared/eval/README.md``: NFKC, case folded, without spaces
    and thousands separators."""
    return re.sub(r"\s+", "", _folded(text))


def _folded(text: str) -> str:
    """NFKC, case folded, thousands separators removed, spaces kept (one)."""
    text = _SEPARATOR.sub("", unicodedata.normalize("NFKC", text).casefold())
    return re.sub(r"\s+", " ", text)


class SourceLike(Protocol):
    """What the evaluation reads of a source (``index.answer.types.Source`` is one)."""

    url: str


class ReleaseAnswerLike(Protocol):
    """What the evaluation reads of one answering release (``index.answer.types.ReleaseAnswer`` is one)."""

    url: str
    date: str


class AnswerLike(Protocol):
    """What the evaluation reads of an answer (``index.answer.types.Answer`` is one). Why a protocol:
    this module sits below the answer package (the reader's training imports it), so it names the
    attributes it needs instead of importing the type."""

    found: bool
    answer: str | None
    evidence: str
    presentation: str

    @property
    def sources(self) -> Sequence[SourceLike]: ...

    @property
    def answers(self) -> Sequence[ReleaseAnswerLike]: ...


def _expected(question: dict[str, Any]) -> list[str]:
    """The answer and its aliases, normalised, empty ones dropped (an empty string is in every text)."""
    raw = [question.get("answer") or ""] + list(question.get("answer_aliases") or [])
    return [e for e in (normalized(str(x)) for x in raw) if e]


def _from_gold(question: dict[str, Any], answer: AnswerLike) -> bool:
    gold = set(question.get("gold_urls") or [])
    sources = list(answer.sources or [])
    return bool(gold) and bool(answer.found) and bool(sources) and sources[0].url in gold


def answer_is_correct(question: dict[str, Any], answer: AnswerLike) -> bool:
    """The question sets' rule: answer or alias inside short answer + evidence[:400], from a gold release."""
    if not _from_gold(question, answer):
        return False
    haystack = normalized((answer.answer or "") + " " + (answer.evidence or "")[:EVIDENCE_CHARS])
    return any(e in haystack for e in _expected(question))


def answer_is_strictly_correct(question: dict[str, Any], answer: AnswerLike) -> bool:
    """The rule read strictly (see the module docstring): short answers only in the short answer, numbers
    not inside longer numbers, the short answer and the evidence compared apart."""
    if short_answer_is_right(question, answer):
        return True
    if not _from_gold(question, answer):
        return False
    evidence = _folded((answer.evidence or "")[:EVIDENCE_CHARS])
    return any(not _WEAK.fullmatch(e) and _pattern(e).search(evidence) for e in _expected(question))


def short_answer_is_right(question: dict[str, Any], answer: AnswerLike) -> bool:
    """The reply's short answer alone holds the answer or an alias (strict reading), from a gold release:
    what a bold short answer must be. False for a reply without one, and for any on an unanswerable
    question."""
    if not answer.answer or not _from_gold(question, answer):
        return False
    short = _folded(answer.answer)
    return any(_pattern(e).search(short) for e in _expected(question))


def _pattern(expected: str) -> re.Pattern[str]:
    """``expected`` (normalised: no spaces) found in a text that keeps its spaces (any one space may fall
    between two of its characters), not as part of a longer number, nor of a longer Latin word."""
    body = r"\s?".join(re.escape(ch) for ch in expected)
    before = r"(?<![\d.])" if expected[0].isdigit() else (r"(?<![a-z])" if expected[0].isascii() else "")
    after = r"(?![\d]|\.\d)" if expected[-1].isdigit() else (r"(?![a-z])" if expected[-1].isascii() else "")
    return re.compile(before + body + after)
