"""Candidate sentences: the sentences of the top releases' matching passages, and how well each matches.

Retrieval gives the top releases with their best passages; the sentences of those passages (split
Thai-aware, :mod:`index.answer.sentences`, only the lines around the passages) are the candidates. Each gets
the
measurements the reader's model weighs (:mod:`index.answer.features`): the share of the question's words
in it and around it, how few other candidates hold those words (IDF over the candidates), the release's
retrieval rank and score, its passage's score. Spans (the date, number, person... asked for) are found
later, for the leading candidates only (:mod:`index.answer.answerer`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.answer.crosslingual import english_versions, preferred_twins
from index.answer.sentences import LineSentences, Sentence
from index.answer.words import AnyOf, TokenSets, compact, has_thai, is_thai_word

if TYPE_CHECKING:  # pragma: no cover
    from corpus.release import Release
    from index.answer.spans import Span
    from index.search.hits import Passage, ReleaseHit
    from index.search.retrieve import Searcher

#: Releases whose sentences compete for the evidence (the rest only appear as sources).
TOP_RELEASES = 5
#: The retrieval prior of a release decays with its rank by 1 / (1 + RANK_DECAY * rank).
RANK_DECAY = 0.7


@dataclass
class Candidate:
    """One sentence of a top release, with what the reader measures of it."""

    hit_rank: int
    url: str
    release: Release | None
    sentences: list[Sentence]
    index: int
    passage_score: float
    chunk_id: int | None
    lang: str = "th"
    #: share of the question's (weighted) words in the sentence, and in its neighbours only
    lex: float = 0.0
    ctx: float = 0.0
    #: ``lex`` re-weighted by how few candidates hold each word (see :func:`focus`)
    focused: float = 0.0
    prior: float = 0.0
    preferred: bool = False
    #: the lexical score of the sentence (lex, context, release prior, passage: the pre-ranking)
    score: float = 0.0
    span: Span | None = None
    #: how many spans of the asked kind the sentence holds (one is unambiguous; a list of dates is not)
    kind_spans: int = 0
    words: dict[str, float] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.sentences[self.index].text


@dataclass(frozen=True)
class QuestionWords:
    """The question's weighted words as each kind of sentence is measured against them.

    ``own``: the question's content words; ``cross``: what a Thai sentence can hold of an English
    question (its Thai rendering, names, numbers); ``concepts`` and ``phrases``: English words and the Thai
    phrases that say them (None for a Thai question).
    """

    own: dict[str, float]
    cross: dict[str, float]
    concepts: dict[str, float] | None
    phrases: dict[str, list[str]] | None


class CandidateBuilder:
    """Builds and measures candidates; keeps the split releases and token sets across questions."""

    def __init__(self, searcher: Searcher, top_releases: int = TOP_RELEASES) -> None:
        self.searcher = searcher
        self.top_releases = top_releases
        self.token_sets = TokenSets()
        self._split_cache: OrderedDict[tuple[str, str], LineSentences] = OrderedDict()

    def _split(self, url: str, release: Release | None, fallback: str) -> LineSentences:
        """A release body's sentences, split line by line on demand (cached: releases come back)."""
        body = release.body if release is not None else fallback
        key = (url, release.hash if release is not None else str(hash(fallback)))
        cached = self._split_cache.get(key)
        if cached is None:
            cached = LineSentences(body)
            self._split_cache[key] = cached
            while len(self._split_cache) > 256:
                self._split_cache.popitem(last=False)
        return cached

    def build(self, hits: list[ReleaseHit]) -> list[Candidate]:
        """Sentences of the top releases' matching passages, each with its passage's score and chunk."""
        out: list[Candidate] = []
        for rank, hit in enumerate(hits[: self.top_releases]):
            release = self.searcher.release(hit.url)
            passages = list(hit.passages)
            if release is None or not release.body:
                fallback = "\n".join(p.text for p in passages)
                sentences = self._split(hit.url, None, fallback).around([(0, len(fallback), 0.0)])
                best = max(passages, key=lambda p: p.score, default=None)
                for i in range(len(sentences)):
                    score = best.score if best else 0.0
                    chunk = best.chunk_id if best else None
                    out.append(Candidate(rank, hit.url, None, sentences, i, score, chunk, lang=hit.lang))
                continue
            body = release.body
            ranges = passage_ranges(body, passages)
            if not ranges:
                # No passage located (or none given): the release's opening sentences stand in.
                first = passages[0].chunk_id if passages else None
                ranges = [(0, min(len(body), 1500), hit.score, first)]
            sentences = self._split(hit.url, release, body).around([(a, b, s) for a, b, s, _ in ranges])
            for i, sent in enumerate(sentences):
                over = [(s, c) for a, b, s, c in ranges if sent.start < b and sent.end > a]
                if over:
                    score, chunk = max(over, key=lambda x: x[0])
                    out.append(Candidate(rank, hit.url, release, sentences, i, score, chunk, lang=hit.lang))
        return out

    def measure(
        self, candidates: list[Candidate], hits: list[ReleaseHit], words: QuestionWords, lang: str
    ) -> None:
        """Set each candidate's overlap with the question, its release prior and its lexical score."""
        top = max((h.score for h in hits), default=0.0) or 1.0
        top_passage = max((c.passage_score for c in candidates), default=0.0) or 1.0
        lead = hits[: self.top_releases]
        prior = {h.url: (h.score / top) / (1.0 + RANK_DECAY * rank) for rank, h in enumerate(lead)}
        preferred: set[str] = set()
        if lang == "en":
            preferred = english_versions(lead)
            for url, twin in preferred_twins(lead).items():
                prior[url] = max(prior.get(url, 0.0), prior.get(twin, 0.0))
        for c in candidates:
            self._overlap(c, words, lang)
            c.prior = prior.get(c.url, 0.0)
            c.preferred = c.url in preferred
            release_weight = 0.5 if lang == "en" else 1.0
            c.score = c.lex + 0.25 * c.ctx + release_weight * c.prior + 0.25 * (c.passage_score / top_passage)
            c.score += 0.15 if c.preferred else 0.0
        focus(candidates)

    def _overlap(self, c: Candidate, words: QuestionWords, lang: str) -> None:
        sets = self.token_sets
        sent = c.text
        neighbours = [c.sentences[j].text for j in (c.index - 1, c.index + 1) if 0 <= j < len(c.sentences)]
        ctx_text = " ".join(neighbours)
        # A context's tokens are its sentences' tokens: each sentence is split once (TokenSets), and only
        # when a question word could be among its tokens (TokenView).
        ctx_toks = AnyOf(sets.view(t) for t in neighbours)
        stoks = sets.view(sent)
        thai_sentence = lang == "en" and has_thai(sent)
        if thai_sentence and words.concepts is not None:
            # English question, Thai sentence: each English word is matched through its Thai phrases.
            bag = words.concepts
            phrases = words.phrases or {}
            low, ctx_low = compact(sent), compact(ctx_text)
            hit = {t for t in bag if _has_concept(t, stoks, low, phrases)}
            ctx = {t for t in bag if t not in hit and _has_concept(t, ctx_toks, ctx_low, phrases)}
        else:
            bag = words.cross if thai_sentence else words.own
            hit = {t for t in bag if _has(t, stoks, sent)}
            ctx = {t for t in bag if t not in hit and _has(t, ctx_toks, ctx_text)}
        # fsum: exactly rounded whatever the order, so the sets' order (string hashes differ between
        # processes) cannot break ties between candidates differently from one run to the next.
        total = math.fsum(bag.values()) or 1.0
        c.lex = math.fsum(bag[t] for t in hit) / total
        c.ctx = math.fsum(bag[t] for t in ctx) / total
        c.words, c.found = bag, hit


