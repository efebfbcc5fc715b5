"""The answer step's data: what the CLI, the bot and the evaluation receive (no HTML: they render it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.answer.listing import AgendaList

#: How a reply presents what it found (:attr:`Answer.presentation`).
ASSERTED = "asserted"  # a short answer in bold, with the sentence that says so
HEDGED = "hedged"  # no short answer: "the closest passage says …", the reader is unsure of the value
REFUSED = "refused"  # no release clearly answers: the closest ones are listed, each with a snippet


@dataclass(frozen=True)
class Source:
    """A release listed with an answer: link, title, publication date (ISO), its best passage, its score,
    and its text around the question's words (:mod:`index.answer.snippets`: a refusal shows it under the
    release's link, an inline result in the release's card)."""

    url: str
    title: str
    date: str
    passage: str
    score: float
    snippet: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "passage": self.passage,
            "score": round(float(self.score), 6),
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class ReleaseAnswer:
    """What one answering release says: its short answer (when trusted), its quoted evidence, where and
    when it was published. A reply lists several when several releases answer."""

    answer: str | None
    evidence: str
    url: str
    title: str
    date: str
    probability: float

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "evidence": self.evidence,
            "url": self.url,
            "title": self.title,
            "date": self.date,
        }


@dataclass
class Answer:
    """An answer: the short answer (or None), the quoted evidence, the sources, and how sure the reader is.

    ``found`` is true whenever the reply presents an answer or a passage as answering (``presentation`` is
    asserted or hedged); ``probability`` is the reader's calibrated probability that the evidence answers.
    """

    question: str
    lang: str
    found: bool
    answer: str | None
    evidence: str | None
    sources: list[Source] = field(default_factory=list)
    ms: float = 0.0
    #: Not part of the JSON: the reader's probability, the question type, whether an LLM wrote it.
    probability: float = 0.0
    presentation: str = REFUSED
    qtype: str = ""
    generated: bool = False
    evidence_rank: int | None = None
    #: One entry per answering release, up to 3, the first the top-level answer (empty when refused). Shown
    #: in the reply; held out of ``to_json`` until it names the answering releases at least as well as the
    #: first three sources do (measured: it does not yet, see docs/answers.md).
    answers: list[ReleaseAnswer] = field(default_factory=list)
    #: A list answer (:mod:`index.answer.agenda`): the agenda of the meeting the question names.
    agenda: AgendaList | None = None
    #: A second passage of the same release, quoted under the first when a question asked within one
    #: release (a follow-up) gets a hedged reply (:func:`index.answer.evidence.second_passage`).
    more_evidence: str | None = None
    #: A question about now (the latest value, today, this week) over releases that end well before today:
    #: the newest release's date (ISO), which the reply states (:func:`index.answer.answerer.reach`).
    newest: str = ""
    #: A follow-up with nothing to follow (no previous turn, or a stale one) and no topic of its own ("and
    #: who signed it?" as a first question): the reply asks for the whole question instead of guessing.
    clarify: bool = False
    #: The question's words when no release writes any of them (typos, keys mashed): the reply says so and
    #: lists no releases, which would be chance (:meth:`index.search.retrieve.Searcher.unknown_words`).
    unknown_words: list[str] = field(default_factory=list)

    @property
    def hedged(self) -> bool:
        return self.presentation == HEDGED

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` object (the caller adds the rendered ``reply``)."""
        return {
            "question": self.question,
            "lang": self.lang,
            "found": self.found,
            "answer": self.answer,
            "evidence": self.evidence,
            "presentation": self.presentation,
            "probability": round(self.probability, 4),
            "sources": [s.to_json() for s in self.sources],
            "ms": round(self.ms, 1),
            **({"more_evidence": self.more_evidence} if self.more_evidence else {}),
            **({"newest_release_date": self.newest} if self.newest else {}),
            **({"unknown_words": self.unknown_words} if self.unknown_words else {}),
            **(_agenda_json(self.agenda) if self.agenda is not None else {}),
        }


def _agenda_json(agenda: AgendaList) -> dict[str, Any]:
    """``ask --json``'s list fields: the meeting's date, every item, and the days the question meant when
    the latest or the nearest meeting stands in for them (``asked_days``: first and last), and for a written
    day the nearest meetings before and after it (``nearest_meetings``)."""
    out: dict[str, Any] = {"meeting_date": agenda.meeting_date, "items": [i.to_json() for i in agenda.items]}
    if agenda.asked is not None:
        out["asked_days"] = list(agenda.asked)
    if agenda.nearest:
        out["nearest_meetings"] = [{"meeting_date": d, "url": u} for d, u in agenda.nearest]
    return out
