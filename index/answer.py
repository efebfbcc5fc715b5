"""Extractive answers: the sentence of a release that answers the question, its short answer, the sources.

Nothing is generated: the evidence is a verbatim slice of a release (at most :data:`EVIDENCE_CHARS`
characters), the short answer a span of that slice (a date, an amount, a count, a person, a place), and
when the best sentence is not good enough the reply says so and lists the closest releases instead.

How a sentence is chosen (:meth:`Answerer.ask`):

1. retrieval (:class:`index.retrieve.Searcher`) gives the top releases with their best passages; the
   sentences of those passages (split Thai-aware, :mod:`index.sentences`) from the top
   :data:`TOP_RELEASES` releases are the candidates, weighted by the release's retrieval rank;
2. each candidate scores: lexical overlap with the question (``index.lexical.tokenize`` tokens, rarer and
   longer tokens weigh more; for an English question also its Thai rendering from the Searcher, so an
   English question can match a Thai sentence; words found in few of the candidate sentences weigh more,
   see :func:`_focus`), the overlap of its neighbours (context), the retrieval
   score of its passage, whether it holds the kind of span the question asks for (:mod:`index.qtype`,
   :mod:`index.spans`) and, optionally, the e5 similarity of question and sentence;
3. the best candidate's score is the answer's confidence; below :data:`CONFIDENCE_THRESHOLD` (calibrated
   on the development set, see ``docs/answers.md``) the answer abstains.

Sentence embeddings are off by default (:data:`SEMANTIC_SENTENCES` = 0): embedding even eight short
sentences costs 100-300 ms on two shared CPU cores, which would spend the whole latency budget, while the
passage scores already carry the dense retrieval's semantic match.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from corpus.release import Release
from corpus.text import detect_lang
from index.qtype import QuestionType, detect_qtype
from index.sentences import LineSentences, Sentence
from index.spans import RANGE_Q, Span, best_span, span_answer
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: Releases whose sentences compete for the evidence (the rest only appear as sources).
TOP_RELEASES = 5
#: Releases listed in ``sources``.
MAX_SOURCES = 10
#: Most characters of quoted evidence.
EVIDENCE_CHARS = 400
#: Neighbour sentences are added to a short best sentence while the evidence stays under this.
EVIDENCE_TARGET = 380
#: Characters of a source's passage in ``sources`` (JSON) .
PASSAGE_CHARS = 400
#: Below this confidence the answer abstains, per question language (calibrated on the development set,
#: see docs/answers.md): an English question meets Thai evidence only through names, numbers and its
#: glossary rendering, so its confidence runs lower for the same quality of evidence.
CONFIDENCE_THRESHOLD = {"th": 0.6, "en": 0.2}
#: A question asking for no particular kind of thing (what, which, yes/no) has no type check to back the
#: evidence: it needs at least this much confidence whatever the language's threshold.
KINDLESS_FLOOR = 0.4
#: Below this share of the question's words in the evidence's release, nothing is taken to answer.
MIN_COVERAGE = 0.15
#: A span scoring below this (e.g. a name the question itself gives) counts as no span at all.
WEAK_SPAN = 0.5
#: A span's own score saturates here (type, unit and nearness to the question's words all count).
KIND_CAP = 3.0
#: An English release within this many days of a Thai hit is taken for its English version.
TWIN_DAYS = 3
#: Candidate sentences re-scored with e5 sentence embeddings (0: off; see the module docstring).
SEMANTIC_SENTENCES = 0


@dataclass(frozen=True)
class Weights:
    """How the parts of a sentence's score add up (see the module docstring)."""

    lexical: float = 1.0
    context: float = 0.25
    release: float = 1.0
    #: English questions trust the retrieval rank less: English questions about Thai releases are
    #: retrieved across languages (gold release first far less often than for Thai questions), so the
    #: answering sentence of a release ranked 2-4 must be able to win over a weak one of the top hit.
    release_en: float = 0.5
    passage: float = 0.25
    kind: float = 0.6
    kind_missing: float = 0.3
    unit_fit: float = 0.4
    range_asked: float = 0.3
    # confidence (absolute; see Answerer._confidence)
    conf_release: float = 0.6
    conf_sentence: float = 0.6
    span_found: float = 0.2
    conf_rank: float = 0.3
    #: Evidence from a release ranked below the top hit loses this much per unit of e5 similarity by which
    #: the question is nearer the top hit's best passage than the evidence release's (see _dense_gap).
    dense_gap: float = 5.0
    unit_missing: float = 0.6
    span_missing: float = 0.9
    same_lang: float = 0.15
    semantic: float = 0.3
    #: Share of the lexical score given to the question's *discriminating* words (see :func:`_focus`).
    focus: float = 1.0
    rank_decay: float = 0.7


