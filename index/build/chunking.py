"""Cutting a release into passages: paragraphs first, then Thai clauses, packed under a token budget.

Why this shape:
- Passage retrieval works best with focused passages, so chunks stay under :data:`CHUNK_TOKENS` tokens
  of the embedding model's own tokenizer (e5 reads at most 512; the title/date prefix needs room too).
- Thai ends sentences and clauses with a space, not a full stop, so inside a paragraph too long for one
  chunk we cut at spaces next to Thai letters and after sentence punctuation (English). pythainlp's
  sentence splitter (CRF) costs ~1.8 s per 50 k characters, far too slow for 600 kB cabinet summaries;
  space splitting costs nothing and finds the same boundaries the writers typed.
- Each chunk's text is an exact slice of the body (``body[start:end]``), so nothing is lost or altered
  and the answer part can quote it; consecutive chunks share one short clause (overlap) so a sentence
  cut at a boundary is still whole in one of them.
- The embedded text carries the release's title and date (Thai and English forms) as context:
  :func:`passage_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus.release import Release

#: Most tokens of body text in one chunk (the title/date prefix comes on top, ≤ ~70 tokens).
CHUNK_TOKENS = 256
#: A clause carried over into the next chunk must be at most this long (tokens).
OVERLAP_TOKENS = 48
#: Characters of the title kept in the embedded prefix (≈ 60 tokens).
TITLE_PREFIX_CHARS = 240
#: Changes when the chunking rules change; recorded in each generation's manifest so that an
#: ``update`` after a change re-chunks everything instead of mixing two kinds of chunks.
CHUNKER_VERSION = f"v1-{CHUNK_TOKENS}-{OVERLAP_TOKENS}"

#: A function returning the token count of each text (the embedding model's tokenizer, no special tokens).
TokenCounter = Callable[[Sequence[str]], list[int]]

_CLAUSE_BREAK = re.compile(r"(?<=[.!?;…])\s+|(?<=[\u0e01-\u0e5b])\s+|\s+(?=[\u0e01-\u0e5b])")
_ANY_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """One passage: ``text`` is ``body[start:end]`` (or the title, for a release with no body)."""

    position: int
    text: str
    start: int
    end: int
    n_tokens: int


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    n_tokens: int


def token_counter(tokenizer: object) -> TokenCounter:
    """A :data:`TokenCounter` over a Hugging Face tokenizer (batch call: the fast tokenizer is Rust)."""

    def count(texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = tokenizer(list(texts), add_special_tokens=False)["input_ids"]  # type: ignore[operator]
        return [len(ids) for ids in encoded]

    return count


def _spans(text: str, pattern: re.Pattern[str], base: int) -> list[tuple[int, int]]:
    """Non-space spans of ``text`` between matches of ``pattern``, as offsets shifted by ``base``."""
    spans = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            spans.append((base + pos, base + match.start()))
        pos = match.end()
    if pos < len(text):
        spans.append((base + pos, base + len(text)))
    return spans


def _split_long(
    body: str, span: tuple[int, int], n_tokens: int, budget: int, count: TokenCounter
) -> list[_Unit]:
    """Cut one over-budget span into units that fit: clauses, then words, then halves."""
    start, end = span
    text = body[start:end]
    for pattern in (_CLAUSE_BREAK, _ANY_SPACE):
        pieces = _spans(text, pattern, start)
        if len(pieces) > 1:
            break
    else:
        # No space at all: halve by characters until each half fits (rare: long runs of digits or URLs).
        mid = start + (end - start) // 2
        pieces = [(start, mid), (mid, end)]
    counts = count([body[a:b] for a, b in pieces])
    units: list[_Unit] = []
    for piece, n in zip(pieces, counts, strict=True):
        if n > budget and piece[1] - piece[0] > 1:
            units.extend(_split_long(body, piece, n, budget, count))
        else:
            units.append(_Unit(piece[0], piece[1], n))
    return units


def _units(body: str, budget: int, count: TokenCounter) -> list[_Unit]:
    """Paragraphs (lines) that fit the budget, and the clauses of those that do not."""
    paragraphs = _spans(body, re.compile(r"\n\s*"), 0)
    paragraphs = [(a, b) for a, b in paragraphs if body[a:b].strip()]
    counts = count([body[a:b] for a, b in paragraphs])
    units: list[_Unit] = []
    for span, n in zip(paragraphs, counts, strict=True):
        if n <= budget:
            units.append(_Unit(span[0], span[1], n))
        else:
            units.extend(_split_long(body, span, n, budget, count))
    return units


def _pack(units: list[_Unit], budget: int, overlap: int) -> list[list[_Unit]]:
    """Greedy packing of consecutive units under ``budget``, repeating one short unit across a cut."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    used = 0
    for unit in units:
        if current and used + unit.n_tokens > budget:
            groups.append(current)
            last = current[-1]
            if len(current) > 1 and last.n_tokens <= overlap and last.n_tokens + unit.n_tokens <= budget:
                current, used = [last], last.n_tokens
            else:
                current, used = [], 0
        current.append(unit)
        used += unit.n_tokens
    if current:
        groups.append(current)
    return groups


