"""Thai names matched by how an English spelling sounds ("Supamas", "Roi Et": ศุภมาส, ร้อยเอ็ด).

Why: English spellings of Thai names follow no single system. The name table (``index/data/names_th.tsv``:
Thai names found after honorifics and place words, romanised with royin) is indexed by a consonant skeleton
with one deletion allowed, and candidates are ranked by the similarity of their spelling-tolerant forms.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict

from rapidfuzz.distance import Indel


def phonetic(s: str) -> str:
    """A spelling-tolerant form of a romanised Thai word: aspiration, voicing and finals merged.

    English spellings of Thai names vary (Supamas / Suphamat, Varawut / Warawut, Chidchob / Chitchop): the
    merges below are the sound classes Thai romanisations disagree on.
    """
    s = re.sub(r"[^a-z]", "", s.lower())
    for a, b in (("ph", "p"), ("th", "t"), ("kh", "k"), ("ch", "c"), ("sh", "s"), ("ng", "n"), ("j", "c")):
        s = s.replace(a, b)
    s = s.translate(str.maketrans("bdgvzqlx", "ptkwskrk"))
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"s$", "t", s)
    return s


def skeleton(s: str) -> str:
    """The consonants of :func:`phonetic` (vowels are the least reliable part of a romanisation)."""
    sk = re.sub(r"[aeiouy]", "", phonetic(s))
    return re.sub(r"(.)\1+", r"\1", sk)


def _deletions(s: str) -> set[str]:
    return {s} | {s[:i] + s[i + 1 :] for i in range(len(s))}


class NameMatcher:
    """The name table, indexed for :meth:`match`; one serves the bot's concurrent questions."""

    def __init__(self, names: list[tuple[str, str, int]]) -> None:
        self.names = names
        self._cache: dict[tuple[str, int, float], list[tuple[str, float]]] = {}
        self._lock = threading.Lock()
        self._by_skeleton: dict[str, list[int]] = defaultdict(list)
        self._phon = [phonetic(rom) for _, rom, _ in names]
        for i, (_, rom, _) in enumerate(names):
            sk = skeleton(rom)
            if len(sk) >= 2:
                for d in _deletions(sk):
                    self._by_skeleton[d].append(i)

    def match(self, word: str, limit: int = 2, min_ratio: float = 0.72) -> list[tuple[str, float]]:
        """Thai names whose royin romanisation sounds like ``word`` (one English word or a joined pair).

        Cached: the sound comparison (~10 ms a word over 38k names) is asked for the same question by
        retrieval and twice more by the answer step (its Thai rendering and phrases).
        """
        key = (word, limit, min_ratio)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            # Computed outside the lock: two threads may both compute it, neither waits on the other.
            cached = self._match(word, limit, min_ratio)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = cached
        return list(cached)

    def _match(self, word: str, limit: int, min_ratio: float) -> list[tuple[str, float]]:
        sk = skeleton(word)
        if len(sk) < 2:
            return []
        cand: set[int] = set()
        for d in _deletions(sk):
            cand.update(self._by_skeleton.get(d, ()))
        if not cand:
            return []
        ph = phonetic(word)
        scored = []
        # rapidfuzz's Indel similarity (2 x matched characters / both lengths, as difflib's ratio, with the
        # longest common subsequence for the matches) in C++: difflib took ~1 ms a word over its ~500
        # candidates, on the path of an English question's rendering, which its dense search waits for;
        # 6x faster, the same first two names for 1,707 of 1,722 words of the question sets.
        for i in sorted(cand):
            ratio = Indel.normalized_similarity(self._phon[i], ph, score_cutoff=min_ratio)
            if ratio >= min_ratio:
                scored.append((ratio, self.names[i][2], self.names[i][0]))
        scored.sort(reverse=True)
        out: list[tuple[str, float]] = []
        for ratio, _, thai in scored:
            if thai not in (t for t, _ in out):
                out.append((thai, ratio))
            if len(out) >= limit:
                break
        return out
