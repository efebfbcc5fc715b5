"""Thai words an English question spells out in Latin letters ("ruam jai", "nong loeng", "tha bo").

Why: people asking in English about Thai news write Thai names of events, places and programmes as they
sound, lowercase and in no fixed system. Those words are in no glossary; the name matcher
(:class:`index.search.names.NameMatcher`) serves capitalised words only, and the renderings induced
from e5 for such a word are guesses of a meaning it does not have (``jai`` → แจ้). The corpus's own Thai
vocabulary, romanised with pythainlp's rule-based royin engine, tells which Thai words sound like them: a
question word, or two or three adjacent ones written together, whose spelling key equals a vocabulary
word's key finds that word.

The table (``index/data/translit_th.tsv``: Thai word, royin romanisation, chunks holding it) is written by
``bench/romanise_vocab.py`` from an index generation's BM25 vocabulary; nothing here is written for a
question. Keys merge the letters romanisations disagree on (j/ch, ph/p, ue/eu/oe...); a single word needs
a key of 4+ letters, a joined run 5+, and each key keeps its most frequent Thai words.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from pathlib import Path

log = logging.getLogger(__name__)

TRANSLIT_FILE = Path(__file__).resolve().parents[1] / "data" / "translit_th.tsv"
#: Thai words kept for one key (the most frequent first).
PER_KEY = 3
#: Shortest key a single word (``SINGLE``) or a run of joined words (``JOINED``) may match on.
SINGLE, JOINED = 4, 5
#: Longest run of adjacent words joined into one key.
MAX_RUN = 3
#: Spellings that romanisations of one Thai sound disagree on, merged in this order.
_MERGES = (
    ("j", "ch"),
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("ch", "c"),
    ("ue", "u"),
    ("eu", "u"),
    ("oe", "u"),
    ("er", "u"),
    ("oo", "u"),
    ("aw", "o"),
    ("ee", "i"),
    ("y", "i"),
    ("w", "u"),
    ("v", "u"),
)


def key(romanised: str) -> str:
    """The spelling key of a romanised word: letters only, disagreeing spellings merged, doubles single."""
    s = re.sub(r"[^a-z]", "", romanised.lower())
    for a, b in _MERGES:
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


class Transliterations:
    """Spelling key → the Thai words that romanise to it, most frequent first."""

    def __init__(self, by_key: dict[str, list[str]]) -> None:
        self.by_key = by_key

    @classmethod
    def load(cls, path: Path = TRANSLIT_FILE) -> Transliterations:
        """The table at ``path``; an empty one (and a warning) when it is missing."""
        rows: dict[str, list[tuple[int, str]]] = defaultdict(list)
        if not path.is_file():
            log.warning("no transliteration table at %s: romanised Thai words are not looked up", path)
            return cls({})
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 3 or line.startswith("#"):
                continue
            k = key(parts[1])
            if len(k) >= SINGLE:
                rows[k].append((int(parts[2]), parts[0]))
        return cls(
            {k: [w for _, w in sorted(v, key=lambda r: (-r[0], r[1]))][:PER_KEY] for k, v in rows.items()}
        )

    def match(
        self, words: list[str], candidate: list[bool], joinable: list[bool] | None = None
    ) -> dict[int, list[tuple[str, str]]]:
        """For each word position, ``(source words, Thai word)`` found for it: runs of words (longest first)
        joined into one key, then single ``candidate`` words. A word a run matched is not matched alone.

        A run holds at least one ``candidate`` word and otherwise ``joinable`` ones (default: candidates
        only): English words a romanisation happens to spell ("sang", "suk" in "ruam jai sang khwam suk")
        join the unknown word beside them, where the whole run is one Thai word of the corpus."""
        joinable = joinable or candidate
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        taken = [False] * len(words)
        for n in range(MAX_RUN, 0, -1):
            for i in range(len(words) - n + 1):
                span = range(i, i + n)
                if n == 1 and (taken[i] or not candidate[i]):
                    continue
                if not all(candidate[j] or joinable[j] for j in span) or not any(candidate[j] for j in span):
                    continue
                k = key("".join(words[i : i + n]))
                if len(k) < (SINGLE if n == 1 else JOINED) or k not in self.by_key:
                    continue
                source = " ".join(words[i : i + n])
                for thai in self.by_key[k]:
                    found[i].append((source, thai))
                for j in span:
                    taken[j] = True
        return dict(found)
