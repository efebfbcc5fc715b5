"""Thai words cut short with ฯ (ไปยาลน้อย) completed from the index's own vocabulary: "นครศรีฯ" → นครศรีธรรมราช.

Why: ฯ marks a word written only in part, and the word splitter cuts the part into pieces that match nothing
of the whole ("นครศรีฯ" gives นคร, ศรี; the releases' นครศรีธรรมราช is one word). The completion is the word
of the generation's BM25 vocabulary that starts with the part and is found in the most chunks, so it is the
archive's own usage, not a list: นายกฯ → นายกรัฐมนตรี, ประจวบฯ → ประจวบคีรีขันธ์. The part's pieces stay in
the query (releases write นายกฯ too). The longest trailing run of pieces with a completion is taken, up to
:data:`MAX_PIECES`, so "ประชุมที่นครศรีฯ" completes นครศรี, not ศรี. A part the archive itself writes about as
often as the whole (นายกฯ, สหรัฐฯ, กรุงเทพฯ) already matches the releases and is not completed: the whole
word must be found in :data:`WHOLE_RATIO` times as many chunks as the part.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

#: A run of Thai letters right before ฯ (ฯลฯ, "and so on", is not an abbreviation).
_CUT = re.compile(r"([\u0e01-\u0e4e]+)ฯ(?!ล)")
#: Trailing pieces of the run tried as the part, longest first.
MAX_PIECES = 3
#: A part shorter than this (in characters) completes too many words to choose.
MIN_PART = 3
#: The whole word must be this many times as frequent as the part for the part to be completed.
WHOLE_RATIO = 2.0


class Completer:
    """Completes parts against a sorted vocabulary, choosing by document frequency."""

    def __init__(self, terms: Sequence[str], doc_freq: Callable[[str], int]) -> None:
        self._sorted = sorted(t for t in terms if t and "\u0e01" <= t[0] <= "\u0e4e")
        self._doc_freq = doc_freq

    def complete(self, part: str) -> str | None:
        """The most frequent vocabulary word that starts with ``part`` and is longer, when the archive
        writes it whole far more often than cut (else None)."""
        if len(part) < MIN_PART:
            return None
        lo = bisect.bisect_right(self._sorted, part)
        hi = bisect.bisect_left(self._sorted, part + "\U0010ffff")
        if lo >= hi:
            return None
        whole = max(self._sorted[lo:hi], key=lambda t: (self._doc_freq(t), -len(t), t))
        return whole if self._doc_freq(whole) >= WHOLE_RATIO * self._doc_freq(part) else None

    def expansions(self, text: str, split: Callable[[str], list[str]]) -> list[str]:
        """The completions of the cut words of ``text`` (``split``: the word splitter)."""
        out: list[str] = []
        for m in _CUT.finditer(text):
            pieces = split(m.group(1))
            for n in range(min(MAX_PIECES, len(pieces)), 0, -1):
                word = self.complete("".join(pieces[-n:]))
                if word is not None:
                    out.append(word)
                    break
        return out
