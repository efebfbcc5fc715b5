"""Thai acronyms an English question spells by their letters' names: "kor yor sor" (กยศ), "Or Sor Mor" (อสม).

Why: English news and people writing in English name Thai agencies and schemes this way, and no table
renders the names (``kor`` is no word; "sor" alone is nothing). A run of letter names is spelled out in
Thai consonants (each name standing for every consonant it names: sor is ส ศ ษ ซ) and looked up among the
consonant-only words of the archive's BM25 vocabulary (``index/data/thai_acronyms.tsv``, written by
``bench/mine_acronyms.py``, with the chunks holding each); the most used spelling wins. The letter names are
the Thai alphabet's, not a list of acronyms.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

THAI_ACRONYM_FILE = Path(__file__).resolve().parents[1] / "data" / "thai_acronyms.tsv"
#: The Thai consonants by the names English text spells them with.
LETTER_NAMES: dict[str, str] = {
    "kor": "กขค", "gor": "ก", "khor": "ขคฆ", "ngor": "ง", "jor": "จ", "chor": "ฉชฌจ", "shor": "ช",
    "sor": "สศษซ", "zor": "ซ", "yor": "ยญ", "dor": "ดฎ", "tor": "ตฏทฐ", "dtor": "ต", "thor": "ทถธฐฑฒ",
    "nor": "นณ", "bor": "บ", "por": "ปพผ", "bpor": "ป", "phor": "พผภ", "for": "ฟฝ", "mor": "ม",
    "ror": "ร", "lor": "ลฬ", "wor": "ว", "hor": "หฮ", "or": "อ", "aor": "อ",
}  # fmt: skip
#: Letter names that are English words too: a run needs two letters besides them, and one at either end of
#: a run that spells nothing is tried without ("deadline for kor yor sor").
_ENGLISH_NAMES = frozenset({"for", "or", "nor"})
#: The most letters an acronym of the table has; longer runs are split at the English names in them.
MAX_LETTERS = 6


@dataclass(frozen=True)
class ThaiAcronyms:
    """Thai acronym → chunks holding it, and every prefix of one (to spell a run letter by letter)."""

    chunks: dict[str, int]
    prefixes: frozenset[str]

    @classmethod
    def load(cls, path: Path = THAI_ACRONYM_FILE) -> ThaiAcronyms:
        """The mined table; empty (with a warning) when missing; malformed rows skipped."""
        chunks: dict[str, int] = {}
        if not path.is_file():
            log.warning("no Thai acronym table at %s: letter names are not spelled out", path)
            return cls({}, frozenset())
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) != 2 or not parts[1].isdigit():
                continue
            chunks[parts[0]] = int(parts[1])
        return cls.of(chunks)

    @classmethod
    def of(cls, chunks: dict[str, int]) -> ThaiAcronyms:
        """A table from its words and counts."""
        return cls(chunks, frozenset(w[:i] for w in chunks for i in range(1, len(w) + 1)))

    def spelled(self, words: list[str]) -> list[tuple[int, int, str]]:
        """Runs of letter names among ``words`` (lower case) that spell an acronym of the archive:
        ``(first, end, Thai acronym)``. A run is tried whole ("or sor tor lor" is อสทล, not อสต), then
        without an English word at either end, then split at the English words in it."""
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            end = i
            while end < len(words) and words[end] in LETTER_NAMES:
                end += 1
            out += self._run(words, i, end)
            i = max(end, i + 1)
        return out

    def _run(self, words: list[str], first: int, end: int) -> list[tuple[int, int, str]]:
        """What one maximal run of letter names spells (see :meth:`spelled`)."""
        lo, hi = first, end
        while True:
            found = self._spelling(words[lo:hi])
            if found:
                return [(lo, hi, found)]
            if lo < hi and words[lo] in _ENGLISH_NAMES:
                lo += 1
            elif lo < hi and words[hi - 1] in _ENGLISH_NAMES:
                hi -= 1
            else:
                break
        segments, start = [], first
        for j in range(first, end + 1):
            if j == end or words[j] in _ENGLISH_NAMES:
                segments.append((start, j))
                start = j + 1
        if len(segments) < 2:  # no English name inside: the run was tried whole
            return []
        spelled = [(lo, hi, self._spelling(words[lo:hi])) for lo, hi in segments]
        return [(lo, hi, found) for lo, hi, found in spelled if found]

    def _spelling(self, names: list[str]) -> str | None:
        """The archive's most used acronym the letter ``names`` spell (2 to :data:`MAX_LETTERS` of them,
        two at least not English words), if any; spelled letter by letter, keeping only what begins an
        acronym of the table, so a run costs a few lookups, not every combination."""
        if not 2 <= len(names) <= MAX_LETTERS or sum(n not in _ENGLISH_NAMES for n in names) < 2:
            return None
        partial = [""]
        for name in names:
            partial = [p + c for p in partial for c in LETTER_NAMES[name] if p + c in self.prefixes]
            if not partial:
                return None
        found = [(self.chunks.get(w, 0), w) for w in partial]
        best = max(found)
        return best[1] if best[0] > 0 else None
