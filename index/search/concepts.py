"""How much of a question each candidate release holds, concept by concept: the second look's structured
match (:mod:`index.search.rerank` reads it as three features).

Why: BM25 over an English question's Thai rendering is a flat bag of words. An English word rendered four ways
(MOU → บันทึกความเข้าใจ, บันทึกข้อตกลงความร่วมมือ, …) counts its words many times and a word rendered once
(Huawei → หัวเว่ย) once, so a release holding every rendering of the common word outranks one holding the rare
word too; and BM25 scores chunks, so a release whose chunks together hold every concept of the question looks
no different from one holding the common half. Replacing BM25 by a structured query (each word scored as the
best of its renderings) was mixed (bench/PERFORMANCE.md, stops 20 and 30); as measurements the second look
learns to weigh, the same idea raised validation recall over the whole archive and the 10k slice (stop 33).

A concept is one thing the question names, expressed in any of several ways (*alternatives*), each a set of
words that must all stand in one chunk: an English word's Thai renderings (a rendering of several words, such
as นายกรัฐมนตรี's "prime minister", needs them all) and the English itself, a number as releases write it, or
one content word of a Thai question (pythainlp's stopwords, which hold the question words and particles, are
not concepts). A word in half the chunks or more (ของ, the) tells nothing and is left out of its
alternative, as BM25 leaves it out (:data:`index.build.postings.IDF_FLOOR`); a word the generation does not
hold (or no longer holds, after an update) makes its alternative unmatchable. A concept weighs the idf of its
rarest word.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
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

#: One way of saying a concept: tokens that must all stand in one chunk.
Alternative = frozenset[str]
#: Words at or under this idf (in half the chunks or more) are left out of a concept.
COMMON_IDF = IDF_FLOOR * 10


@dataclass(frozen=True)
class Concept:
    """The ways of saying one concept, as term ids of the generation's BM25 vocabulary (each way: ids that
    must all stand in one chunk), and its weight."""

    alternatives: tuple[tuple[int, ...], ...]
    weight: float


@dataclass(frozen=True)
class Coverage:
    """The share of the question's concepts a release holds."""

    release: float = 0.0  # idf-weighted, in any of its chunks (a chunk holds the title too)
    chunk: float = 0.0  # idf-weighted, within its best single chunk
    count: float = 0.0  # unweighted, in any of its chunks
    lead: float = 0.0  # idf-weighted, within its first chunk (title, date, first paragraph)
    chunks: int = 0  # its live chunks: a long summary holds every concept somewhere


NONE = Coverage()


@functools.cache
def thai_stopwords() -> frozenset[str]:
    """pythainlp's Thai stopwords (question words and particles among them)."""
    from pythainlp.corpus import thai_stopwords as listed

    return frozenset(listed())


def question_groups(info: QueryInfo, terms: Sequence[Term]) -> list[list[Alternative]]:
    """The question's concepts, each as its alternatives: for an English question each source word's (or
    phrase's) Thai renderings (``terms``, the rendering's glossary terms) with its English words, and each
    number with the ways releases write it; for a Thai question each distinct content word."""
    if info.lang != "en":
        stop = thai_stopwords()
        return [[frozenset({t})] for t in dict.fromkeys(tokenize(info.text)) if t not in stop]
    groups: dict[str, list[Alternative]] = {}
    for term in terms:
        tokens = frozenset(tokenize(term.thai))
        if tokens:
            groups.setdefault(term.source.lower(), []).append(tokens)
    latin = [w.lower() for w in info.latin if w.lower() not in STOP]
    placed: set[str] = set()
    for source, alternatives in groups.items():
        words = source.split()
        if all(w in latin for w in words):  # the English itself, a phrase's words together
            alternatives.append(frozenset(t for w in words for t in tokenize(w)))
            placed.update(words)
    for word in latin:
        tokens = frozenset(tokenize(word))
        if word not in placed and tokens:
            groups.setdefault(word, []).append(tokens)
    for n in info.numbers:
        forms = [frozenset(tokenize(form)) for form in number_forms(n)]
        groups.setdefault("#" + n, []).extend(f for f in forms if f)
    return [alternatives for alternatives in groups.values() if alternatives]


def concepts(groups: Sequence[Sequence[Alternative]], postings: Postings) -> list[Concept]:
    """The groups as :class:`Concept`: an alternative loses its common words, and is dropped when a word of
    it has no postings or nothing is left; a concept with no alternative left is dropped."""
    out = []
    for group in groups:
        kept: list[tuple[int, ...]] = []
        weight = 0.0
        for alternative in group:
            if any(postings.doc_freq(t) == 0 for t in alternative):  # unknown, or gone after an update
                continue
            idf = {postings.term_ids[t]: postings.idf(postings.term_ids[t]) for t in alternative}
            rare = tuple(sorted(i for i, v in idf.items() if v > COMMON_IDF))
            if rare and rare not in kept:
                kept.append(rare)
                weight = max(weight, max(idf[i] for i in rare))
        if kept:
            out.append(Concept(tuple(kept), weight))
    return out


def coverage(
    postings: Postings, chunk_ids: Mapping[str, Sequence[int]], found: Sequence[Concept]
) -> dict[str, Coverage]:
    """Each release's :class:`Coverage` of the ``found`` concepts, from its live chunks' ids in order
    (``chunk_ids``: url → ids); a release without chunks, or a question without concepts, covers none."""
    urls = list(chunk_ids)
    ids = np.asarray([i for u in urls for i in chunk_ids[u]], dtype=np.int64)
    owner = np.repeat(np.arange(len(urls)), [len(chunk_ids[u]) for u in urls])
    rows = np.searchsorted(postings.chunks, ids)
    known = rows < len(postings.chunks)
    known[known] = postings.chunks[rows[known]] == ids[known]
    sizes = np.bincount(owner[known], minlength=len(urls))  # chunks the generation holds, per release
    if not found or not len(ids):
        return {u: Coverage(chunks=int(sizes[k])) for k, u in enumerate(urls)}
    holds: dict[int, np.ndarray] = {}
    for term in {t for c in found for alternative in c.alternatives for t in alternative}:
        held = postings.term_rows(term)  # ascending: a binary search per row, not a sort per term
        at = np.minimum(np.searchsorted(held, rows), len(held) - 1)
        holds[term] = known & (held[at] == rows)
    present = np.zeros((len(ids), len(found)), dtype=bool)
    for j, concept in enumerate(found):
        for alternative in concept.alternatives:
            present[:, j] |= np.logical_and.reduce([holds[t] for t in alternative])
    weights = np.asarray([c.weight for c in found])
    total = float(weights.sum())
    out: dict[str, Coverage] = {}
    for k, url in enumerate(urls):
        mine = present[(owner == k) & known]
        if not len(mine):
            out[url] = NONE
            continue
        anywhere = mine.any(axis=0)
        out[url] = Coverage(
            release=float(anywhere @ weights) / total,
            chunk=float((mine @ weights).max()) / total,
            count=float(anywhere.mean()),
            lead=float(mine[0] @ weights) / total,
            chunks=int(sizes[k]),
        )
    return out
