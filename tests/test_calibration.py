"""The reader's calibrations (index/answer/calibration.py): the measures they read, their fitting, and which
one a reply gets."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from index.answer.calibration import (
    BASIC_INPUTS,
    SHAPE_INPUTS,
    Calibration,
    CalibrationError,
    answer_measures,
    fit_calibration,
    measure_names,
    score_shape,
)
from index.answer.features import FEATURES
from index.answer.model import ModelError, ReaderModel


def _shipped_spec() -> dict:
    return json.loads(resources.files("index").joinpath("data/reader.json").read_text(encoding="utf-8"))


def test_measures_hold_the_basic_thirteen_first_then_the_row_then_the_shape() -> None:
    rng = np.random.default_rng(3)
    raw, rows = rng.normal(size=12), rng.normal(size=(12, len(FEATURES)))
    urls = ["a", "a", "b", "c"] * 3
    m = answer_measures(raw, 5, rows, urls)
    names = measure_names()
    assert len(m) == len(names) == len(BASIC_INPUTS) + len(FEATURES) + len(SHAPE_INPUTS)
    assert m[names.index("top")] == raw[5]
    assert m[names.index("margin")] == pytest.approx(min(raw[5] - np.delete(raw, 5).max(), 5.0))
    for f in ("coverage", "hit_rank", "dense"):
        assert m[names.index(f)] == m[names.index(f"row.{f}")] == rows[5][FEATURES.index(f)]
    assert list(m[-len(SHAPE_INPUTS) :]) == list(score_shape(raw, 5, urls))


def test_score_shape_tells_a_clear_winner_from_a_crowd() -> None:
    clear = score_shape(np.asarray([6.0, 0.0, -1.0]), 0, ["a", "a", "a"])
    crowd = score_shape(np.asarray([1.0, 0.9, 0.95, 0.8, 0.85, 0.7]), 0, ["a", "b", "c", "d", "e", "f"])
    names = dict(zip(SHAPE_INPUTS, range(len(SHAPE_INPUTS)), strict=True))
    assert clear[names["best_share"]] > 0.99 > crowd[names["best_share"]]
    assert clear[names["entropy"]] < crowd[names["entropy"]]
    assert clear[names["releases_top5"]] == 1 and crowd[names["releases_top5"]] == 5
    assert clear[names["gap_third"]] == 5.0  # capped
    lone = score_shape(np.asarray([0.3]), 0, ["a"])
    assert lone[names["best_share"]] == 1.0 and lone[names["gap_third"]] == 5.0


def test_the_shipped_reader_reads_its_thirteen_measures_as_before() -> None:
    """A file from before the search calibration loads with its calibration over the same thirteen values
    and gives the same probability as the old formula."""
    spec = _shipped_spec()
    model = ReaderModel(spec)
    m = np.random.default_rng(0).normal(size=len(measure_names()))
    coef, b = np.asarray(spec["calibration"]["coef"]), spec["calibration"]["intercept"]
    old = 1.0 / (1.0 + np.exp(-(m[: len(BASIC_INPUTS)] @ coef + b)))
    assert model.probability(m) == pytest.approx(old, rel=1e-12)
    assert model.probability(m, within=True) == model.probability(m)


def test_a_search_calibration_serves_searched_replies_only() -> None:
    spec = _shipped_spec()
    names = measure_names()
    share = np.zeros(len(names))
    share[names.index("best_share")] = 4.0
    spec["search_calibration"] = {"inputs": list(names), "coef": share.tolist(), "intercept": -2.0}
    model = ReaderModel(spec)
    m = np.zeros(len(names))
    m[names.index("best_share")] = 1.0
    assert model.probability(m) == pytest.approx(1.0 / (1.0 + np.exp(-2.0)))
    assert model.probability(m, within=True) == model.calibration.probability(m) != model.probability(m)


def test_a_calibration_over_unknown_measures_is_refused() -> None:
    spec = _shipped_spec()
    spec["search_calibration"] = {"inputs": ["top", "no_such_measure"], "coef": [1.0, 1.0], "intercept": 0}
    with pytest.raises(ModelError, match="no_such_measure"):
        ReaderModel(spec)
    with pytest.raises(CalibrationError, match="as many weights"):
        Calibration(("top",), np.zeros(2), 0.0)


def test_a_standardised_fit_folds_its_scaling_into_the_stored_weights() -> None:
    """The stored weights over raw measures give scikit-learn's own probabilities over scaled ones, and a
    round trip through the model file keeps them."""
    from sklearn.linear_model import LogisticRegression

    from index.answer.calibration import SEARCH_C

    rng = np.random.default_rng(7)
    names = measure_names()
    x = rng.normal(size=(400, len(names))) * rng.uniform(0.01, 100.0, size=len(names))
    y = (x[:, 0] / x[:, 0].std() + rng.normal(size=400) > 0).astype(float)
    cal = fit_calibration(x, y, names, standardise=True)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    lr = LogisticRegression(C=SEARCH_C, max_iter=5000).fit((x - mean) / scale, y)
    np.testing.assert_allclose(cal.probabilities(x), lr.predict_proba((x - mean) / scale)[:, 1], atol=1e-4)
    back = Calibration.from_spec(json.loads(json.dumps(cal.to_spec())))
    np.testing.assert_array_equal(back.probabilities(x), cal.probabilities(x))
    basic = fit_calibration(x, y, BASIC_INPUTS)
    assert basic.inputs == BASIC_INPUTS and len(basic.coef) == len(BASIC_INPUTS)
    constant = fit_calibration(x[:5], np.ones(5), BASIC_INPUTS)
    assert not constant.coef.any() and constant.probability(x[0]) > 0.99
