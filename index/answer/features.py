"""The reader's features: general measurements of a candidate sentence against the question.

Nothing here is written for a particular question or kind of release: every feature measures how the
question's words, kind of answer, numbers and years meet the sentence, its release and retrieval's view of
it. The model (:mod:`index.answer.model`) learns how they combine from a question set's train fold.
Features are a flat float vector in :data:`FEATURES` order; the model file records that order and refuses
to load against another.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.answer.kinds import KIND_CLASSES
from index.answer.qtype import EXPECTED_KIND, QuestionType
from index.answer.values import agreement
from index.answer.words import years_in

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.candidates import Candidate
    from index.search.hits import ReleaseHit

QTYPES = ("when", "how_many", "how_much", "who", "where", "which", "what", "why", "yes_no", "other")
SPAN_KINDS = ("date", "number", "person", "place", "org", "reason", "phone", "time")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Measurements also given as the distance to the question's best candidate (``<name>_gap``).
GAP_OF = ("lex", "focused", "ctx", "coverage", "span_score")
#: ``kind_spans`` is capped: beyond this a sentence is a list of values either way.
MAX_KIND_SPANS = 6
_LIST_ITEM = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|[-•●▪*]|\(?[ก-ฮ][.)])\s")

FEATURES: tuple[str, ...] = (
    "lang_en",
    *(f"qtype_{t}" for t in QTYPES),
    "expects_kind",
    "q_chars_log",
    "q_words",
    "q_has_year",
    "q_has_number",
    "hit_rank",
    "release_rel",
    "release_abs",
    "top_abs",
    "top_gap",
    "passage_rel",
    "lex",
    "ctx",
    "focused",
    "prior",
    "preferred",
    "same_lang",
    "coverage",
    "score",
    "score_gap",
    "score_rank",
    "dense",
    "dense_gap",
    "span_present",
    "span_score",
    "span_fit_yes",
    "span_fit_no",
    "span_range",
    *(f"span_{k}" for k in SPAN_KINDS),
    "sent_chars_log",
    "sent_position",
    "sent_in_title",
    "sent_list_item",
    "year_in_sentence",
    "year_in_context",
    "year_of_release",
    "numbers_in_sentence",
    "candidates_log",
    *(f"kind_p_{k}" for k in KIND_CLASSES),
    "kind_p_span",
    # Relative to the other candidates of the same question (see _relative_features).
    *(f"{name}_gap" for name in GAP_OF),
    "lex_rank_in_release",
    "lex_gap_in_release",
    "value_other_releases",
    "value_same_release",
    "value_share",
    "kind_spans",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class QuestionView:
    """What the features need of the question, computed once per question."""

    text: str
    lang: str
    qt: QuestionType
    n_words: int
    years: frozenset[int]
    numbers: frozenset[str]
    #: the learned probability of each kind of answer (:data:`index.answer.kinds.KIND_CLASSES`)
    kinds: np.ndarray


def question_view(text: str, lang: str, qt: QuestionType, n_words: int, kinds: np.ndarray) -> QuestionView:
    """The question's years (Buddhist-era years converted) and other numbers, for the year features."""
    years = years_in(text)
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)} - {str(y) for y in years}
    return QuestionView(text, lang, qt, n_words, frozenset(years), frozenset(numbers), kinds)


