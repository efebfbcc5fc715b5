"""How an English question meets a Thai sentence: its words' Thai phrases, names, numbers and dates.

An English question about a Thai release can only match the release's sentences through what both
languages write alike (names, acronyms, numbers) and through the Thai renderings the Searcher's glossary
gives its words. Each English word is one *concept*: a Thai sentence holds it when it holds the word or any
of its Thai phrases, so a word with three renderings does not count three times.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING

from index.answer.words import content_tokens, weight

if TYPE_CHECKING:  # pragma: no cover
    from index.search.hits import ReleaseHit
    from index.search.retrieve import Searcher

log = logging.getLogger(__name__)

#: An English release within this many days of a Thai hit is taken for its English version.
TWIN_DAYS = 3
#: Words of an English question that a Thai text may carry as written: names, acronyms, codes, numbers.
_NAMEISH = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*|\b\w*\d[\w.,]*")


def thai_phrases(searcher: Searcher, text: str, q_tokens: dict[str, float]) -> dict[str, list[str]]:
    """English word → the whole Thai phrases that say it: glossary renderings, month names (full and
    abbreviated) and Buddhist-era years."""
    out: dict[str, list[str]] = {}
    try:
        terms = searcher.glossary.translate(text, per_word=searcher.weights.trans_per_word)
    except Exception as exc:  # noqa: BLE001 - only the cross-lingual matching is lost
        log.debug("no glossary phrases for the question: %s", exc)
        terms = []
    for term in terms:
        thai = str(term.thai).casefold()
        if len(thai) < 2:
            continue
        for word in str(term.source).casefold().split():
            out.setdefault(word, []).append(thai)
    for token in q_tokens:
        out.setdefault(token, []).extend(date_phrases(token))
    return out


def thai_rendering_tokens(searcher: Searcher, text: str, q_tokens: dict[str, float]) -> dict[str, float]:
    """The tokens of the question's Thai rendering (the Searcher's), weighing a little less: guesses."""
    try:
        rendering = str(searcher.translation(searcher.analyze(text)))
    except Exception as exc:  # noqa: BLE001 - a translation failure only costs recall
        log.debug("no Thai rendering for the question: %s", exc)
        return {}
    return {t: 0.8 * weight(t) for t in content_tokens(rendering) if t not in q_tokens}


def cross_tokens(question: str, q_tokens: dict[str, float], thai: dict[str, float]) -> dict[str, float]:
    """What of an English question a Thai sentence can contain: the Thai rendering, names, numbers."""
    names = {t.casefold() for t in _NAMEISH.findall(question)}
    out = {t: wt for t, wt in q_tokens.items() if t in names or any(ch.isdigit() for ch in t)}
    for t, wt in thai.items():
        out.setdefault(t, wt)
    return out or q_tokens


def translatable(
    question: str, q_tokens: dict[str, float], phrases: dict[str, list[str]]
) -> dict[str, float]:
    """The English question's words a Thai sentence can hold: those with a Thai phrase, and names,
    acronyms and numbers (written the same in both languages)."""
    names = {t.casefold() for t in _NAMEISH.findall(question)}
    out = {
        t: wt for t, wt in q_tokens.items() if phrases.get(t) or t in names or any(ch.isdigit() for ch in t)
    }
    return out or q_tokens


def rendering_weights(q_tokens: dict[str, float], phrases: dict[str, list[str]] | None) -> dict[str, float]:
    """The question's words and their Thai phrases, as anchors for spans in a Thai text."""
    out = dict(q_tokens)
    for t, wt in q_tokens.items():
        for ph in (phrases or {}).get(t, ()):
            out.setdefault(ph, wt)
    return out


def date_phrases(token: str) -> list[str]:
    """How a Thai text writes an English month name or a Gregorian year: full and abbreviated month
    names, the Buddhist-era year (2025 → 2568)."""
    from corpus.thaidate import EN_MONTHS, THAI_MONTHS, THAI_MONTHS_ABBR, ce_to_be

    low = token.casefold()
    for i, name in enumerate(EN_MONTHS):
        name = name.casefold()
        if low == name or (len(low) >= 3 and name.startswith(low) and low in (name[:3], name)):
            return [THAI_MONTHS[i], THAI_MONTHS_ABBR[i]]
    if re.fullmatch(r"(?:19|20)\d\d", token):
        return [str(ce_to_be(int(token)))]
    return []


def preferred_twins(hits: list[ReleaseHit]) -> dict[str, str]:
    """English hits that look like the English version of a Thai hit ranked above them (published within
    :data:`TWIN_DAYS` days): url of the English release → url of its Thai twin."""
    out: dict[str, str] = {}
    for i, hit in enumerate(hits):
        if hit.lang != "en":
            continue
        for other in hits[:i]:
            if other.lang == "th" and days_apart(hit.date, other.date) <= TWIN_DAYS:
                out[hit.url] = other.url
                break
    return out


def english_versions(hits: list[ReleaseHit]) -> set[str]:
    """English hits an English question should prefer: the top hit, or the twin of a Thai hit above it."""
    out = set(preferred_twins(hits))
    if hits and hits[0].lang == "en":
        out.add(hits[0].url)
    return out


def days_apart(a: str, b: str) -> int:
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)
    except (TypeError, ValueError):
        return 10**6
