"""The answer step's façade: a question in, an :class:`~index.answer.types.Answer` out.

1. retrieval (:class:`index.search.retrieve.Searcher`) gives the top releases and their best passages;
2. the sentences of those passages are the candidates (:mod:`index.answer.candidates`), pre-ranked by their
   lexical match; the leading ones get the span of the asked kind (:mod:`index.answer.spans`);
3. the reader's model (:mod:`index.answer.model`, trained on a question set's train fold) scores each
   candidate from general features (:mod:`index.answer.features`); the best one's score is calibrated into
   the probability that the reply is right;
4. by that probability the reply asserts a short answer, quotes the closest passage without one, or says
   the releases do not answer (thresholds chosen on the validation fold for a target wrong-answer rate).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
from typing import TYPE_CHECKING

import numpy as np

from corpus.text import detect_lang, query_text
from index.answer import evidence as ev
from index.answer.agenda import agenda_answer
from index.answer.analysis import Analysis, Presented
from index.answer.calibration import answer_measures, logit, sigmoid
from index.answer.candidates import TOP_RELEASES, Candidate, CandidateBuilder, QuestionWords
from index.answer.crosslingual import cross_tokens, thai_phrases, thai_rendering_tokens, translatable
from index.answer.features import matrix, question_view
from index.answer.kinds import learned_kind, uniform
from index.answer.model import ReaderModel, Thresholds, shipped_model
from index.answer.places import missing_province
from index.answer.qtype import QuestionType, detect_qtype
from index.answer.several import release_answers
from index.answer.snippets import with_snippets
from index.answer.spans import span_answer
from index.answer.types import ASSERTED, HEDGED, REFUSED, Answer, Source
from index.answer.verifier import Verifier, VerifierError, load_verifier
from index.answer.words import AnyOf, asks_anything, compact, content_tokens, has_thai, weight
from index.search.query import asks_for_latest
from index.search.relative_days import today_in_bangkok

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from index.answer.llm import LLMClient
    from index.answer.span_model import SpanModel
    from index.search.hits import ReleaseHit
    from index.search.retrieve import Searcher
    from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Candidates (by lexical pre-rank) that get a span and compete in the model: every sentence of the top
#: releases' matching passages in practice (a median of 76), capped for the longest releases. Why so many:
#: with the 15 best by lexical match, an answering sentence was among them for only 0.74 of the validation
#: questions (0.65 English: an English question meets a Thai sentence only through the words it can
#: translate), while the model ranks the whole pool as well as it ranked the 15 (docs/answers.md).
SPAN_CANDIDATES = 80
#: Days the newest release may lie before today before a question about now is told how far they reach.
STALE_DAYS = 30
#: Under the cap, the best of each top release first, so that one long release cannot crowd out the others.
PER_RELEASE = 3
#: Characters of a question that are read (a question is a line or two; a pasted article is cut).
MAX_QUESTION_CHARS = 1_000
#: A span scoring below this (e.g. a name the question itself gives) counts as no span at all.
WEAK_SPAN = 0.5
#: The prior that the previous answer's release answers its follow-up, as a log-odds shift of the reader's
#: probability: the reader is calibrated on questions asked over a search's top releases, and a follow-up
#: asks about a release the conversation chose already. Chosen on half A of eval/followups.jsonl
#: (bench/followups.py --half A) and re-chosen after each retrain of the reader, whose probabilities for
#: two-word follow-ups move the most: stop 17, among 0-3, 1, 2 and 3 tied and 1 was kept; stop 20's reader
#: (trained over the qa index and the whole archive), among 1-3, replies right 0.67 / 0.67 / 0.76 / 0.76 /
#: 0.76 of the time at 1 / 1.5 / 2 / 2.5 / 3: the smallest best is kept. Later retrains would pick more (the
#: time-kind reader 3: 0.76 up to 2, 0.81 at 2.5, 0.83 at 3; the shipped one 0.64 / 0.69 / 0.71 / 0.74 at 1 /
#: 1.5 / 2 / 2.5); kept at 2, since the template set has no follow-up its release fails to answer and cannot
#: price a larger prior (docs/answers.md, "Stop 20").
FOLLOW_PRIOR = 2.0


class Answerer:
    """Answers questions over a :class:`~index.search.retrieve.Searcher`; thread-safe for concurrent
    ``ask``."""

    def __init__(
        self,
        searcher: Searcher,
        settings: Settings | None = None,
        *,
        model: ReaderModel | None = None,
        top_releases: int = TOP_RELEASES,
        span_candidates: int = SPAN_CANDIDATES,
        llm: LLMClient | None = None,
        verifier: Verifier | None = None,
    ) -> None:
        self.searcher = searcher
        self.settings = settings
        self._model = model
        self.builder = CandidateBuilder(searcher, top_releases)
        self.span_candidates = span_candidates
        if llm is None and settings is not None:
            from index.answer.llm import LLMClient

            client = LLMClient(settings)
            llm = client if client.enabled else None
        self.llm = llm
        self._verifier = verifier  # None: the shipped one, loaded when the reader's calibration needs it
        self._verifier_failed = False

    @property
    def model(self) -> ReaderModel:
        """The reader model: the one given, else the packaged one (loaded on first use: training builds an
        Answerer before any model exists)."""
        if self._model is None:
            self._model = shipped_model()
        return self._model

    def warm_up(self) -> None:
        """Load what the first question would otherwise pay for: the Thai word splitter's dictionary, the
        question model and the index's publication days (a bot answers its first user after a restart as
        fast as the rest)."""
        content_tokens("ครม. อนุมัติงบประมาณ")
        _ = self.model
        _ = self.verifier
        self.searcher.embedder.encode_queries(["warm up"])
        self.searcher.warm_up()

    def ask(self, question: str, within: str | None = None, follow_up: bool = False) -> Answer:
        """The answer to ``question`` (never raises for odd input: empty or junk questions get a reply).

        ``within``: the URL of one release to answer from (a question about the release the user is
        looking at); its sentences are the only candidates and it is the only source; the sentences holding
        the asked kind compete (:func:`asked_kind_first`). ``follow_up``: with ``within``, the release is
        the previous answer's in a conversation, so likelier to answer (:data:`FOLLOW_PRIOR`).
        """
        started = time.perf_counter()
        listed = agenda_answer(self.searcher, question) if within is None else None
        if listed is not None:
            listed.ms = (time.perf_counter() - started) * 1000.0
            return listed
        unknown = self.searcher.unknown_words(question) if within is None else []
        if unknown:
            answer = Answer(question, _reply_lang(question), False, None, None, [], unknown_words=unknown)
            answer.ms = (time.perf_counter() - started) * 1000.0
            return answer
        analysis = self.analyse(question, within)
        if analysis is not None and within is not None:
            analysis.follow_up = follow_up
        if analysis is None or not analysis.candidates:
            text = " ".join((question or "").split())
            lang = analysis.lang if analysis else _reply_lang(text)
            listed = (analysis.shown or analysis.hits) if analysis else []
            sources = ev.sources(listed, None)
            if analysis is not None:  # no sentence was read: the snippets come from the passages
                sources = with_snippets(sources, analysis, np.zeros(0))
            answer = Answer(question, lang, False, None, None, sources)
        else:
            answer = self.decide(analysis, self.model.scores(analysis.features))
            if answer.found and self.llm is not None:
                answer = self.llm.rewrite(answer, _llm_passages(answer)) or answer
        answer.newest = reach(self.searcher, question)
        answer.ms = (time.perf_counter() - started) * 1000.0
        return answer

    # --- steps ---------------------------------------------------------------------------------
    def analyse(
        self,
        question: str,
        within: str | None = None,
        kinds: np.ndarray | None = None,
        adapted: bool = True,
    ) -> Analysis | None:
        """Retrieval, candidates, spans and features; None for a question with no word in it.

        ``kinds``: the asked kind's probabilities when the caller has them (training passes out-of-fold
        ones); else the model's, from the question's vector. ``adapted=False`` searches without the learned
        query maps (training, for the questions they were fitted on).
        """
        text = query_text(_CONTROL.sub(" ", question or ""), MAX_QUESTION_CHARS)
        if not re.search(r"\w", text) or not asks_anything(text):
            return None
        lang = detect_lang(text)
        qt = detect_qtype(text, lang)
        shown: list[ReleaseHit] = []
        if within is not None:
            one = self.searcher.within(within)
            hits = [one] if one is not None else []
        else:
            hits, shown = self.searcher.search_views(text, k=ev.MAX_SOURCES, adapted=adapted)
        if kinds is None:
            kinds = self._kinds(text)
        learned = learned_kind(kinds)
        if qt.kind is None and learned is not None:
            # The rules saw no kind (a chat question without its interrogative): look for the learned one.
            qt = QuestionType(qt.qtype, learned, lang, qt.unit)
        words = self._question_words(text, lang)
        candidates = self.builder.build(hits)
        self.builder.measure(candidates, hits, words, lang)
        candidates = _leading(candidates, self.span_candidates)
        if qt.kind:
            for c in candidates:
                span = ev.sentence_span(c, qt, text, words)
                c.span = span if span is not None and span.score >= WEAK_SPAN else None
                c.kind_spans = ev.kind_span_count(c, qt)
        view = question_view(text, lang, qt, len(words.own), kinds)
        coverage = {url: self._coverage(url, hits, words) for url in {c.url for c in candidates}}
        dense = self._dense(text, candidates)
        features = matrix(view, candidates, hits, coverage, dense)
        return Analysis(
            question, lang, qt, view, words, hits, candidates, features, within is not None, shown=shown
        )

    def present(
        self, analysis: Analysis, best: int, span_model: SpanModel | None = None, probability: float = 0.5
    ) -> Presented:
        """Evidence, span and sources for candidate ``best`` of the analysis (the span is the rules' best;
        ``span_model``, when given, says how far to trust it)."""
        c = analysis.candidates[best]
        quoted = ev.quote(c, analysis.qt, analysis.view, analysis.words, span_model, probability)
        short = span_answer(quoted.span, analysis.lang, quoted.evidence) if quoted.span is not None else None
        return Presented(c, quoted, short, _sources(analysis, c.url))

    def decide(self, analysis: Analysis, raw: np.ndarray, thresholds: Thresholds | None = None) -> Answer:
        """The reply for the model's raw candidate scores: asserted, hedged or refused by probability."""
        # The refusal thresholds of this index's size (index.answer.collection_size).
        t = (thresholds or self.model.thresholds).for_collection(self.searcher.releases)
        # Within one release the asked kind chooses among the sentences; how sure the reply is stays the
        # reader's own view of the chosen one (its margin over every other sentence, span or not).
        best = int(np.argmax(asked_kind_first(analysis, raw) if analysis.within else raw))
        urls = [c.url for c in analysis.candidates]
        model = self.model
        chosen = analysis.candidates[best]
        measures = answer_measures(raw, best, analysis.features, urls)
        p = self._verified(analysis, chosen, model.probability(measures, within=analysis.within))
        # A follow-up is refused less readily (the conversation chose its release), but how it is presented
        # (bold or hedged) follows the reader's own probability, which stays calibrated within one release
        # (docs/answers.md, "Follow-ups"): the prior must not turn a likely-wrong value into a bold claim.
        answering = _with_prior(p, FOLLOW_PRIOR) if analysis.follow_up else p
        common = dict(probability=p, qtype=analysis.qt.qtype, evidence_rank=chosen.hit_rank)
        q, lang = analysis.question, analysis.lang
        if answering < t.refusal(lang) or answers_elsewhere(analysis, chosen):
            # A refusal quotes no passage as answering (also when the chosen release never names the province
            # the question asks about: index.answer.places): only the closest releases, each with a snippet
            # of the sentence the reader scored highest in it (index.answer.snippets), the reader's best first
            # (on the validation folds over the whole archive, a right release among the first 3 links of a
            # refusal 0.738 of the time, against 0.715 in the second look's order alone and 0.705 in the fused
            # one).
            sources = _sources(analysis, chosen.url)
            if asks_for_latest(analysis.view.text):  # the newest of the releases the reader read first
                sources = ev.newest_first(sources, {c.url for c in analysis.candidates})
            sources = with_snippets(sources, analysis, raw)
            return Answer(q, lang, False, None, None, sources, presentation=REFUSED, **common)
        shown = self.present(analysis, best, model.span_model, p)

        def present(k: int, pk: float) -> Presented:
            return self.present(analysis, k, model.span_model, pk)

        answers = release_answers(model, analysis, raw, best, shown, p, t, present)
        lead = answers[0]
        sources = with_snippets(_sources(analysis, lead.url, [a.url for a in answers[1:]]), analysis, raw)
        # Likely enough to show but not to claim: the closest passage, without a short answer (hedged).
        # Claimed: a passage sure enough, or a short answer the span model puts in bold (release_answers).
        claimed = lead.probability >= t.asserting(lang) or lead.answer is not None
        presentation = ASSERTED if claimed else HEDGED
        common["probability"] = lead.probability
        more = None
        if analysis.within and presentation == HEDGED:
            # Within one release a hedged reply also quotes the runner-up passage (evidence.second_passage).
            order = [int(k) for k in np.argsort(-asked_kind_first(analysis, raw), kind="stable") if k != best]
            more = ev.second_passage(analysis.candidates, order, best)
        found = (q, lang, True, lead.answer, lead.evidence, sources)
        return Answer(*found, presentation=presentation, answers=answers, more_evidence=more, **common)

    @property
    def verifier(self) -> Verifier | None:
        """The verifier the reader's calibration was fitted with (loaded on first use, ~1-2 s); None when
        the reader has no verification stage, or when the verifier cannot be loaded (said once in the log:
        the reader's own probability is used, calibrated but without the verifier's view)."""
        stage = self.model.verification
        if stage is None or self._verifier_failed:
            return None
        if self._verifier is None:
            try:
                self._verifier = load_verifier(self.searcher.embedder.settings.embedding_model, stage)
            except VerifierError as exc:
                log.error("the verifier is not used: %s", exc)
                self._verifier_failed = True
                return None
        return self._verifier

    def _verified(self, analysis: Analysis, chosen: Candidate, p: float) -> float:
        """The reply's probability with the verifier's reading of its quote (the reader's alone without
        one)."""
        stage, verifier = self.model.verification, self.verifier
        if stage is None or verifier is None:
            return p
        return stage.probability(p, verifier.score(analysis.view.text, ev.quoted_text(chosen)))

    def _kinds(self, text: str) -> np.ndarray:
        kind_model = self.model.kinds
        if kind_model is None:
            return uniform()
        return kind_model.probabilities(self.searcher.query_vector(text))

    def _question_words(self, text: str, lang: str) -> QuestionWords:
        own = {t: weight(t) for t in content_tokens(text)}
        if lang != "en":
            return QuestionWords(own, own, None, None)
        thai = thai_rendering_tokens(self.searcher, text, own)
        phrases = thai_phrases(self.searcher, text, own)
        return QuestionWords(own, cross_tokens(text, own, thai), translatable(text, own, phrases), phrases)

    def _coverage(self, url: str, hits: list[ReleaseHit], words: QuestionWords) -> float:
        """Share of the question's words in the release's title and matching passages."""
        hit = next((h for h in hits if h.url == url), None)
        if hit is None:
            return 0.0
        parts = [hit.title or ""] + [p.text for p in hit.passages]
        sets = self.builder.token_sets
        tokens = AnyOf(sets.view(t) for t in parts)  # each part split only if a word could be in it
        if words.phrases is not None and has_thai(" ".join(parts)):
            bag, low = words.own, compact(" ".join(parts))
            found = [t for t in bag if any(ph in low for ph in words.phrases.get(t, ())) or t in tokens]
        else:
            bag = words.own
            found = [t for t in bag if t in tokens]
        return math.fsum(bag[t] for t in found) / (math.fsum(bag.values()) or 1.0)

    def _dense(self, text: str, candidates: list[Candidate]) -> dict[int, float]:
        """e5 cosine of the question to each candidate's passage that has a stored vector (the first
        ``DENSE_PASSAGES`` of each release); the others get the best one's (:func:`features.matrix`)."""
        ids = sorted({c.chunk_id for c in candidates if c.chunk_id is not None})
        return self.searcher.similarity(text, ids) if ids else {}


