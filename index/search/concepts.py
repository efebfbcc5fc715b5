"""How much of a question each candidate release holds, concept by concept: the second look's structured
match (:mod:`index.search.rerank` reads it as three features).

Why: BM25 over an English question's Thai rendering is a flat bag of words. An English word rendered four ways
(MOU → บันทึก, ความเข้าใจ, ข้อตกลง, ความร่วมมือ) counts four times and a word rendered once (Huawei → หัวเว่ย)
once, so a release holding every rendering of the common word outranks one holding the rare word too; and BM25
scores chunks, so a release whose chunks together hold every concept of the question looks no different from
one holding the common half. Replacing BM25 by a structured query (each word scored as the best of its
renderings) was mixed (bench/PERFORMANCE.md, stops 20 and 30); as measurements the second look learns to
weigh, the same idea raised validation recall over the whole archive and the 10k slice (stop 33).

A concept is a set of BM25 terms any one of which expresses it: an English word's renderings together with the
word itself, a number with its thousands-separated form, or one word of a Thai question. It weighs the idf of
its rarest term; a concept whose every term sits in half the chunks or more (และ, the) is left out, as BM25
leaves such words out (:data:`index.build.postings.IDF_FLOOR`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.build.postings import IDF_FLOOR
from index.lexical import tokenize
from index.search.glossary import STOP
from index.search.query import number_forms

if TYPE_CHECKING:  # pragma: no cover
    from index.build.postings import Postings
    from index.search.glossary import Term
    from index.search.query import QueryInfo


@dataclass(frozen=True)
class Concept:
    """Term ids of the generation's BM25 vocabulary, any of which expresses the concept, and its weight."""

    terms: tuple[int, ...]
    weight: float


@dataclass(frozen=True)
class Coverage:
    """The share of the question's concepts a release holds."""

    release: float = 0.0  # idf-weighted, anywhere in the release (title or any chunk)
    chunk: float = 0.0  # idf-weighted, within its best single chunk
    count: float = 0.0  # unweighted, anywhere in the release


NONE = Coverage()


def question_groups(info: QueryInfo, terms: Sequence[Term]) -> list[set[str]]:
    """The question's concepts as sets of tokens: for an English question each word's Thai renderings
    (``terms``, the rendering's glossary terms) with the word itself, and each number with the ways releases
    write it; for a Thai question each distinct word."""
    if info.lang != "en":
        return [{t} for t in dict.fromkeys(tokenize(info.text))]
    groups: dict[str, set[str]] = {}
    for term in terms:
        groups.setdefault(term.source.lower(), set()).update(tokenize(term.thai))
    for word in info.latin:
        if word.lower() not in STOP:
            groups.setdefault(word.lower(), set()).update(tokenize(word))
    for n in info.numbers:
        groups.setdefault("#" + n, set()).update(t for form in number_forms(n) for t in tokenize(form))
    return [g for g in groups.values() if g]


def concepts(groups: Iterable[Iterable[str]], postings: Postings) -> list[Concept]:
    """The groups as :class:`Concept`: tokens the generation never saw are dropped, and so is a group left
    empty or made only of words in half the chunks or more."""
    out = []
    for group in groups:
        ids = tuple(sorted({postings.term_ids[t] for t in group if t in postings.term_ids}))
        if not ids:
            continue
        weight = max(postings.idf(t) for t in ids)
        if weight > IDF_FLOOR * 10:
            out.append(Concept(ids, weight))
    return out


def coverage(
    postings: Postings, chunk_ids: Mapping[str, Sequence[int]], found: Sequence[Concept]
) -> dict[str, Coverage]:
    """Each release's :class:`Coverage` of the ``found`` concepts, from its live chunks' ids
    (``chunk_ids``: url → ids); a release without chunks, or a question without concepts, covers none."""
    urls = list(chunk_ids)
    ids = np.asarray([i for u in urls for i in chunk_ids[u]], dtype=np.int64)
    owner = np.repeat(np.arange(len(urls)), [len(chunk_ids[u]) for u in urls])
    if not found or not len(ids):
        return {u: NONE for u in urls}
    rows = np.searchsorted(postings.chunks, ids)
    known = rows < len(postings.chunks)
    known[known] = postings.chunks[rows[known]] == ids[known]
    present = np.zeros((len(ids), len(found)), dtype=bool)
    for j, concept in enumerate(found):
        for term in concept.terms:
            held = postings.term_rows(term)  # ascending: a binary search per row, not a sort per term
            if len(held):
                at = np.minimum(np.searchsorted(held, rows), len(held) - 1)
                present[:, j] |= held[at] == rows
    present &= known[:, None]
    weights = np.asarray([c.weight for c in found])
    total = float(weights.sum())
    out: dict[str, Coverage] = {}
    for k, url in enumerate(urls):
        mine = present[owner == k]
        if not len(mine):
            out[url] = NONE
            continue
        anywhere = mine.any(axis=0)
        out[url] = Coverage(
            release=float(anywhere @ weights) / total,
            chunk=float((mine @ weights).max()) / total,
            count=float(anywhere.mean()),
        )
    return out
