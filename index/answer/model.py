"""The reader's model: a gradient-boosted tree ensemble that scores candidate sentences, and the
calibration that turns the best one's score into the probability that the reply is right.

Trained by :mod:`index.answer.training` with LightGBM (a gradient-boosted trees library); served from its
documented JSON dump by :class:`index.trees.TreeEnsemble` (numpy, no LightGBM import at serving time).
The calibrations (:mod:`index.answer.calibration`) are logistic regressions over answer-level measurements,
stored as their inputs' names and coefficients: one for every reply, and optionally one for replies over a
search (:meth:`ReaderModel.calibration_for`).

The model file (``index/data/reader.json``) records the feature names it was trained on; loading it
against other features fails loudly rather than answering with shifted inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from index.answer.calibration import Calibration, CalibrationError, logit, sigmoid
from index.answer.collection_size import SizeAnchor, anchors_of, refusal_at
from index.trees import TreeEnsemble


class ModelError(RuntimeError):
    """The reader model file is missing, unreadable or made for other features."""


@dataclass(frozen=True)
class Thresholds:
    """Chosen on the validation fold (:mod:`index.answer.training`): below ``refuse`` the reply says the
    releases do not answer; from ``assert_`` up, with a span the span model trusts (``span``), the short
    answer is shown in bold, and so it is below ``assert_`` when the span model's probability reaches its
    language's ``bold_by_lang`` (:meth:`bolds`); otherwise the closest passage is quoted without a short
    answer. Another release is listed as also answering from ``other`` up. ``refuse_by_lang`` and
    ``assert_by_lang`` hold the refusal and assert thresholds of each question language
    (:mod:`index.answer.refusal`, :mod:`index.answer.thresholds`); ``refuse`` and ``assert_`` (the
    strictest) serve the others."""

    refuse: float
    assert_: float
    span: float
    other: float
    refuse_by_lang: tuple[tuple[str, float], ...] = ()
    assert_by_lang: tuple[tuple[str, float], ...] = ()
    #: Per question language, the span-model probability from which any shown reply's short answer is in
    #: bold, however unsure the reply is of its passage (:func:`index.answer.thresholds.choose_bold`); a
    #: language without one bolds only through ``assert_`` and ``span``.
    bold_by_lang: tuple[tuple[str, float], ...] = ()
    #: Refusal thresholds chosen over indexes of given sizes (:mod:`index.answer.collection_size`); none in a
    #: file from before them. :meth:`for_collection` reads them; ``refuse_by_lang`` serves an unknown size.
    refuse_by_size: tuple[SizeAnchor, ...] = ()

    def for_collection(self, releases: int | None) -> Thresholds:
        """These thresholds over an index of ``releases`` releases: the refusal thresholds its size gets from
        the size anchors (interpolated between them), the rest as they are; unchanged without anchors or
        without a size."""
        if not self.refuse_by_size or not releases:
            return self
        by_lang = dict(self.refuse_by_lang)
        for lang in {lang for a in self.refuse_by_size for lang, _ in a.by_lang}:
            t = refusal_at(self.refuse_by_size, releases, lang)
            if t is not None:
                by_lang[lang] = t
        refuse = max(by_lang.values(), default=self.refuse)  # a language without its own: the strictest
        return replace(self, refuse=refuse, refuse_by_lang=tuple(sorted(by_lang.items())))

    def refusal(self, lang: str) -> float:
        """The refusal threshold for a question in ``lang``."""
        return dict(self.refuse_by_lang).get(lang, self.refuse)

    def asserting(self, lang: str) -> float:
        """The threshold from which a reply to a question in ``lang`` is asserted."""
        return dict(self.assert_by_lang).get(lang, self.assert_)

    def bolds(self, lang: str, probability: float, span_probability: float, *, lead: bool = True) -> bool:
        """Whether a short answer of span-model probability ``span_probability``, in a reply of probability
        ``probability`` to a question in ``lang``, is shown in bold.

        Why two ways: the assert threshold asks the *passage* to be right most of the time, and the reader is
        rarely that sure (over the whole archive 6 of 776 fresh questions' replies reached it, stop 50); the
        span model already reads the passage's probability beside the span's own measurements, so where its
        probability alone is precise enough on held-out replies (``bold_by_lang``), that decides. That second
        way holds only for what it was chosen on (``lead``): the reply's own pick over a search, at or above
        its refusal threshold; not another release listed as also answering, nor a reply within one release
        (a follow-up), nor one a span model did not score.
        """
        if span_probability >= self.span and probability >= self.asserting(lang):
            return True
        if not lead or span_probability <= 0.0 or probability < self.refusal(lang):
            return False
        bold = dict(self.bold_by_lang).get(lang)
        return bold is not None and span_probability >= bold


class ReaderModel:
    """Scores candidates and calibrates the best one's score (see the module docstring)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from index.answer.features import FEATURES

        if tuple(spec.get("features", ())) != FEATURES:
            raise ModelError(
                "the reader model was trained on other features: retrain it (thaigov-qa reader train)"
            )
        try:
            #: the thirteen-input calibration: every reply within one release, and any reply without the next
            self.calibration = Calibration.from_spec(spec["calibration"])
            #: the calibration of replies chosen over a search's top releases (None in an older file)
            search = spec.get("search_calibration")
            self.search_calibration = Calibration.from_spec(search) if search else None
        except CalibrationError as exc:
            raise ModelError(str(exc)) from exc
        self.spec = spec
        self.ensemble = TreeEnsemble(spec["trees"])
        from index.answer.kinds import KindModel
        from index.answer.several_model import OtherModel
        from index.answer.span_model import SpanModel

        self.kinds = KindModel.from_spec(spec.get("kinds"))
        self.span_model = SpanModel.from_spec(spec.get("span_model"))
        # None for a file from before the other-release model: several.py falls back to the calibration.
        self.several = OtherModel.from_spec(spec.get("several"))
        # None for a reader trained without the verifier: its calibrated probability is the reply's.
        self.verification = Verification.from_spec(spec.get("verification"))
        t = spec["thresholds"]
        self.thresholds = Thresholds(
            float(t["refuse"]),
            float(t["assert"]),
            float(t["span"]),
            float(t.get("other", t["refuse"])),
            _by_lang(t, "refuse_by_lang"),
            _by_lang(t, "assert_by_lang"),
            _by_lang(t, "bold_by_lang"),
            anchors_of(t),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> ReaderModel:
        """The model at ``path``, or the one shipped in the package."""
        try:
            if path is None:
                text = resources.files("index").joinpath("data/reader.json").read_text(encoding="utf-8")
            else:
                text = Path(path).read_text(encoding="utf-8")
            return cls(json.loads(text))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot read the reader model: {exc}") from exc

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Raw log-odds that each candidate sentence answers."""
        if len(x) == 0:
            return np.zeros(0)
        return self.ensemble.predict_raw(x)

    def calibration_for(self, within: bool = False) -> Calibration:
        """The calibration of a reply over a search's releases, or (``within``) within one chosen release."""
        if within or self.search_calibration is None:
            return self.calibration
        return self.search_calibration

    def probability(self, measures: np.ndarray, within: bool = False) -> float:
        """Calibrated probability that the evidence answers (``measures``:
        :func:`index.answer.calibration.answer_measures`), as a reply over a search or within one release."""
        return self.calibration_for(within).probability(measures)


@dataclass(frozen=True)
class Verification:
    """The calibration's second stage (:mod:`index.answer.verifier_training`): the reply's probability from
    the reader's calibrated log-odds and the verifier's logit of its quote, and the SHA-256 of the verifier
    file it was fitted with (a verifier retrained without the reader is refused, not silently mixed)."""

    coef: tuple[float, float]
    intercept: float
    verifier_sha256: str

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | None) -> Verification | None:
        if not spec:
            return None
        if tuple(spec.get("inputs", ())) != ("reader_logit", "verifier"):
            raise ModelError("the reader model's verification reads other inputs: retrain it")
        a, b = (float(v) for v in spec["coef"])
        return cls((a, b), float(spec["intercept"]), str(spec.get("verifier_sha256", "")))

    def probabilities(self, reader: np.ndarray, verifier: np.ndarray) -> np.ndarray:
        """The replies' probabilities of being right from the reader's probabilities and the verifier's
        logits (what training chooses the thresholds on and serving computes, one formula)."""
        z = self.coef[0] * logit(reader) + self.coef[1] * np.asarray(verifier, dtype=np.float64)
        return np.asarray(sigmoid(z + self.intercept))

    def probability(self, reader: float, verifier: float) -> float:
        """The reply's probability of being right, given the reader's and the verifier's views."""
        return float(self.probabilities(np.asarray([reader]), np.asarray([verifier]))[0])


def _by_lang(thresholds: dict[str, Any], key: str) -> tuple[tuple[str, float], ...]:
    """A per-language threshold table of the model file (none in a file from before it), sorted."""
    return tuple(sorted((str(k), float(v)) for k, v in (thresholds.get(key) or {}).items()))


@cache
def shipped_model() -> ReaderModel:
    """The packaged model, loaded once per process (a few ms)."""
    return ReaderModel.load()