def reach(searcher: Searcher, question: str, today: dt.date | None = None) -> str:
    """The newest release's date (ISO) when the question asks about now (the latest or current value,
    today, this week) and the releases end more than :data:`STALE_DAYS` before today (Bangkok); else "".

    Why: the archive stops at a date, and its latest value, or a relative day counted from its newest
    release, is not today's. The reply says how far the releases reach, so that nobody reads an old
    figure as the current one."""
    newest = searcher.newest
    today = today or today_in_bangkok()
    if newest is None or (today - newest).days <= STALE_DAYS:
        return ""
    info = searcher.analyze(query_text(question or ""))
    kinds = {w.kind for w in info.dates}
    # "now", "this year": about now; "the year before 2565", "now, as of November 2567": their own time.
    about_now = (info.latest or "relative" in kinds) and kinds <= {"relative"}
    return newest.isoformat() if about_now else ""


def _reply_lang(text: str) -> str:
    """The language to say "ask a question" in: the question's, and English for letters of neither Thai nor
    English (a Chinese or Arabic question gets the prompt in the language its writer more likely reads)."""
    if text and not re.search(r"[\u0e01-\u0e5bA-Za-z]", text) and re.search(r"[^\W\d_]", text):
        return "en"
    return detect_lang(text) if text else "th"


