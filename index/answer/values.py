"""A span's value as two sentences can share it: what "the same answer" means across sentences and releases.

Used twice: the reader's agreement features (how many other candidates hold the value a candidate's span
says: a value several releases repeat is likelier the asked one, :mod:`index.answer.features`) and the
other-release model (does another release say the shown answer too, :mod:`index.answer.several_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.answer.span_values import plain_digits
from index.answer.words import compact

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.candidates import Candidate
    from index.answer.spans import Span


def value_key(span: Span | None) -> str | None:
    """A span's value in a form two releases can share: the date, the digits, or the words run together."""
    if span is None:
        return None
    if span.date is not None:
        return span.date.isoformat() + (f"/{span.until.isoformat()}" if span.until is not None else "")
    if span.kind == "number":
        digits = plain_digits(span.text)
        return "".join(ch for ch in digits if ch.isdigit() or ch == ".") or None
    return compact(span.text).casefold() or None


@dataclass(frozen=True)
class Said:
    """What one candidate sentence says, in the forms values are compared in (computed once a sentence)."""

    digits: str
    flat: str
    #: the value of the sentence's own span of the asked kind
    key: str | None


def said(candidate: Candidate) -> Said:
    """A candidate sentence's :class:`Said` (its digits and folded text are compared with many values)."""
    text = candidate.text
    return Said(plain_digits(text), compact(text).casefold(), value_key(candidate.span))


def says(sentence: Said, key: str, span: Span) -> bool:
    """Whether a sentence says the value ``key`` of ``span``: the digits of a number anywhere in it, a date
    only as its own span (a sentence's other dates are other events), a name or place as text."""
    if span.kind == "number":
        return key in sentence.digits
    if span.date is not None:
        return sentence.key == key
    return key in sentence.flat


def holds_value(candidate: Candidate, key: str, span: Span) -> bool:
    """Whether a candidate sentence says the value ``key`` of ``span`` (:func:`says`)."""
    return says(said(candidate), key, span)


def agreement(candidates: Sequence[Candidate]) -> list[tuple[int, int, float]]:
    """For each candidate: how many other releases and how many other sentences of its own release say the
    value its span says, and those two counts together over the other sentences that have a span (an other
    release counts once however many of its sentences say it); zeros without a span. Why: a value several
    sources repeat is likelier the asked one than a value said once."""
    sentences = [said(c) for c in candidates]
    with_span = sum(1 for c in candidates if c.span is not None)
    out = []
    for i, c in enumerate(candidates):
        key = sentences[i].key
        if c.span is None or key is None:
            out.append((0, 0, 0.0))
            continue
        others: set[str] = set()
        same = 0
        for j, d in enumerate(candidates):
            if j != i and says(sentences[j], key, c.span):
                if d.url == c.url:
                    same += 1
                else:
                    others.add(d.url)
        out.append((len(others), same, (len(others) + same) / max(1, with_span - 1)))
    return out
