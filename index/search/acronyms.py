"""Latin acronyms of Thai agencies and programmes, and the Thai words the archive writes beside them.

Why: people asking in English type an agency the short way ("ghb", "moph", "MSDHS"), and nothing else in
the rendering knows most of them: the dictionary knows another sense (GHB, the drug), the romanised-vocabulary
lookup reads an unknown one as a Thai word by sound (moph → โม่). The table (``index/data/acronyms_th.tsv``,
written by ``bench/mine_acronyms.py`` from an index generation's BM25 postings) gives, for each Latin word
that Thai releases use, the Thai words found in many of its chunks and rarely elsewhere, and the share of
its occurrences in the archive written in capitals. A question's word is read as an acronym when it is
written in capitals, or, in lower case, when the archive writes it in capitals (nearly) always: "led" is
the past of "lead" in English releases, so only "LED" is the acronym.

Thai acronyms are written in English by their letters' names ("kor yor sor" for กยศ, "Or Sor Mor" for อสม):
a run of two or more letter names is spelled out in Thai consonants and looked up among the acronyms the
archive uses (``index/data/thai_acronyms.tsv``: consonant-only words of the BM25 vocabulary, by chunks);
each name may stand for several consonants (sor: ส ศ ษ ซ), and the most used spelling wins.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ACRONYM_FILE = Path(__file__).resolve().parents[1] / "data" / "acronyms_th.tsv"
THAI_ACRONYM_FILE = Path(__file__).resolve().parents[1] / "data" / "thai_acronyms.tsv"
#: The share of an acronym's occurrences in capitals above which a lower-case question word is read as it.
ALWAYS_CAPITAL = 0.9
#: The Thai consonants by the names English text spells them with (the Thai alphabet, not a list of acronyms).
LETTER_NAMES: dict[str, str] = {
    "kor": "กขค", "gor": "ก", "khor": "ขคฆ", "ngor": "ง", "jor": "จ", "chor": "ฉชฌจ", "shor": "ช",
    "sor": "สศษซ", "zor": "ซ", "yor": "ยญ", "dor": "ดฎ", "tor": "ตฏทฐ", "dtor": "ต", "thor": "ทถธฐฑฒ",
    "nor": "นณ", "bor": "บ", "por": "ปพผ", "bpor": "ป", "phor": "พผภ", "for": "ฟฝ", "mor": "ม",
    "ror": "ร", "lor": "ลฬ", "wor": "ว", "hor": "หฮ", "or": "อ", "aor": "อ",
}  # fmt: skip
#: Letter names that are English words too: a run needs two letters besides them.
_ENGLISH_NAMES = frozenset({"for", "or", "nor"})
#: The longest run of letter names spelled out.
MAX_LETTERS = 6


@dataclass(frozen=True)
class Acronyms:
    """Acronym (lower case) → its Thai words, best first, and how often the archive capitalises it."""

    renderings: dict[str, list[tuple[str, float]]]
    capitals: dict[str, float]
    thai: dict[str, int] = field(default_factory=dict)  # Thai acronym → chunks holding it

    @classmethod
    def load(cls, path: Path = ACRONYM_FILE, thai_path: Path | None = THAI_ACRONYM_FILE) -> Acronyms:
        """The mined tables; empty (with a warning) where a file is missing."""
        renderings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        capitals: dict[str, float] = {}
        thai: dict[str, int] = {}
        if thai_path is not None and thai_path.is_file():
            for line in thai_path.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    word, chunks = line.split("\t")
                    thai[word] = int(chunks)
        if not path.is_file():
            log.warning("no acronym table at %s: acronyms in English questions stay as written", path)
            return cls({}, {}, thai)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            acronym, word, score, _, share = line.split("\t")
            renderings[acronym].append((word, float(score)))
            capitals[acronym] = float(share)
        for lst in renderings.values():
            lst.sort(key=lambda r: -r[1])
        return cls(dict(renderings), capitals, thai)

    def of(self, word: str) -> list[tuple[str, float]]:
        """The Thai words for ``word`` as the question writes it; none when it is not read as an acronym."""
        low = word.lower()
        found = self.renderings.get(low)
        if not found:
            return []
        if word.isupper() and len(word) >= 2:
            return list(found)
        return list(found) if word == low and self.capitals.get(low, 0.0) >= ALWAYS_CAPITAL else []

    def spelled(self, words: list[str]) -> list[tuple[int, int, str]]:
        """Runs of letter names among ``words`` (lower case) that spell a Thai acronym of the archive:
        ``(first, end, Thai acronym)``. A run is taken whole (of 2 to :data:`MAX_LETTERS` names) or not at
        all: "or sor tor lor" is อสทล or nothing, not อสต and a stray "lor"."""
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            end = i
            while end < len(words) and words[end] in LETTER_NAMES:
                end += 1
            run = words[i:end]
            if 2 <= len(run) <= MAX_LETTERS and sum(w not in _ENGLISH_NAMES for w in run) >= 2:
                found = self._spelling(run)
                if found:
                    out.append((i, end, found))
            i = max(end, i + 1)
        return out

    def _spelling(self, names: list[str]) -> str | None:
        """The archive's most used acronym the letter ``names`` spell, if any."""
        best = max(
            ("".join(letters) for letters in itertools.product(*(LETTER_NAMES[n] for n in names))),
            key=lambda word: (self.thai.get(word, 0), word),
        )
        return best if self.thai.get(best, 0) > 0 else None
