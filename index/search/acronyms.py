"""Latin acronyms of Thai agencies and programmes, and the Thai words the archive writes beside them.

Why: people asking in English type an agency the short way ("ghb", "moph", "MSDHS"), and nothing else in
the rendering knows most of them: the dictionary knows another sense (GHB, the drug), the romanised-vocabulary
lookup reads an unknown one as a Thai word by sound (moph → โม่). The table (``index/data/acronyms_th.tsv``,
written by ``bench/mine_acronyms.py`` from an index generation's BM25 postings) gives, for each Latin word
that Thai releases use, the Thai words found in many of its chunks and rarely elsewhere, and the share of
its occurrences in the archive written in capitals. A question's word is read as an acronym when it is
written in capitals (unless the whole question is), or, in lower case, when the archive writes it in
capitals (nearly) always: "led" is the past of "lead" in English releases, so only "LED" is the acronym.
Thai acronyms spelled by their letters' names ("kor yor sor") are :mod:`index.search.letter_names`'.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ACRONYM_FILE = Path(__file__).resolve().parents[1] / "data" / "acronyms_th.tsv"
#: The share of an acronym's occurrences in capitals above which a lower-case question word is read as it.
ALWAYS_CAPITAL = 0.9


@dataclass(frozen=True)
class Acronyms:
    """Acronym (lower case) → its Thai words, best first, and how often the archive capitalises it."""

    renderings: dict[str, list[tuple[str, float]]]
    capitals: dict[str, float]

    @classmethod
    def load(cls, path: Path = ACRONYM_FILE) -> Acronyms:
        """The mined table; empty (with a warning) when the file is missing. A malformed row is skipped
        with a warning: the bot must start on a damaged table, without those acronyms."""
        renderings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        capitals: dict[str, float] = {}
        if not path.is_file():
            log.warning("no acronym table at %s: acronyms in English questions stay as written", path)
            return cls({}, {})
        bad = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            try:
                acronym, word, score, _, share = line.split("\t")
                renderings[acronym].append((word, float(score)))
                capitals[acronym] = float(share)
            except ValueError:
                bad += 1
        if bad:
            log.warning("%s: %d malformed rows skipped", path, bad)
        for lst in renderings.values():
            lst.sort(key=lambda r: -r[1])
        return cls(dict(renderings), capitals)

    def of(self, word: str, shouting: bool = False) -> list[tuple[str, float]]:
        """The Thai words for ``word`` as the question writes it (a plural as its stem: "GHBs"; the caller
        strips a possessive, as for every table); none when it is not read as an acronym. ``shouting``: the
        whole question is in capitals, so capitals say nothing and every word is read as if in lower case."""
        if word[-1:] in ("s", "S") and len(word) > 2 and word.lower() not in self.renderings:
            word = word[:-1]
        low = word.lower()
        found = self.renderings.get(low)
        if not found:
            return []
        if word.isupper() and len(word) >= 2 and not shouting:
            return list(found)
        always = self.capitals.get(low, 0.0) >= ALWAYS_CAPITAL
        return list(found) if (word == low or shouting) and always else []
