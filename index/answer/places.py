"""The provinces a question names, and whether a release ever names them.

Why: a reply quoted from a release that never mentions the province the question asks about answers
another province's question. Near misses ("how many workers does the Lamphun branch employ?" over a release
that never mentions Lamphun) were answered that way with probabilities up to 0.94, because every other word
of the question matches. Over the writers' questions (train and validation folds, qa6-qa9; the whole
archive and the qa index) the replies this refuses were wrong 19 times of 19 (docs/answers.md, "Stop 34").
The reader cannot learn it from word overlap: a province is one word of many. The provinces are pythainlp's
list (77, Thai and English names), not a list written here.

A Thai question names a province where the product's tokenizer cuts its name as one word and the word either
follows จ./จังหวัด or has five letters or more: shorter names are also common words (เลย "at all", ตาก "to
dry", แพร่ "to spread"). An English question names it by its English name at word boundaries, spaces and
hyphens optional ("Khon Kaen", "khonkaen", "prachinburi"). A release names it by either name anywhere (the
capital also by the names it goes by in the releases: กรุงเทพ, กทม).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.lexical import tokenize
from index.search import glossary_tables

#: Thai names shorter than this count only after จ./จังหวัด (see the module docstring).
MIN_BARE_LETTERS = 5


def _marks(word: str) -> bool:
    """Whether ``word`` says a province follows: จ. (cut as จ) or a word ending with จังหวัด
    (ผู้ว่าราชการจังหวัด is one word to the tokenizer)."""
    return word == "จ" or word.endswith("จังหวัด")


#: The capital's other names (its official one, กรุงเทพมหานคร, is rarely written in full).
_ALSO = {"กรุงเทพมหานคร": ("กรุงเทพ", "กทม")}


@dataclass(frozen=True)
class Province:
    """One province: its Thai name, its English name (lower case) as a pattern, and other Thai names."""

    thai: str
    pattern: re.Pattern[str]
    also: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def provinces() -> dict[str, Province]:
    """Thai name → province, from the search's province gazetteer (pythainlp's list; loaded once, on first
    use; empty when pythainlp's corpus is missing, and then no question names a province)."""
    english: dict[str, str] = {}
    for name, thai in glossary_tables.provinces().items():
        if len(name) > len(english.get(thai, "")):  # the spaced form ("khon kaen", not "khonkaen")
            english[thai] = name
    out = {}
    for thai, name in english.items():
        words = re.split(r"[\s-]+", name)
        pattern = re.compile(r"\b" + r"[\s-]?".join(re.escape(w) for w in words) + r"\b")
        out[thai] = Province(thai, pattern, _ALSO.get(thai, ()))
    return out


def named_provinces(question: str) -> list[Province]:
    """The provinces the question names (see the module docstring), each once."""
    known = provinces()
    low = question.lower()
    found = {p.thai: p for p in known.values() if p.pattern.search(low)}
    words = tokenize(question)
    for i, word in enumerate(words):
        p = known.get(word)
        if p is not None and (len(word) >= MIN_BARE_LETTERS or (i > 0 and _marks(words[i - 1]))):
            found[p.thai] = p
    return list(found.values())


def names(text: str, province: Province) -> bool:
    """Whether ``text`` (a release's title and body) names the province."""
    return any(name in text for name in (province.thai, *province.also)) or bool(
        province.pattern.search(text.lower())
    )


def missing_province(question: str, *texts: str) -> Province | None:
    """A province the question names that none of ``texts`` (a release's title, its body) names; None when
    there is none. The texts are read only when the question names a province."""
    return next((p for p in named_provinces(question) if not any(names(t, p) for t in texts)), None)
