"""Whether another release also answers: a small model of its own over (question, other release) pairs.

Why not the reader's calibration (the earlier way): that calibration measures whether a release's best
sentence, *taken as the reply*, is right; another release's best sentence is by construction behind the
shown one, so its probability is low whether or not the release answers, and what says it does (the
same value as the shown answer in its sentences, a title about the same thing, retrieval's own view of
it) is not among the calibration's inputs. So a listed release was often unrelated (the demo's ASEAN MOU
beside the Huawei MOU) while releases repeating the same fact were left out.

The model is a logistic regression over :data:`OTHER_FEATURES`, fitted on the train fold's out-of-fold
reader scores (a release counts as answering when it is one of the question's gold releases), its
threshold chosen on the validation fold (:mod:`index.answer.training`); it is stored, scaling folded into
the coefficients, as the reader model file's ``several`` entry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from index.answer.features import FEATURES
from index.answer.values import holds_value, value_key
from index.answer.words import content_tokens

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.analysis import Analysis

#: Other releases one reply lists beside the shown one (the reply lists up to three in all).
MAX_OTHERS = 2
#: One question's material for training: its analysis, the reader's (out-of-fold) scores, its gold URLs.
Scored = tuple["Analysis", np.ndarray, frozenset[str]]

#: The reader's features of the other release's best sentence that the model reads as they are.
CANDIDATE_FEATURES = (
    "hit_rank",
    "release_rel",
    "coverage",
    "dense",
    "dense_gap",
    "focused",
    "lex",
    "span_present",
    "same_lang",
    "year_in_sentence",
    "year_of_release",
)
OTHER_FEATURES = (
    "best_raw",  # the shown sentence's reader score: a sure reply makes its neighbours' claims likelier too
    "other_raw",  # the other release's best sentence's score
    "gap",  # how far behind the shown one it is
    *CANDIDATE_FEATURES,
    "lang_en",
    "expects_kind",
    "same_value",  # its best sentence's span says the same value as the shown answer's
    "value_in_release",  # the shown answer's value is written in one of its candidate sentences
    "title_overlap",  # share of words its title shares with the shown release's title
    "days_apart_log",  # a repeat of the same news comes days apart, a recurring fact months
    "close_sentences",  # its sentences within one score point of the shown one
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class OtherModel:
    """Coefficients over :data:`OTHER_FEATURES` (raw inputs: scaling is folded in) and the threshold."""

    coef: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | None) -> OtherModel | None:
        """The model of a reader file's ``several`` entry; None when the file has none (an older model)
        or was made for other features."""
        if not spec or tuple(spec.get("features", ())) != OTHER_FEATURES:
            return None
        return cls(
            np.asarray(spec["coef"], dtype=np.float64), float(spec["intercept"]), float(spec["threshold"])
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The probability that each other release answers too."""
        if not len(rows):
            return np.zeros(0)
        z = np.clip(rows @ self.coef + self.intercept, -40.0, 40.0)
        return 1.0 / (1.0 + np.exp(-z))


def best_of_releases(analysis: Analysis, raw: np.ndarray, best: int) -> dict[str, int]:
    """Each other release's best candidate (by the reader's score)."""
    urls = [c.url for c in analysis.candidates]
    out: dict[str, int] = {}
    for i, url in enumerate(urls):
        if url != urls[best] and (url not in out or raw[i] > raw[out[url]]):
            out[url] = i
    return out


def _days(a: str, b: str) -> float:
    try:
        return float(abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days))
    except ValueError:
        return 365.0


def other_rows(analysis: Analysis, raw: np.ndarray, best: int) -> tuple[list[str], list[int], np.ndarray]:
    """For each other release among the candidates: its url, its best candidate, its feature row."""
    chosen = best_of_releases(analysis, raw, best)
    cands = analysis.candidates
    shown = cands[best]
    key = value_key(shown.span)
    titles = {h.url: h.title for h in analysis.hits}
    own_title = set(content_tokens(titles.get(shown.url, "")))
    own_date = shown.release.date if shown.release is not None else ""
    top = float(raw[best])
    rows = []
    for url, k in chosen.items():
        c = cands[k]
        mine = [i for i, x in enumerate(cands) if x.url == url]
        title = set(content_tokens(titles.get(url, "")))
        date = c.release.date if c.release is not None else ""
        row = [top, float(raw[k]), top - float(raw[k])]
        row += [float(analysis.features[k][_INDEX[name]]) for name in CANDIDATE_FEATURES]
        row += [float(analysis.lang == "en"), float(analysis.features[k][_INDEX["expects_kind"]])]
        row += [
            float(key is not None and value_key(c.span) == key),
            float(
                key is not None
                and shown.span is not None
                and any(holds_value(cands[i], key, shown.span) for i in mine)
            ),
            len(own_title & title) / (len(own_title | title) or 1),
            math.log1p(_days(own_date, date)) if own_date and date else math.log1p(365.0),
            float(sum(1 for i in mine if raw[i] >= top - 1.0)),
        ]
        rows.append(row)
    matrix = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(OTHER_FEATURES))
    return list(chosen), list(chosen.values()), matrix


def listed(probs: np.ndarray, threshold: float) -> list[int]:
    """The rows a reply lists: the :data:`MAX_OTHERS` most probable at or above ``threshold``."""
    order = sorted(range(len(probs)), key=lambda i: -float(probs[i]))
    return [i for i in order if probs[i] >= threshold][:MAX_OTHERS]


def _rows(scored: Sequence[Scored]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    xs, ys = [], []
    for analysis, raw, gold in scored:
        urls, _, x = other_rows(analysis, raw, int(np.argmax(raw)))
        if urls:
            xs.append(x)
            ys.append(np.asarray([float(u in gold) for u in urls]))
    return xs, ys


def choose_threshold(model: OtherModel, validation: Sequence[Scored], target: float) -> float:
    """The lowest threshold (0.01 steps) at which the releases the replies would list are gold releases
    ``target`` of the time (``validation``: the shown replies of answerable validation questions)."""
    xs, ys = _rows(validation)
    probs = [model.probabilities(x) for x in xs]
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        kept = [float(y[i]) for p, y in zip(probs, ys, strict=True) for i in listed(p, float(t))]
        if not kept or sum(kept) / len(kept) >= target:
            return float(t)
    return 0.95


def train(train: Sequence[Scored], validation: Sequence[Scored], target: float) -> dict[str, Any] | None:
    """The model's spec: fitted on ``train`` (answerable train questions), thresholded on ``validation``;
    None when the train fold has no other release of either label."""
    xs, ys = _rows(train)
    if not xs or len({float(v) for y in ys for v in y}) < 2:
        return None
    spec = fit(np.vstack(xs), np.concatenate(ys))
    model = OtherModel.from_spec(spec)
    assert model is not None
    spec["threshold"] = choose_threshold(model, validation, target)
    return spec


def fit(x: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> dict[str, Any]:
    """The model spec from rows and labels: a standardised logistic regression, scaling folded in."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - float((lr.coef_[0] * mean / scale).sum()))
    return {
        "features": list(OTHER_FEATURES),
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(intercept, 6),
        "threshold": threshold,
    }