def matrix(
    q: QuestionView,
    candidates: list[Candidate],
    hits: list[ReleaseHit],
    coverage: dict[str, float],
    dense: dict[int, float],
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate (``coverage`` by release url, ``dense`` by chunk id)."""
    out = np.zeros((len(candidates), len(FEATURES)), dtype=np.float32)
    if not candidates:
        return out
    top = hits[0].score if hits else 0.0
    second = hits[1].score if len(hits) > 1 else 0.0
    top_passage = max((c.passage_score for c in candidates), default=0.0) or 1.0
    best_score = max(c.score for c in candidates)
    order = {id(c): r for r, c in enumerate(sorted(candidates, key=lambda c: -c.score))}
    best_dense = max(dense.values(), default=0.0)
    hit_by_url = {h.url: h for h in hits}
    kind = EXPECTED_KIND.get(q.qt.qtype)
    base = np.zeros(len(FEATURES), dtype=np.float32)
    base[_INDEX["lang_en"]] = q.lang == "en"
    if q.qt.qtype in QTYPES:
        base[_INDEX[f"qtype_{q.qt.qtype}"]] = 1.0
    base[_INDEX["expects_kind"]] = kind is not None or q.qt.kind is not None
    base[_INDEX["q_chars_log"]] = math.log1p(len(q.text))
    base[_INDEX["q_words"]] = q.n_words
    base[_INDEX["q_has_year"]] = bool(q.years)
    base[_INDEX["q_has_number"]] = bool(q.numbers)
    base[_INDEX["top_abs"]] = top
    base[_INDEX["top_gap"]] = (top - second) / top if top else 0.0
    base[_INDEX["candidates_log"]] = math.log1p(len(candidates))
    for k, p in zip(KIND_CLASSES, q.kinds, strict=True):
        base[_INDEX[f"kind_p_{k}"]] = p
    for row, c in enumerate(candidates):
        f = out[row]
        f[:] = base
        hit = hit_by_url.get(c.url)
        score = hit.score if hit is not None else 0.0
        f[_INDEX["hit_rank"]] = c.hit_rank
        f[_INDEX["release_rel"]] = score / top if top else 0.0
        f[_INDEX["release_abs"]] = score
        f[_INDEX["passage_rel"]] = c.passage_score / top_passage
        f[_INDEX["lex"]] = c.lex
        f[_INDEX["ctx"]] = c.ctx
        f[_INDEX["focused"]] = c.focused
        f[_INDEX["prior"]] = c.prior
        f[_INDEX["preferred"]] = c.preferred
        f[_INDEX["same_lang"]] = c.lang == q.lang
        f[_INDEX["coverage"]] = coverage.get(c.url, 0.0)
        f[_INDEX["score"]] = c.score
        f[_INDEX["score_gap"]] = best_score - c.score
        f[_INDEX["score_rank"]] = order[id(c)]
        d = dense.get(c.chunk_id, best_dense) if c.chunk_id is not None else best_dense
        f[_INDEX["dense"]] = d
        f[_INDEX["dense_gap"]] = best_dense - d
        _span_features(f, c)
        f[_INDEX["kind_spans"]] = min(c.kind_spans, MAX_KIND_SPANS)
        if c.span is not None and c.span.kind in KIND_CLASSES:
            f[_INDEX["kind_p_span"]] = q.kinds[KIND_CLASSES.index(c.span.kind)]
        _sentence_features(f, c, q)
    _relative_features(out, candidates)
    return out


def _relative_features(out: np.ndarray, candidates: list[Candidate]) -> None:
    """What a row means next to the question's other rows. Why: the trees score each candidate on its own
    (LambdaRank only orders them), so "the best lexical match of its release" or "the value three releases
    repeat" is invisible to them unless a feature says it. Out of fold over the qa index (three seeds) these
    raised the top pick 0.637 -> 0.651 and the validation accuracy at the wrong-answer target 0.32 -> 0.36
    (docs/answers.md, "Stop 23")."""
    for name in GAP_OF:
        col = out[:, _INDEX[name]]
        out[:, _INDEX[f"{name}_gap"]] = col.max() - col
    lex = out[:, _INDEX["lex"]]
    by_release: dict[str, list[int]] = {}
    for row, c in enumerate(candidates):
        by_release.setdefault(c.url, []).append(row)
    for rows in by_release.values():
        ordered = sorted(rows, key=lambda r: -float(lex[r]))
        for rank, row in enumerate(ordered):
            out[row, _INDEX["lex_rank_in_release"]] = rank
            out[row, _INDEX["lex_gap_in_release"]] = lex[ordered[0]] - lex[row]
    for row, (releases, same, share) in enumerate(agreement(candidates)):
        out[row, _INDEX["value_other_releases"]] = math.log1p(releases)
        out[row, _INDEX["value_same_release"]] = math.log1p(same)
        out[row, _INDEX["value_share"]] = share


def _span_features(f: np.ndarray, c: Candidate) -> None:
    span = c.span
    if span is None:
        return
    f[_INDEX["span_present"]] = 1.0
    f[_INDEX["span_score"]] = min(span.score, 4.0)
    f[_INDEX["span_fit_yes"]] = span.fit == 1.0
    f[_INDEX["span_fit_no"]] = span.fit == 0.0
    f[_INDEX["span_range"]] = span.until is not None
    if span.kind in SPAN_KINDS:
        f[_INDEX[f"span_{span.kind}"]] = 1.0


def _sentence_features(f: np.ndarray, c: Candidate, q: QuestionView) -> None:
    text = c.text
    sent = c.sentences[c.index]
    body_len = len(c.release.body) if c.release is not None and c.release.body else 0
    title = c.release.title if c.release is not None else ""
    f[_INDEX["sent_chars_log"]] = math.log1p(len(text))
    f[_INDEX["sent_position"]] = sent.start / body_len if body_len else 0.0
    f[_INDEX["sent_in_title"]] = bool(title) and text.strip()[:60] in title
    f[_INDEX["sent_list_item"]] = _LIST_ITEM.match(text) is not None
    if q.years:
        years = years_in(text)
        around = " ".join(
            c.sentences[j].text for j in (c.index - 1, c.index + 1) if 0 <= j < len(c.sentences)
        )
        f[_INDEX["year_in_sentence"]] = 1.0 if q.years & years else (-1.0 if years else 0.0)
        f[_INDEX["year_in_context"]] = bool(q.years & years_in(around))
        rel_year = int(c.release.date[:4]) if c.release is not None and c.release.date[:4].isdigit() else 0
        f[_INDEX["year_of_release"]] = rel_year in q.years
    if q.numbers:
        plain = text.replace(",", "")
        f[_INDEX["numbers_in_sentence"]] = sum(1 for n in q.numbers if n in plain) / len(q.numbers)