def _with_prior(p: float, prior: float) -> float:
    """``p`` with its odds multiplied by ``exp(prior)``: the reader is calibrated on questions asked over
    the top releases of a search; a follow-up asks about a release the conversation chose already."""
    return float(sigmoid(logit(p) + prior))


def asked_kind_first(analysis: Analysis, raw: np.ndarray) -> np.ndarray:
    """Within one chosen release, only the sentences that hold a span of the asked kind compete when any
    does. Why: the release was chosen already (the previous turn's, or the one the user is looking at), so
    the question is about it, and "where?" is answered by a sentence naming a place, not by the sentence
    that best repeats the topic (the reader, trained over many releases, weighs topic words far more)."""
    if not analysis.qt.kind:
        return raw
    has = np.array([c.span is not None for c in analysis.candidates], dtype=bool)
    if not has.any() or has.all():
        return raw
    return np.where(has, raw, float(raw.min()) - 10.0)


def _leading(candidates: list[Candidate], n: int) -> list[Candidate]:
    """The ``n`` candidates that compete: the :data:`PER_RELEASE` best of each release, then the best of
    the rest, by lexical score."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    taken: dict[str, int] = {}
    first, rest = [], []
    for c in ranked:
        if taken.get(c.url, 0) < PER_RELEASE:
            taken[c.url] = taken.get(c.url, 0) + 1
            first.append(c)
        else:
            rest.append(c)
    keep = (first + rest)[:n]
    return sorted(keep, key=lambda c: -c.score)


def answers_elsewhere(analysis: Analysis, chosen: Candidate) -> bool:
    """Whether the question names a province the chosen candidate's release never names: its reply would
    answer about another province (index.answer.places)."""
    release = chosen.release
    if release is None:
        return False
    return missing_province(analysis.question, release.title, release.body) is not None


def _llm_passages(answer: Answer) -> list[tuple[Source, str]]:
    """The sources handed to the LLM with their passage text (the evidence for the first)."""
    out = []
    for i, src in enumerate(answer.sources[:5]):
        text = answer.evidence if i == 0 and answer.evidence else src.passage
        out.append((src, text or ""))
    return out


def _sources(analysis: Analysis, first_url: str, then: Sequence[str] = ()) -> list[Source]:
    """The reply's links: the answering release first, then the other releases the reply says answer
    (``then``), then the others in the search's second-look order (an answering release is taken from the
    reader's list when the second look put it further down). Why: a reader of ``ask --json`` takes the first
    links for the releases that answer, and the reply names the answering ones in its text."""
    listed = analysis.shown or analysis.hits
    wanted = [first_url, *then]
    missing = [u for u in wanted if all(h.url != u for h in listed[: ev.MAX_SOURCES])]
    if missing:
        first = [h for u in missing for h in analysis.hits if h.url == u]
        listed = first + [h for h in listed if h.url not in missing]
    return ev.sources(listed, first_url, then)
