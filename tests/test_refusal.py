"""Refusal thresholds per question language, chosen together for a target wrong-answer rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from index.answer.model import ReaderModel, Thresholds
from index.answer.refusal import MAX_LANGS, choose, rates


@dataclass
class Reply:
    correct: bool
    answerable: bool
    lang: str


def _fold() -> tuple[list[Reply], np.ndarray]:
    """English replies are right from probability 0.3 up, Thai ones only from 0.6 up."""
    replies, probs = [], []
    for p in np.round(np.arange(0.05, 0.95, 0.05), 2):
        replies.append(Reply(bool(p >= 0.3), True, "en"))
        probs.append(p)
        replies.append(Reply(bool(p >= 0.6), True, "th"))
        probs.append(p)
    return replies, np.asarray(probs)


def test_each_language_gets_its_own_threshold_within_the_target() -> None:
    replies, probs = _fold()
    chosen = choose(replies, probs, target=0.0)
    assert chosen == {"en": 0.26, "th": 0.56}  # the lowest thresholds that show no wrong reply
    got = rates(replies, probs, chosen)
    assert got["wrong_rate"] == 0.0
    single = max(chosen.values())
    assert got["accuracy"] > rates(replies, probs, single)["accuracy"]  # one threshold would refuse more
    assert set(choose(replies, probs, target=-1.0).values()) == {0.95}  # unreachable: refuse the most
    # Every combination is tried, so a question set with many languages fails instead of running for hours.
    many = [Reply(True, True, f"l{i}") for i in range(MAX_LANGS + 1)]
    with pytest.raises(ValueError, match="question languages"):
        choose(many, np.full(len(many), 0.5), target=0.1)


def test_the_model_file_carries_thresholds_per_language() -> None:
    spec = ReaderModel.load().spec
    t = ReaderModel(spec).thresholds
    assert set(dict(t.refuse_by_lang)) == {"en", "th"}
    assert t.refusal("en") == dict(t.refuse_by_lang)["en"] and t.refusal("xx") == t.refuse
    old = Thresholds(0.4, 0.6, 0.7, 0.2)  # a model file from before: one threshold for every language
    assert old.refusal("th") == old.refusal("en") == 0.4


def test_a_model_file_from_before_reads_with_one_threshold_and_no_other_release_model() -> None:
    spec = ReaderModel.load().spec
    assert ReaderModel(spec).several is not None  # the shipped file has the other-release model
    before = {k: v for k, v in spec.items() if k != "several"}
    new_keys = ("refuse_by_lang", "other")
    before["thresholds"] = {k: v for k, v in spec["thresholds"].items() if k not in new_keys}
    model = ReaderModel(before)
    assert model.several is None, "several.py falls back to the calibration rule"
    t = model.thresholds
    assert t.refuse_by_lang == () and t.refusal("th") == t.refusal("en") == t.refuse == t.other
