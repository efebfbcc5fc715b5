"""The quoted evidence (the chosen sentence, widened with neighbours while short), its short answer span,
and the list of sources. Nothing is generated: the evidence is a verbatim slice of a release."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.answer.crosslingual import rendering_weights
from index.answer.span_model import SpanModel, span_matrix
from index.answer.spans import best_span, candidate_spans, scored_spans
from index.answer.types import Source
from index.answer.words import content_tokens, has_thai

if TYPE_CHECKING:  # pragma: no cover
    from corpus.release import Release
    from index.answer.candidates import Candidate, QuestionWords
    from index.answer.features import QuestionView
    from index.answer.qtype import QuestionType
    from index.answer.sentences import Sentence
    from index.answer.spans import Span
    from index.search.hits import ReleaseHit

#: Most characters of quoted evidence.
EVIDENCE_CHARS = 400
#: Neighbour sentences are added to a short best sentence while the evidence stays under this.
EVIDENCE_TARGET = 380
#: Characters of a source's passage in ``sources`` (JSON).
SOURCE_PASSAGE_CHARS = 400
#: Releases listed in ``sources``.
MAX_SOURCES = 10


def anchors(text: str, words: dict[str, float], skip: str | None = None) -> list[tuple[int, int]]:
    """Positions in ``text`` of the question's words (every occurrence, case-folded), to prefer spans near
    them; ``skip`` is the counted unit (``รูป``), which sits beside every candidate number alike."""
    low = text.casefold()
    out = []
    for t in words:
        if len(t) < 2 or t == skip:
            continue
        pos = low.find(t)
        while pos >= 0:
            out.append((pos, pos + len(t)))
            pos = low.find(t, pos + len(t))
    return out


def release_year(release: Release | None) -> int | None:
    if release is None or not release.date:
        return None
    try:
        return int(release.date[:4])
    except ValueError:
        return None


def span_words(text: str, words: QuestionWords, default: dict[str, float]) -> dict[str, float]:
    """The words a span should sit near: for an English question in a Thai text, the Thai phrases."""
    if words.phrases is not None and has_thai(text):
        return rendering_weights(words.own, words.phrases)
    return default


def sentence_span(c: Candidate, qt: QuestionType, question: str, words: QuestionWords) -> Span | None:
    """The best span of the asked kind in the candidate sentence."""
    text = c.text
    return best_span(
        text,
        qt,
        question,
        anchors(text, span_words(text, words, c.words or words.own), qt.unit),
        release_year(c.release),
    )


def kind_span_count(c: Candidate, qt: QuestionType) -> int:
    """How many spans of the asked kind the candidate sentence holds (cached with the span search)."""
    return len(candidate_spans(c.text, qt, release_year(c.release)))


def quoted_text(best: Candidate) -> str:
    """The evidence quoted for a candidate: neighbours in the same paragraph are added while it is short
    (the sentence before often names the subject)."""
    return _quote(best)[2]


def _quote(best: Candidate) -> tuple[int, int, str]:
    sents = best.sentences
    i = j = best.index
    body = best.release.body if best.release is not None else None

    def text_of(a: int, b: int) -> str:
        if body is not None:
            return body[sents[a].start : sents[b].end]
        return " ".join(s.text for s in sents[a : b + 1])

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
        return best.index, best.index, sents[best.index].text[:EVIDENCE_CHARS]
    return i, j, evidence


#: Characters of the second passage a hedged reply within one release quotes (:func:`second_passage`).
MORE_EVIDENCE_CHARS = 300


def second_passage(candidates: Sequence[Candidate], order: Sequence[int], best: int) -> str | None:
    """The quoted passage of the next candidate in ``order`` (best first) that shares no sentence with the
    passage quoted for candidate ``best``, cut to :data:`MORE_EVIDENCE_CHARS`; None when there is none.
    Candidates are of one release (a question asked within it), so their sentence indexes compare.

    Why: within one release (a follow-up about the previous answer's release) the reader is often unsure
    which of two sentences answers: the asked value is then in the runner-up nearly as often as in the
    first. A hedged reply, which claims nothing, quotes both; a short chat reply still holds both in its
    first few hundred characters (hand-written follow-ups: the answer shown 82 -> 87 of 123 times,
    template ones 65 -> 72 of 96; docs/answers.md, "Follow-ups")."""
    first, last, quote = _quote(candidates[best])
    said = set(content_tokens(quote))
    for k in order:
        i, j, text = _quote(candidates[k])
        if (j < first or i > last) and not _restates(said, text):
            cut = MORE_EVIDENCE_CHARS - 1
            return text if len(text) <= MORE_EVIDENCE_CHARS else text[:cut].rstrip() + "…"
    return None


#: A passage whose words are this much (Jaccard) the first quote's says the same thing again.
RESTATES = 0.6


def _restates(said: set[str], text: str) -> bool:
    """Whether ``text`` says what the first quote said (a release repeats its lead in its body: "นายเศรษฐา
    … เป็นประธาน" twice); quoting it again only pushes the reply's links down."""
    words = set(content_tokens(text))
    return bool(said and words) and len(said & words) / len(said | words) >= RESTATES


@dataclass(frozen=True)
class Quoted:
    """The evidence quoted for a candidate, the spans of the asked kind in it (rule-scored), the
    positions of the question's words in it, the span chosen and how likely it is right."""

    evidence: str
    spans: list[Span]
    anchors: list[tuple[int, int]]
    span: Span | None
    span_probability: float


def quote(
    best: Candidate,
    qt: QuestionType,
    view: QuestionView,
    words: QuestionWords,
    span_model: SpanModel | None = None,
    probability: float = 0.5,
) -> Quoted:
    """The quoted evidence and its short-answer span, the best by the rules' score among every span of the
    asked kind in it (the sentence's and its neighbours'), and the span model's probability that it is
    right (0 without a span model)."""
    evidence = quoted_text(best)
    if not qt.kind or qt.kind == "reason":
        return Quoted(evidence, [], [], None, 0.0)
    where = anchors(evidence, span_words(evidence, words, words.own), qt.unit)
    spans = scored_spans(evidence, qt, view.text, where, release_year(best.release))
    if not spans:
        return Quoted(evidence, [], where, None, 0.0)
    # The rules choose the span (the span model chose no better on the validation fold: 0.58 against
    # 0.61 right where the evidence is right); the span model says how far to trust it.
    i = max(range(len(spans)), key=lambda k: spans[k].score)
    if span_model is None:
        return Quoted(evidence, spans, where, spans[i], 0.0)
    probs = span_model.probabilities(span_matrix(spans, evidence, where, view.text, view.years, probability))
    return Quoted(evidence, spans, where, spans[i], float(probs[i]))


def sources(hits: list[ReleaseHit], first_url: str | None, then: Sequence[str] = ()) -> list[Source]:
    """Top releases in rank order, the evidence's release first, then ``then`` (the other releases the reply
    says answer, in the reply's order)."""
    ordered = list(hits[:MAX_SOURCES])
    lead = [u for u in (first_url, *then) if u is not None]
    if lead:
        ordered.sort(key=lambda h: lead.index(h.url) if h.url in lead else len(lead))
    out = []
    for h in ordered:
        passage = " ".join(h.passages[0].text.split()) if h.passages else ""
        if len(passage) > SOURCE_PASSAGE_CHARS:
            passage = passage[: SOURCE_PASSAGE_CHARS - 1].rstrip() + "…"
        out.append(Source(h.url, h.title, h.date, passage, float(h.score)))
    return out


def newest_first(sources: list[Source], read: Collection[str]) -> list[Source]:
    """The sources whose releases the reader read (``read``: their URLs) first, newest first (ties keep
    their order), then the others as they were: a refusal's links for a question that asks for the latest
    or current value.

    Why: the releases that give a recurring figure (a ranking, a tariff, a rate) match such a question
    about equally, whatever their year, so relevance alone leads with any of them; a user who asked for the
    latest reads the newest first, in its snippet. Only the releases the reader read are moved up: a newer
    release that only the search's second look ranked high is less likely to be about the question.
    """
    head = sorted((s for s in sources if s.url in read), key=lambda s: s.date, reverse=True)
    return head + [s for s in sources if s.url not in read]


def _same_paragraph(body: str | None, a: Sentence, b: Sentence) -> bool:
    if body is None:
        return True
    return "\n" not in body[a.end : b.start]