def _has(t: str, tokens: Container[str], text: str) -> bool:
    # Thai compounds hide words (ผู้ว่า in ผู้ว่าราชการจังหวัด): Thai tokens match inside the text. Tested
    # first: the cheaper test, and the tokens of a TokenView are then often never split.
    return (len(t) > 2 and is_thai_word(t) and t in text) or t in tokens


def _has_concept(t: str, tokens: Container[str], low: str, phrases: dict[str, list[str]]) -> bool:
    return any(ph in low for ph in phrases.get(t, ())) or t in tokens


def focus(candidates: list[Candidate]) -> None:
    """Each candidate's overlap re-weighted by how few candidate sentences hold each question word.

    Why: the question's topic words (the place, the project, the event) are in nearly every sentence of
    the releases retrieval found, since that is how they were found; they cannot tell the answering
    sentence from the introduction that restates the topic. The words that set the asked fact apart are
    in a few sentences only. So, as IDF does for documents, a word weighs log(1 + N / n) over the N
    candidate sentences, n of which hold it. The lexical score takes the focused overlap in place of the
    plain one.
    """
    n_sent = len(candidates)
    counts: dict[str, int] = {}
    for c in candidates:
        for t in c.found:
            counts[t] = counts.get(t, 0) + 1
    for c in candidates:
        if not c.words or n_sent < 3:
            c.focused = c.lex
            continue
        disc = {t: wt * math.log(1.0 + n_sent / (counts.get(t, 0) + 1.0)) for t, wt in c.words.items()}
        total = math.fsum(disc.values()) or 1.0
        c.focused = math.fsum(disc[t] for t in c.found if t in disc) / total
        c.score += c.focused - c.lex


def passage_ranges(body: str, passages: list[Passage]) -> list[tuple[int, int, float, int]]:
    """Where each passage lies in the body (found by its lines' first or last characters): start, end,
    the passage's score and chunk id."""
    ranges = []
    for p in passages:
        for line in (p.text or "").split("\n"):
            line = line.strip()
            if len(line) < 12:
                continue
            probe = line[:80]
            pos = body.find(probe)
            if pos >= 0:
                ranges.append((pos, pos + len(line), float(p.score), p.chunk_id))
                continue
            probe = line[-80:]
            pos = body.find(probe)
            if pos >= 0:
                start = max(0, pos + len(probe) - len(line))
                ranges.append((start, pos + len(probe), float(p.score), p.chunk_id))
    return ranges