@dataclass(frozen=True)
class Source:
    """A release listed with an answer: link, title, publication date (ISO), its best passage, its score."""

    url: str
    title: str
    date: str
    passage: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "passage": self.passage,
            "score": round(float(self.score), 6),
        }


@dataclass
class Answer:
    """An answer as the CLI, the bot and the evaluation see it; ``reply`` is the HTML the bot sends."""

    question: str
    lang: str
    found: bool
    answer: str | None
    evidence: str | None
    sources: list[Source] = field(default_factory=list)
    reply: str = ""
    ms: float = 0.0
    #: Not part of the JSON: the evidence's confidence, the question type, whether an LLM wrote it.
    confidence: float = 0.0
    qtype: str = ""
    generated: bool = False
    evidence_rank: int | None = None
    coverage: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` object: exactly these keys."""
        return {
            "question": self.question,
            "lang": self.lang,
            "found": self.found,
            "answer": self.answer,
            "evidence": self.evidence,
            "sources": [s.to_json() for s in self.sources],
            "reply": self.reply,
            "ms": round(self.ms, 1),
        }


@dataclass
class _Candidate:
    hit_rank: int
    url: str
    release: Release | None
    sentences: list[Sentence]
    index: int
    passage_score: float
    score: float = 0.0
    span: Span | None = None
    lang: str = "th"
    lex: float = 0.0
    ctx: float = 0.0
    coverage: float = 0.0
    words: dict[str, float] | None = None
    found: set[str] | None = None


# --- question tokens ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_EN_STOP = frozenset(
    _words(
        """a an the of to in on at for from by with and or is are was were be been being do does did what
    which who whom whose when where why how many much did has have had this that these those it its
    their his her they
    he she we you i as about into than then there here under over after before during until up out not
    no yes can could will would should may might must s per also so such any all some"""
    )
)
_TH_QUESTION = frozenset(
    _words(
        """กี่ เท่าไร เท่าไหร่ ใคร อะไร ไหน ที่ไหน เมื่อไร เมื่อไหร่ อย่างไร ยังไง ทำไม หรือเปล่า หรือไม่ ไหม ใด บ้าง
    แค่ไหน มั้ย คะ ครับ ค่ะ จริง ใช่"""
    )
)


def _stopwords() -> frozenset[str]:
    try:
        from pythainlp.corpus import thai_stopwords

        return frozenset(thai_stopwords()) | _EN_STOP | _TH_QUESTION
    except Exception:  # noqa: BLE001 - pythainlp's corpus missing: English and question words only
        return _EN_STOP | _TH_QUESTION


_STOP: frozenset[str] | None = None


def _tokens(text: str) -> list[str]:
    from index.lexical import tokenize

    return tokenize(text)


#: Token sets of recently weighed texts (sentences, titles, passages), by text: see :func:`_token_set`.
_TOKEN_SETS: dict[str, frozenset[str]] = {}
#: Texts kept in :data:`_TOKEN_SETS` before it starts afresh: a question weighs ~60 texts and an entry
#: costs ~2-4 KB (key and set; token strings mostly shared with the word splitter's cache), so at most
#: ~20-35 MB, about what the 131 dev questions fill (7,932 entries).
TOKEN_SETS_MAX = 8_192


def _token_set(text: str) -> frozenset[str]:
    """The set of ``text``'s tokens, remembered across questions.

    Why: splitting the candidate sentences into words is the largest part of the answer step, and the
    same releases come back for question after question (the week's news, the cabinet's summaries). A
    plain dict emptied when full: lookups and stores are atomic under the GIL, so concurrent answers
    need no lock, and an entry is recomputed at worst.
    """
    got = _TOKEN_SETS.get(text)
    if got is None:
        if len(_TOKEN_SETS) >= TOKEN_SETS_MAX:
            _TOKEN_SETS.clear()
        got = _TOKEN_SETS[text] = frozenset(_tokens(text))
    return got


def content_tokens(text: str) -> list[str]:
    """The question's words that can match a sentence: no stopwords, no question words, no punctuation."""
    global _STOP
    if _STOP is None:
        _STOP = _stopwords()
    return [t for t in _tokens(text) if t not in _STOP and (len(t) > 1 or t.isdigit())]


def _weight(token: str) -> float:
    """Longer tokens, names (Latin) and numbers say more about which sentence answers than short words."""
    w = 1.0 + min(len(token), 12) / 6.0
    if re.search(r"[0-9a-z]", token):
        w *= 1.3
    return w


# --- the answerer ---------------------------------------------------------------------------------


class Answerer:
    """Answers questions over a :class:`~index.retrieve.Searcher` (any object with ``search``/``release``).

    Thread-safe for concurrent ``ask`` calls (the bot answers in a thread pool): the only shared state
    is a small cache of split releases, guarded by replacing whole entries.
    """

    def __init__(
        self,
        searcher: Any,
        settings: Settings | None = None,
        *,
        threshold: float | dict[str, float] | None = None,
        weights: Weights | None = None,
        top_releases: int = TOP_RELEASES,
        semantic_sentences: int = SEMANTIC_SENTENCES,
        semantic_langs: tuple[str, ...] = ("en",),
        llm: Any = None,
    ) -> None:
        self.searcher = searcher
        self.settings = settings
        if threshold is None:
            threshold = CONFIDENCE_THRESHOLD
        if not isinstance(threshold, dict):
            threshold = {"th": float(threshold), "en": float(threshold)}
        self.threshold: dict[str, float] = dict(threshold)
        self.weights = weights or Weights()
        self.top_releases = top_releases
        self.semantic_sentences = semantic_sentences
        self.semantic_langs = semantic_langs
        self._split_cache: OrderedDict[tuple[str, str], LineSentences] = OrderedDict()
        if llm is None and settings is not None:
            from index.llm import LLMClient

            client = LLMClient(settings)
            llm = client if client.enabled else None
        self.llm = llm

    # --- public --------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load what the first questions would otherwise pay for: the Thai word splitter's dictionary
        (questions, sentences and the span rules all split with it) and the question model.

        Why not lazily: a bot answers its first user after a restart with the same latency as the rest.
        """
        from index.lexical import tokenize

        tokenize("ครม. อนุมัติงบประมาณ")
        embedder = getattr(self.searcher, "embedder", None)
        if embedder is not None and hasattr(embedder, "encode_queries"):
            embedder.encode_queries(["warm up"])

    def ask(self, question: str, within: str | None = None) -> Answer:
        """The answer to ``question`` (never raises for odd input: empty or junk questions get a reply).

        ``within``: the URL of one release to answer from (a question asked about a release the user is
        looking at); its sentences are the only candidates and it is the only source. The same
        confidence rule applies, so a question that release does not answer is refused.
        """
        from index.reply import render_html

        started = time.perf_counter()
        answer = self._answer(question, within)
        if answer.found and self.llm is not None:
            answer = self.llm.rewrite(answer, self._llm_passages(answer)) or answer
        answer.reply = render_html(answer)
        answer.ms = (time.perf_counter() - started) * 1000.0
        return answer

    # --- steps ---------------------------------------------------------------------------------
    def _answer(self, question: str, within: str | None = None) -> Answer:
        text = " ".join((question or "").split())
        lang = detect_lang(text) if text else "th"
        if not re.search(r"\w", text):
            return Answer(question, lang, False, None, None, [])
        qt = detect_qtype(text, lang)
        if within is not None:
            one = self.searcher.within(within) if hasattr(self.searcher, "within") else None
            hits = [one] if one is not None else []
        else:
            hits = list(self.searcher.search(text, k=MAX_SOURCES))
        if not hits:
            return Answer(question, lang, False, None, None, [], qtype=qt.qtype)
        q_tokens, thai_tokens = self._question_tokens(text, lang)
        phrases = self._thai_phrases(text, q_tokens) if lang == "en" else None
        candidates = self._candidates(hits)
        best = self._score(candidates, hits, qt, text, q_tokens, lang, thai_tokens, phrases)
        sources = self._sources(hits, best.url if best else None)
        if best is None:
            return Answer(question, lang, False, None, None, sources, qtype=qt.qtype)
        evidence, span = self._evidence(best, qt, text, q_tokens, phrases)
        confidence = self._confidence(best, hits, qt, span, q_tokens, phrases, question=text)
        if qt.kind not in (None, "reason") and (span is None or span.score < WEAK_SPAN):
            span = None
        threshold = self.threshold.get(lang, self.threshold.get("th", 0.0))
        if qt.kind is None:
            threshold = max(threshold, min(KINDLESS_FLOOR, self.threshold.get("th", KINDLESS_FLOOR)))
        if confidence <= threshold:
            return Answer(
                question,
                lang,
                False,
                None,
                None,
                sources,
                confidence=confidence,
                qtype=qt.qtype,
                evidence_rank=best.hit_rank,
                coverage=best.coverage,
            )
        short = span_answer(span, lang) if span is not None else None
        return Answer(
            question,
            lang,
            True,
            short,
            evidence,
            sources,
            confidence=confidence,
            qtype=qt.qtype,
            evidence_rank=best.hit_rank,
            coverage=best.coverage,
        )

    def _confidence(
        self,
        best: _Candidate,
        hits: list[Any],
        qt: QuestionType,
        span: Span | None,
        q_tokens: dict[str, float],
        phrases: dict[str, list[str]] | None = None,
        question: str = "",
    ) -> float:
        """How sure the evidence answers, on an absolute scale (the ranking score is relative to the hits).

        The share of the question's words found in the evidence sentence and around it, and in the
        release's matching passages and title; then whether the evidence holds the kind of thing asked for
        (a date, a number with the asked unit, a person, a place). Calibrated on the development set.
        """
        w = self.weights
        hit = next((h for h in hits if h.url == best.url), None)
        release_parts = [getattr(hit, "title", "") or ""] + [p.text for p in getattr(hit, "passages", [])]
        release_text = " ".join(release_parts)
        # The tokens of the whole are those of its parts (they are joined at a space): the parts' sets are
        # cached, the joined text would not be.
        release_tokens = frozenset().union(*(_token_set(t) for t in release_parts))
        sentence = best.sentences[best.index].text
        context = " ".join(
            best.sentences[j].text for j in (best.index - 1, best.index + 1) if 0 <= j < len(best.sentences)
        )
        if phrases is not None and _THAI.search(sentence):
            # English question, Thai evidence: an English word counts as found when the word itself (a
            # name, a number) or one of its whole Thai renderings is in the text, so that a glossary
            # guess sharing one syllable with the text does not count.
            words = q_tokens
            total = sum(words.values()) or 1.0

            def share(
                text: str, skip: set[str] | None = None, tokens: frozenset[str] | None = None
            ) -> tuple[float, set[str]]:
                low = _compact(text)
                tokens = _token_set(text) if tokens is None else tokens
                found = {
                    t
                    for t in words
                    if (skip is None or t not in skip)
                    and (t in tokens or any(ph and ph in low for ph in phrases.get(t, ())))
                }
                return sum(words[t] for t in found) / total, found

            coverage, _ = share(release_text, tokens=release_tokens)
            lex, found = share(sentence)
            ctx, _ = share(context, skip=found)
        else:
            words = best.words or {}
            total = sum(words.values()) or 1.0
            coverage = sum(wt for t, wt in words.items() if t in release_tokens) / total
            lex, ctx = best.lex, best.ctx
        best.coverage = coverage
        confidence = w.conf_release * coverage + w.conf_sentence * (lex + 0.5 * ctx)
        if coverage < MIN_COVERAGE:
            # Next to nothing of the question is in the release: whatever it says, it is off topic.
            confidence -= 1.0
        # Evidence from a release retrieval did not rank first is less certain (near-miss questions
        # often find their number in a neighbouring release).
        confidence -= w.conf_rank * min(best.hit_rank, 2)
        if best.hit_rank > 0 and hit is not None and hits and w.dense_gap > 0:
            confidence -= w.dense_gap * self._dense_gap(question, hits[0], hit)
        if qt.kind not in (None, "reason"):
            if span is None or span.score < WEAK_SPAN:
                # Asked for a date, a number, a person or a place, and the evidence holds none.
                confidence -= w.span_missing
            elif span.fit == 0.0:
                # The question names what its number counts (people, baht, %); the evidence has no such one.
                confidence -= w.unit_missing
            else:
                confidence += w.span_found
        return confidence

    def _dense_gap(self, question: str, top: Any, hit: Any) -> float:
        """How much nearer (e5 cosine) the question is to the top hit's best passage than to the evidence
        release's, 0 when not nearer.

        Why: lexical coverage cannot tell a release ranked 2-4 that truly answers (its words match, and
        meaning agrees) from a neighbour that merely shares the question's words while the top hit is the
        one about the topic; the latter is how unanswerable questions (above all English ones, matched
        across languages through renderings) reach confidence. The dense model judges meaning across
        languages: the question's vector against the index's vectors of the two best passages (whole
        chunks, titled), only for such evidence; texts are embedded only where the index lacks them.
        """
        if not question:
            return 0.0
        similarity = getattr(self.searcher, "similarity", None)
        top_passages, hit_passages = getattr(top, "passages", None), getattr(hit, "passages", None)
        if similarity is not None and top_passages and hit_passages:
            # The index's vectors of the two releases' best passages: no model call (see Searcher.similarity).
            try:
                to_top, to_hit = similarity(question, [top_passages[0].chunk_id, hit_passages[0].chunk_id])
                return max(0.0, to_top - to_hit)
            except KeyError as exc:  # a chunk gone from the live index since: embed the texts instead
                log.debug("stored vector missing (%s): embedding the passages", exc)
        embedder = getattr(self.searcher, "embedder", None)
        if embedder is None:
            return 0.0

        def text_of(h: Any) -> str:
            passages = getattr(h, "passages", None) or []
            body = passages[0].text if passages else ""
            return f"{getattr(h, 'title', '') or ''} {body[:PASSAGE_CHARS]}".strip()

        try:
            to_top, to_hit = embedder.compare(question, [text_of(top), text_of(hit)])
        except Exception as exc:  # noqa: BLE001 - the lexical confidence stands without it
            log.warning("dense confidence unavailable: %s", exc)
            return 0.0
        return max(0.0, float(to_top) - float(to_hit))

    def _question_tokens(self, text: str, lang: str) -> tuple[dict[str, float], dict[str, float]]:
        """Weighted content tokens, and for an English question the tokens of its Thai rendering (the
        Searcher's glossary), which weigh a little less: they are guesses."""
        tokens = {t: _weight(t) for t in content_tokens(text)}
        thai: dict[str, float] = {}
        if lang == "en":
            rendering = self._thai_rendering(text)
            thai = {t: 0.8 * _weight(t) for t in content_tokens(rendering) if t not in tokens}
        return tokens, thai

    def _thai_phrases(
        self, text: str, q_tokens: dict[str, float] | None = None
    ) -> dict[str, list[str]] | None:
        """English word → the whole Thai phrases that say it: the Searcher's glossary renderings, month
        names (full and abbreviated) and Buddhist-era years; None without a glossary.

        Each English word is one *concept*: a Thai sentence matches it when it holds any of its phrases
        (or the word itself, for names, acronyms and numbers written the same in both). Scoring concepts
        rather than the tokens of the Thai rendering keeps a word with three renderings from counting
        three times, and keeps syllable fragments of a guessed name from matching everywhere.
        """
        glossary = getattr(self.searcher, "glossary", None)
        if glossary is None or not hasattr(glossary, "translate"):
            return None
        try:
            terms = glossary.translate(text)
        except Exception as exc:  # noqa: BLE001 - only the cross-lingual matching is lost
            log.debug("no glossary phrases for the question: %s", exc)
            return None
        out: dict[str, list[str]] = {}
        for term in terms:
            thai = str(term.thai).casefold()
            if len(thai) < 2:
                continue
            for word in str(getattr(term, "source", "")).casefold().split():
                out.setdefault(word, []).append(thai)
        for token in q_tokens or {}:
            out.setdefault(token, []).extend(_date_phrases(token))
        return out

    def _thai_rendering(self, text: str) -> str:
        analyze = getattr(self.searcher, "analyze", None)
        translation = getattr(self.searcher, "translation", None)
        if analyze is None or translation is None:
            return ""
        try:
            return str(translation(analyze(text)))
        except Exception as exc:  # noqa: BLE001 - a translation failure only costs recall
            log.debug("no Thai rendering for the question: %s", exc)
            return ""

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

    def _candidates(self, hits: list[Any]) -> list[_Candidate]:
        """Sentences of the top releases' matching passages, each with its passage's score."""
        out: list[_Candidate] = []
        for rank, hit in enumerate(hits[: self.top_releases]):
            release = self.searcher.release(hit.url)
            passages = list(getattr(hit, "passages", []) or [])
            if release is None or not release.body:
                fallback = "\n".join(p.text for p in passages)
                sentences = self._split(hit.url, None, fallback).around([(0, len(fallback), 0.0)])
                for i, _s in enumerate(sentences):
                    score = max((p.score for p in passages), default=0.0)
                    out.append(_Candidate(rank, hit.url, None, sentences, i, score, lang=hit.lang))
                continue
            body = release.body
            ranges = _passage_ranges(body, passages)
            if not ranges:
                # No passage located (or none given): the release's opening sentences stand in.
                ranges = [(0, min(len(body), 1500), hit.score)]
            # Only the lines around the passages: the candidates and their neighbours (LineSentences).
            sentences = self._split(hit.url, release, body).around(ranges)
            for i, sent in enumerate(sentences):
                score = max((s for a, b, s in ranges if sent.start < b and sent.end > a), default=None)
                if score is not None:
                    out.append(_Candidate(rank, hit.url, release, sentences, i, score, lang=hit.lang))
        return out

    def _score(
        self,
        candidates: list[_Candidate],
        hits: list[Any],
        qt: QuestionType,
        question: str,
        q_tokens: dict[str, float],
        lang: str,
        thai_tokens: dict[str, float] | None = None,
        phrases: dict[str, list[str]] | None = None,
    ) -> _Candidate | None:
        if not candidates:
            return None
        w = self.weights
        top = max((h.score for h in hits), default=0.0) or 1.0
        top_passage = max((c.passage_score for c in candidates), default=0.0) or 1.0
        prior = {
            h.url: (h.score / top) / (1.0 + w.rank_decay * rank)
            for rank, h in enumerate(hits[: self.top_releases])
        }
        preferred: set[str] = set()
        if lang == "en":
            preferred = _english_versions(hits[: self.top_releases])
            for url, twin in preferred_twins(hits[: self.top_releases]).items():
                prior[url] = max(prior.get(url, 0.0), prior.get(twin, 0.0))
        # An English question meets a Thai sentence only through its Thai rendering, names and numbers;
        # each sentence is measured against the words it could contain, so languages compete fairly.
        cross = _cross_tokens(question, q_tokens, thai_tokens or {}) if lang == "en" else q_tokens
        concepts = _translatable(question, q_tokens, phrases) if phrases is not None else None
        rendered = _rendering_weights(q_tokens, phrases) if phrases is not None else None

        def has(t: str, tokens: AbstractSet[str], text: str) -> bool:
            # Thai compounds hide words (ผู้ว่า in ผู้ว่าราชการจังหวัด): Thai tokens match inside the text.
            return t in tokens or (len(t) > 2 and _THAI.match(t) is not None and t in text)

        release_weight = w.release_en if lang == "en" else w.release

        def has_concept(t: str, tokens: AbstractSet[str], low: str) -> bool:
            return t in tokens or any(ph in low for ph in (phrases or {}).get(t, ()))

        anchor_words: dict[int, dict[str, float]] = {}
        for c in candidates:
            sent = c.sentences[c.index]
            thai_sentence = lang == "en" and _THAI.search(sent.text) is not None
            neighbours = [
                c.sentences[j].text for j in (c.index - 1, c.index + 1) if 0 <= j < len(c.sentences)
            ]
            ctx_text = " ".join(neighbours)
            # A context's tokens are its sentences' tokens: each sentence is tokenized once (_token_set).
            ctx_toks = set().union(*(_token_set(t) for t in neighbours))
            stoks = _token_set(sent.text)
            if thai_sentence and concepts is not None:
                # English question, Thai sentence: each English word is matched through its Thai phrases.
                words = concepts
                total = sum(words.values()) or 1.0
                low, ctx_low = _compact(sent.text), _compact(ctx_text)
                hit_words = {t for t in words if has_concept(t, stoks, low)}
                ctx_words = {t for t in words if t not in hit_words and has_concept(t, ctx_toks, ctx_low)}
            else:
                words = cross if thai_sentence else q_tokens
                total = sum(words.values()) or 1.0
                hit_words = {t for t in words if has(t, stoks, sent.text)}
                ctx_words = {t for t in words if t not in hit_words and has(t, ctx_toks, ctx_text)}
            lex = sum(words[t] for t in hit_words) / total
            ctx = sum(words[t] for t in ctx_words) / total
            score = w.lexical * lex + w.context * ctx + release_weight * prior.get(c.url, 0.0)
            score += w.passage * (c.passage_score / top_passage)
            if qt.kind:
                anchor_words[id(c)] = rendered if thai_sentence and rendered else words
            if c.url in preferred:
                score += w.same_lang
            c.lex, c.ctx, c.words, c.found = lex, ctx, words, hit_words
            c.score = score
        if w.focus > 0:
            _focus(candidates, w.lexical * w.focus)
        if qt.kind:
            self._score_spans(candidates, qt, question, anchor_words, exhaustive=self.semantic_sentences > 0)
        if self.semantic_sentences > 0 and lang in self.semantic_langs:
            self._semantic(candidates, question)
        return max(candidates, key=lambda c: c.score)

    def _score_spans(
        self,
        candidates: list[_Candidate],
        qt: QuestionType,
        question: str,
        anchor_words: dict[int, dict[str, float]],
        exhaustive: bool = False,
    ) -> None:
        """Add each candidate's answer-kind term: does the sentence hold the date, number, person or place
        asked for, in the asked unit? Best-first, stopping once no candidate left can win.

        Why the stop: finding spans (dates, numbers with units, names) is the costliest part of scoring
        and the kind term is bounded (at most ``kind + range_asked + unit_fit``), so a candidate whose
        score without it, plus that bound, is below the best full score cannot become the answer. The
        answer is the same as scoring every candidate; those left out keep their score without the term.
        ``exhaustive`` scores all (the optional sentence-embedding step re-ranks the leaders).
        """
        w = self.weights
        bound = w.kind + w.range_asked + w.unit_fit
        ranged = RANGE_Q.search(question) is not None
        best = -math.inf
        for c in sorted(candidates, key=lambda c: -c.score):
            if not exhaustive and c.score + bound < best:
                break
            text = c.sentences[c.index].text
            span = best_span(
                text, qt, question, _anchors(text, anchor_words[id(c)], qt.unit), _year(c.release)
            )
            if span is None or span.score < WEAK_SPAN:
                c.score -= w.kind_missing
            else:
                c.score += w.kind * min(span.score, KIND_CAP) / KIND_CAP
                if span.until is not None and ranged:
                    c.score += w.range_asked
                if span.fit is not None:
                    # The asked unit (people, baht, %) is the strongest sign across languages.
                    c.score += w.unit_fit if span.fit else -w.unit_fit / 2
                c.span = span
            best = max(best, c.score)

    def _semantic(self, candidates: list[_Candidate], question: str) -> None:
        """Optional: re-score the leading candidates with e5 question/sentence similarity."""
        embedder = getattr(self.searcher, "embedder", None)
        if embedder is None:
            return
        lead = sorted(candidates, key=lambda c: -c.score)[: self.semantic_sentences]
        texts = [c.sentences[c.index].text for c in lead]
        try:
            q = embedder.encode_queries([question])[0]
            vecs = embedder.encode_passages(texts)
        except Exception as exc:  # noqa: BLE001 - the extractive answer stands without it
            log.warning("sentence embeddings unavailable: %s", exc)
            return
        sims = [float(q @ v) for v in vecs]
        top = max(sims)
        # e5 cosines sit in a narrow band: what counts is how far below the most similar sentence one is.
        for c, sim in zip(lead, sims, strict=True):
            c.score += self.weights.semantic * 10.0 * (sim - top)

    def _evidence(
        self,
        best: _Candidate,
        qt: QuestionType,
        question: str,
        q_tokens: dict[str, float],
        phrases: dict[str, list[str]] | None = None,
    ) -> tuple[str, Span | None]:
        """The quoted evidence (the best sentence, widened with neighbours while short) and its span."""
        sents = best.sentences
        i = j = best.index
        body = best.release.body if best.release is not None else None

        def text_of(a: int, b: int) -> str:
            if body is not None:
                return body[sents[a].start : sents[b].end]
            return " ".join(s.text for s in sents[a : b + 1])

        # Widen within the paragraph: the sentence before first (it often names the subject), then after.
        for step in ("prev", "next", "prev", "next"):
            if step == "prev" and i > 0 and _same_paragraph(body, sents[i - 1], sents[i]):
                if len(text_of(i - 1, j)) <= EVIDENCE_TARGET:
                    i -= 1
            elif (
                step == "next"
                and j + 1 < len(sents)
                and _same_paragraph(body, sents[j], sents[j + 1])
                and len(text_of(i, j + 1)) <= EVIDENCE_TARGET
            ):
                j += 1
        evidence = text_of(i, j)
        if len(evidence) > EVIDENCE_CHARS:
            evidence = sents[best.index].text[:EVIDENCE_CHARS]
        span = best.span
        if qt.kind and qt.kind != "reason":
            # The span may sit in a neighbour sentence when the best one lacks it.
            words = q_tokens
            if phrases is not None and _THAI.search(evidence):
                words = _rendering_weights(q_tokens, phrases)
            widened = best_span(
                evidence, qt, question, _anchors(evidence, words, qt.unit), _year(best.release)
            )
            if span is None or (widened is not None and widened.score > span.score + 0.25):
                span = widened
        return evidence, span

    def _sources(self, hits: list[Any], first_url: str | None) -> list[Source]:
        """Top releases in rank order, the evidence's release first."""
        ordered = list(hits[:MAX_SOURCES])
        if first_url is not None:
            ordered.sort(key=lambda h: 0 if h.url == first_url else 1)
        out = []
        for h in ordered:
            passages = list(getattr(h, "passages", []) or [])
            passage = passages[0].text if passages else ""
            passage = " ".join(passage.split())
            if len(passage) > PASSAGE_CHARS:
                passage = passage[: PASSAGE_CHARS - 1].rstrip() + "…"
            out.append(Source(h.url, h.title, h.date, passage, float(h.score)))
        return out

    def _llm_passages(self, answer: Answer) -> list[tuple[Source, str]]:
        """The sources handed to the LLM with their passage text (the evidence for the first)."""
        out = []
        for i, src in enumerate(answer.sources[:5]):
            text = answer.evidence if i == 0 and answer.evidence else src.passage
            out.append((src, text or ""))
        return out


# --- helpers --------------------------------------------------------------------------------------


def _compact(text: str) -> str:
    """Case-folded text with the spaces inside Thai removed, for matching Thai phrases.

    Why: releases break Thai words with stray spaces (``ผู้ได้รับผล กระทบ``), which would hide a rendering
    (ผลกระทบ) from a substring match; spaces next to Latin letters or digits stay, so names keep apart.
    """
    return _THAI_SPACE.sub("", text.casefold())


_THAI_SPACE = re.compile(r"(?<=[\u0e01-\u0e4e])\s+(?=[\u0e01-\u0e4e])")


def _focus(candidates: list[_Candidate], weight: float) -> None:
    """Re-weigh the lexical overlap by how few candidate sentences hold each question word.

    Why: the question's topic words (the place, the project, the event) are in nearly every sentence of
    the releases retrieval found, since that is how they were found; they cannot tell the answering
    sentence from the introduction that restates the topic. The words that set the asked fact apart
    (ขึ้นฝั่ง "made landfall", ปัญหา "problem", "affected") are in a few sentences only. So, as IDF does
    for documents, a word weighs log(1 + N / n) over the N candidate sentences, n of which hold it; the
    re-weighted overlap replaces ``weight`` of the plain one. Confidence keeps the plain overlap (an
    absolute measure, calibrated on it).
    """
    n_sent = len(candidates)
    if n_sent < 3:
        return
    counts: dict[str, int] = {}
    for c in candidates:
        for t in c.found or ():
            counts[t] = counts.get(t, 0) + 1
    for c in candidates:
        words = c.words or {}
        if not words:
            continue
        disc = {t: wt * math.log(1.0 + n_sent / (counts.get(t, 0) + 1.0)) for t, wt in words.items()}
        total = sum(disc.values()) or 1.0
        focused = sum(disc[t] for t in c.found or () if t in disc) / total
        c.score += weight * (focused - c.lex)


def _passage_ranges(body: str, passages: list[Any]) -> list[tuple[int, int, float]]:
    """Where each passage lies in the body, found by its first (or last) characters."""
    ranges = []
    for p in passages:
        text = p.text or ""
        for line in text.split("\n"):
            line = line.strip()
            if len(line) < 12:
                continue
            probe = line[:80]
            pos = body.find(probe)
            if pos >= 0:
                ranges.append((pos, pos + len(line), float(p.score)))
                continue
            probe = line[-80:]
            pos = body.find(probe)
            if pos >= 0:
                ranges.append((max(0, pos + len(probe) - len(line)), pos + len(probe), float(p.score)))
    return ranges


def _anchors(text: str, q_tokens: dict[str, float], skip: str | None = None) -> list[tuple[int, int]]:
    """Positions in ``text`` of the question's words (every occurrence, case-folded), to prefer spans near
    them; ``skip`` is the counted unit (``รูป``), which sits beside every candidate number alike."""
    low = text.casefold()
    out = []
    for t in q_tokens:
        if len(t) < 2 or t == skip:
            continue
        # Non-overlapping occurrences, as re.finditer would give them, without compiling a pattern a word.
        pos = low.find(t)
        while pos >= 0:
            out.append((pos, pos + len(t)))
            pos = low.find(t, pos + len(t))
    return out


_THAI = re.compile(r"[\u0e01-\u0e4e]")
#: Words of an English question that a Thai text may carry as written: names, acronyms, codes, numbers.
_NAMEISH = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*|\b\w*\d[\w.,]*")


def _cross_tokens(question: str, q_tokens: dict[str, float], thai: dict[str, float]) -> dict[str, float]:
    """What of an English question a Thai sentence can contain: the Thai rendering, names, numbers."""
    names = {t.casefold() for t in _NAMEISH.findall(question)}
    out = {t: wt for t, wt in q_tokens.items() if t in names or any(ch.isdigit() for ch in t)}
    for t, wt in thai.items():
        out.setdefault(t, wt)
    return out or q_tokens


def _translatable(
    question: str, q_tokens: dict[str, float], phrases: dict[str, list[str]]
) -> dict[str, float]:
    """The English question's words a Thai sentence can hold: those with a Thai phrase, and names,
    acronyms and numbers (written the same in both languages)."""
    names = {t.casefold() for t in _NAMEISH.findall(question)}
    out = {
        t: wt for t, wt in q_tokens.items() if phrases.get(t) or t in names or any(ch.isdigit() for ch in t)
    }
    return out or q_tokens


def _rendering_weights(q_tokens: dict[str, float], phrases: dict[str, list[str]] | None) -> dict[str, float]:
    """The question's words and their Thai phrases, as anchors for spans in a Thai text."""
    out = dict(q_tokens)
    for t, wt in q_tokens.items():
        for ph in (phrases or {}).get(t, ()):
            out.setdefault(ph, wt)
    return out


def _date_phrases(token: str) -> list[str]:
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


def preferred_twins(hits: list[Any]) -> dict[str, str]:
    """English hits that look like the English version of a Thai hit ranked above them (published within
    :data:`TWIN_DAYS` days): url of the English release → url of its Thai twin."""
    out: dict[str, str] = {}
    for i, hit in enumerate(hits):
        if getattr(hit, "lang", "th") != "en":
            continue
        for other in hits[:i]:
            if getattr(other, "lang", "th") == "th" and _days_apart(hit.date, other.date) <= TWIN_DAYS:
                out[hit.url] = other.url
                break
    return out


def _english_versions(hits: list[Any]) -> set[str]:
    """English hits an English question should prefer: the top hit, or the twin of a Thai hit above it."""
    out = set(preferred_twins(hits))
    if hits and getattr(hits[0], "lang", "th") == "en":
        out.add(hits[0].url)
    return out


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)
    except (TypeError, ValueError):
        return 10**6


def _year(release: Release | None) -> int | None:
    if release is None or not release.date:
        return None
    try:
        return int(release.date[:4])
    except ValueError:
        return None


def _same_paragraph(body: str | None, a: Sentence, b: Sentence) -> bool:
    if body is None:
        return True
    return "\n" not in body[a.end : b.start]
