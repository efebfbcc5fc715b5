"""Snippets: each listed release's text around the question's words, from the quote of its sentence the
reader scored highest (or its best passage when the reader did not read it).

Why: a refusal says that no release clearly answers and lists the closest ones. With titles alone a user
must open each link to see why it is close; a line of the release under its title (what a search engine
shows) says it at a glance. On the validation folds of the writers' sets four refused answerable questions
in ten have a right top pick that the reader was not sure enough of: there the snippet lets the user read
the answer at the source, without the reply asserting it. A snippet is the release's text, verbatim and
cut, never a short answer. Every reply's sources carry one (an inline result's release card shows it); the
reply's text shows them only in a refusal (a found reply quotes its evidence instead).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from corpus.thaidate import find_dates
from index.answer.evidence import anchors, quoted_text, span_words
from index.answer.words import has_thai
from index.lexical import split_thai

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.analysis import Analysis
    from index.answer.candidates import QuestionWords
    from index.answer.types import Source

#: Most characters of a snippet (the cut ends get "…").
SNIPPET_CHARS = 180
#: Characters kept before the first question word the window starts at, so the snippet reads from its
#: context rather than mid-phrase.
LEAD_CHARS = 30


def with_snippets(sources: list[Source], analysis: Analysis, raw: np.ndarray) -> list[Source]:
    """``sources`` with each release's snippet: from the quote of its sentence the reader scored highest,
    or, for a listed release outside the reader's top releases, from its best passage."""
    best: dict[str, int] = {}
    for i, c in enumerate(analysis.candidates):
        if c.url not in best or raw[i] > raw[best[c.url]]:
            best[c.url] = i
    out = []
    for src in sources:
        k = best.get(src.url)
        text = quoted_text(analysis.candidates[k]) if k is not None else src.passage
        cut = snippet(text, analysis.words)
        out.append(dataclasses.replace(src, snippet=cut) if cut else src)
    return out


def snippet(text: str, words: QuestionWords) -> str:
    """``text`` whole when short, else the :data:`SNIPPET_CHARS` window that holds most of the question's
    words (Thai renderings of an English question's words included), "…" at a cut end. A cut never splits
    a date (the window grows to hold it whole: a gloss of a date cut short would misread it) or a Thai word
    (a cut inside one can start with a vowel or tone mark, which Telegram shows on a dotted circle)."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    hits = sorted(a for a, _ in anchors(text, span_words(text, words, words.own)))
    start = _word_start(text, _densest_start(hits, len(text)))
    start, end = _whole_dates(text, start, min(len(text), start + SNIPPET_CHARS))
    start, end = _thai_word_edge(text, start, True), _thai_word_edge(text, end, False)
    if end <= start:  # one Thai word longer than the window: cut it where the window ends
        end = min(len(text), start + SNIPPET_CHARS)
    cut = text[start:end].strip()
    return ("…" if start > 0 else "") + cut + ("…" if end < len(text) and not cut.endswith("…") else "")


def _whole_dates(text: str, start: int, end: int) -> tuple[int, int]:
    """The window ``[start, end)`` widened so that no date mention is cut."""
    for m in find_dates(text):
        if m.start < start < m.end:
            start = m.start
        if m.start < end < m.end:
            end = m.end
    return start, end


def _thai_word_edge(text: str, pos: int, forward: bool) -> int:
    """``pos`` moved to the nearest Thai word boundary (after it with ``forward``, else before it) when it
    falls inside a run of Thai letters; elsewhere ``pos`` itself."""
    if pos <= 0 or pos >= len(text) or not (has_thai(text[pos - 1]) and has_thai(text[pos])):
        return pos
    a = pos
    while a > 0 and has_thai(text[a - 1]):
        a -= 1
    b = pos
    while b < len(text) and has_thai(text[b]):
        b += 1
    edges = [a]
    for word in split_thai(text[a:b]):
        edges.append(edges[-1] + len(word))
    if edges[-1] != b:  # the words do not spell the run (should not happen): keep the plain cut
        return pos
    return min(e for e in edges if e >= pos) if forward else max(e for e in edges if e <= pos)


def _densest_start(positions: list[int], length: int) -> int:
    """Where the window that covers the most question words starts (a little before the first of them);
    0 when the sentence holds none."""
    if not positions:
        return 0
    best_first, best_n = positions[0], 0
    for i, first in enumerate(positions):
        n = sum(1 for p in positions[i:] if p < first + SNIPPET_CHARS - LEAD_CHARS)
        if n > best_n:
            best_first, best_n = first, n
    return max(0, min(best_first - LEAD_CHARS, length - SNIPPET_CHARS))


def _word_start(text: str, start: int) -> int:
    """``start`` moved forward to just after a space when one is near (a cut inside a word reads badly;
    Thai runs have no spaces, so within a Thai run :func:`_thai_word_edge` finds the word's start). The
    space before the Thai repetition mark (``ต่าง ๆ``) belongs to the word: no snippet starts with ๆ."""
    if start == 0:
        return 0
    space = text.find(" ", start, start + LEAD_CHARS)
    while space >= 0 and text[space + 1 : space + 2] == "ๆ":
        space = text.find(" ", space + 1, start + LEAD_CHARS)
    return space + 1 if space >= 0 else start
