"""Several answering releases: a recurring fact (a rate, a minimum wage, an award given every year) or a
news item released twice is answered by more than one release, with the same value or different ones.

The reply lists up to :data:`MAX_ANSWERS` releases, one entry each: the best candidate of each other
release among the reader's candidates, when the other-release model (:mod:`index.answer.several_model`:
the same value in its sentences, its title, retrieval's view of it) gives it at least its threshold
(chosen on the validation fold: the lowest at which a listed release is a gold one often enough, see
:mod:`index.answer.training`). A reader model file from before that model falls back to the reader's
calibrated probability of the candidate taken as the reply, from the ``other`` threshold up. Entries are
in the order of that probability, except that a question asking for the latest or current value leads
with the newest release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from index.answer.calibration import answer_measures
from index.answer.several_model import MAX_OTHERS, best_of_releases, listed, other_rows
from index.answer.types import ReleaseAnswer
from index.search.query import asks_for_latest

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.analysis import Analysis, Presented
    from index.answer.model import ReaderModel, Thresholds

#: Most releases one reply lists as answering.
MAX_ANSWERS = 3


def other_measures(analysis: Analysis, raw: np.ndarray, best: int) -> dict[str, tuple[int, np.ndarray]]:
    """Each other release's best candidate and its calibration inputs, that candidate taken as the reply."""
    urls = [c.url for c in analysis.candidates]
    best_of = best_of_releases(analysis, raw, best)
    return {u: (k, answer_measures(raw, k, analysis.features, urls)) for u, k in best_of.items()}


def other_releases(
    model: ReaderModel, analysis: Analysis, raw: np.ndarray, best: int, t: Thresholds
) -> list[tuple[float, int]]:
    """(the reader's probability taken as the reply, candidate) of the other releases to list, in the
    order listed: by the other-release model when the model file has one, else by that probability."""
    urls = [c.url for c in analysis.candidates]
    several = model.several
    if several is None:
        others = [(model.probability(m), k) for k, m in other_measures(analysis, raw, best).values()]
        return sorted([(p, k) for p, k in others if p >= t.other], reverse=True)[:MAX_OTHERS]
    _, ks, rows = other_rows(analysis, raw, best)
    chosen = [ks[i] for i in listed(several.probabilities(rows), several.threshold)]
    return [(model.probability(answer_measures(raw, k, analysis.features, urls)), k) for k in chosen]


def release_answers(
    model: ReaderModel,
    analysis: Analysis,
    raw: np.ndarray,
    best: int,
    shown: Presented,
    probability: float,
    t: Thresholds,
    present: Callable[[int, float], Presented],
) -> list[ReleaseAnswer]:
    """The answering releases, the shown candidate's (``best``) first, or the newest for a "latest"
    question; ``present(k, p)`` gives the reply's parts for candidate ``k`` of probability ``p``."""
    meta = {h.url: h for h in analysis.hits}

    def entry(presented: Presented, p: float, lead: bool = False) -> ReleaseAnswer:
        hit = meta.get(presented.candidate.url)
        sp = presented.quoted.span_probability
        bold = presented.span is not None and t.bolds(analysis.lang, p, sp, lead=lead)
        short = presented.short if bold else None
        title, date = (hit.title, hit.date) if hit is not None else ("", "")
        return ReleaseAnswer(short, presented.evidence, presented.candidate.url, title, date, p)

    out = [entry(shown, probability, lead=not analysis.within)]
    for p, k in other_releases(model, analysis, raw, best, t)[: MAX_ANSWERS - 1]:
        out.append(entry(present(k, p), p))
    if asks_for_latest(analysis.view.text):
        out.sort(key=lambda a: a.date, reverse=True)
    return out
