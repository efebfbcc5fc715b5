"""British spellings read as the American ones the glossary's tables know ("fertiliser" → "fertilizer").

Why: the renderings were mined from the archive and a dictionary that mostly spell the American way, so an
English question written the British way (as the Thai government's own English and many of its readers
write) lost words the tables know under the other spelling: "fertiliser", "subsidise", "rumour", "tonne"
rendered nothing. The rules are the regular British/American spelling differences, not a word list; a
variant is taken only when the word itself is unknown and the variant is known, so a word any table
knows is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: (British ending, American ending) of the regular spelling differences.
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ise", "ize"),
    ("yse", "yze"),
    ("our", "or"),
    ("tre", "ter"),
    ("ogue", "og"),
    ("ence", "ense"),
    ("que", "ck"),
    ("nne", "n"),
)
#: Inflections after the ending ("-ised", "-isation", "-ours", "-tres").
_TAILS = ("", "s", "d", "r", "rs", "es", "ed", "er", "ers", "ing", "ings", "ation", "ations")
#: A doubled l before an inflection ("travelled", "labelling") is single in American spelling.
_DOUBLE_L = re.compile(r"(?<=[aeiou])ll(?=(?:ed|ing|er|ers)$)")


def american(word: str, known: Callable[[str], bool]) -> str:
    """``word`` (lower case) in the American spelling ``known`` recognises, or ``word`` itself when it is
    known already or no regular variant is."""
    if len(word) < 4 or known(word):
        return word
    for variant in _variants(word):
        if known(variant):
            return variant
    return word


def _variants(word: str) -> list[str]:
    """The American forms ``word`` may be, by the regular endings (an ending's final e merges with an
    inflection that starts with a vowel: organis-ed, analys-ing)."""
    out = []
    for british, us in _ENDINGS:
        for tail in _TAILS:
            if word.endswith(british + tail):
                out.append(word[: len(word) - len(british + tail)] + us + tail)
            merged = british.endswith("e") and tail[:1] in ("e", "i", "a")
            if merged and word.endswith(british[:-1] + tail):
                stem = word[: len(word) - len(british) + 1 - len(tail)]
                out.append(stem + (us[:-1] if us.endswith("e") else us) + tail)
    single = _DOUBLE_L.sub("l", word)
    if single != word:
        out.append(single)
    return out