def chunk_body(
    body: str, count: TokenCounter, budget: int = CHUNK_TOKENS, overlap: int = OVERLAP_TOKENS
) -> list[Chunk]:
    """Chunks of ``body``, each at most ``budget`` tokens as the tokenizer counts the chunk's own text.

    Unit counts are added to pack, which is nearly exact for SentencePiece; each packed chunk is then
    counted as a whole and a chunk over budget (a few tokens of join effects) is split again, so the
    budget holds exactly.
    """
    units = _units(body, budget, count)
    groups = _pack(units, budget, overlap)
    final: list[tuple[list[_Unit], int]] = []
    pending = list(reversed(groups))
    while pending:
        batch = list(reversed(pending))
        pending = []
        totals = count([body[g[0].start : g[-1].end] for g in batch])
        for group, total in zip(batch, totals, strict=True):
            if total <= budget or len(group) == 1:
                final.append((group, total))
            else:
                # Repack this group tighter and recheck (shrinks the budget by the excess).
                tighter = _pack(group, max(1, budget - (total - budget) - 2), 0)
                if len(tighter) == 1:
                    tighter = [group[: len(group) // 2], group[len(group) // 2 :]]
                pending.extend(reversed(tighter))
    final.sort(key=lambda item: (item[0][0].start, item[0][-1].end))
    return [
        Chunk(position=i, text=body[g[0].start : g[-1].end], start=g[0].start, end=g[-1].end, n_tokens=n)
        for i, (g, n) in enumerate(final)
    ]


def chunk_release(release: Release, count: TokenCounter, budget: int = CHUNK_TOKENS) -> list[Chunk]:
    """Chunks of a release's body; a release with no body becomes one chunk holding its title."""
    chunks = chunk_body(release.body, count, budget) if release.body.strip() else []
    if not chunks:
        title = release.title.strip() or release.url
        return [Chunk(position=0, text=title, start=0, end=0, n_tokens=count([title])[0])]
    return chunks


def date_label(iso_date: str) -> str:
    """The publication date in Thai and English (``19 ธ.ค. 2566 (19 December 2023)``); '' if unknown."""
    from corpus.thaidate import format_en, format_th

    try:
        day = dt.date.fromisoformat(iso_date)
    except (TypeError, ValueError):
        return ""
    return f"{format_th(day)} ({format_en(day)})"


def passage_text(title: str, iso_date: str, chunk_text: str) -> str:
    """What is embedded for a chunk (the model's ``passage: `` prompt is added by the embedder)."""
    head = title.strip()[:TITLE_PREFIX_CHARS]
    label = date_label(iso_date)
    parts = [p for p in (head, label) if p]
    if chunk_text.strip() == title.strip():
        return "\n".join(parts)
    return "\n".join([*parts, chunk_text])
