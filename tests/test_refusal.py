"""Refusal thresholds per question language, each chosen for a target wrong-answer rate in its language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.answer.model import ReaderModel, Thresholds
from index.answer.refusal import choose, rates, wrong_bound


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


def test_each_language_holds_the_target_on_its_own() -> None:
    """English replies that are never wrong do not lend their share of the budget to Thai ones: Thai's own
    wrong-answer rate stays within the target (chosen together, Thai could be wrong in 8 of its 20)."""
    replies = [Reply(True, True, "en") for _ in range(10)] + [Reply(False, False, "en") for _ in range(10)]
    probs = [0.9] * 10 + [0.1] * 10
    for i in range(20):  # Thai: right and wrong in turn, from 0.94 down
        replies.append(Reply(i % 2 == 0, True, "th"))
        probs.append(round(0.94 - 0.04 * i, 2))
    chosen = choose(replies, np.asarray(probs), target=0.2)
    thai = [i for i, r in enumerate(replies) if r.lang == "th"]
    got = rates([replies[i] for i in thai], np.asarray(probs)[thai], chosen)
    assert got["wrong_rate"] == 0.2  # 4 of 20: 5 right shown (0.94, 0.86, 0.78, 0.70, 0.62)
    assert chosen == {"en": 0.11, "th": 0.59}  # the lowest threshold that shows just these


def test_the_model_file_carries_thresholds_per_language() -> None:
    spec = ReaderModel.load().spec
    t = ReaderModel(spec).thresholds
    assert set(dict(t.refuse_by_lang)) == {"en", "th"} == set(dict(t.assert_by_lang))
    assert t.refusal("en") == dict(t.refuse_by_lang)["en"] and t.refusal("xx") == t.refuse
    assert t.asserting("th") == dict(t.assert_by_lang)["th"] and t.asserting("xx") == t.assert_
    assert t.assert_ == max(dict(t.assert_by_lang).values())  # a language without its own: the strictest
    old = Thresholds(0.4, 0.6, 0.7, 0.2)  # a model file from before: one threshold for every language
    assert old.refusal("th") == old.refusal("en") == 0.4 and old.asserting("th") == 0.6


@dataclass
class Shown:
    correct: bool
    answerable: bool
    lang: str


def test_each_language_asserts_from_where_its_own_replies_are_precise() -> None:
    """Thai replies are right from 0.7 up, English ones one time in three (the surest one wrong): Thai gets
    its own assert threshold, English none (0.99), where one pooled threshold would either assert English
    replies that are mostly wrong or assert nothing in Thai."""
    from index.answer.thresholds import choose_assert

    replies, probs = [], []
    for i, p in enumerate(np.round(np.arange(0.5, 0.96, 0.02), 2)):
        replies.append(Shown(bool(p >= 0.7), True, "th"))
        replies.append(Shown(i % 3 == 0, True, "en"))
        probs += [p, p]
    chosen = choose_assert(replies, np.asarray(probs), {"en": 0.5, "th": 0.5})
    assert chosen == {"en": 0.99, "th": 0.65}  # Thai from 0.65: 0.66 and 0.68 wrong, 13 of 15 right (0.87)


def test_a_model_file_from_before_reads_with_one_threshold_and_no_other_release_model() -> None:
    spec = ReaderModel.load().spec
    assert ReaderModel(spec).several is not None  # the shipped file has the other-release model
    before = {k: v for k, v in spec.items() if k != "several"}
    new_keys = ("refuse_by_lang", "assert_by_lang", "other")
    before["thresholds"] = {k: v for k, v in spec["thresholds"].items() if k not in new_keys}
    model = ReaderModel(before)
    assert model.several is None, "several.py falls back to the calibration rule"
    t = model.thresholds
    assert t.refuse_by_lang == () and t.refusal("th") == t.refusal("en") == t.refuse == t.other
    assert t.assert_by_lang == () and t.asserting("th") == t.asserting("en") == t.assert_


def test_the_wrong_rate_bound_prices_sampling_noise() -> None:
    """Wilson's upper bound: the rate itself at z 0; above it by about a standard error at z 1, less so the
    more replies there are; above 0 with no wrong reply seen."""
    assert wrong_bound(10, 100, 0.0) == 0.1
    one_se = (0.1 * 0.9 / 100) ** 0.5
    assert 0.1 + 0.8 * one_se < wrong_bound(10, 100, 1.0) < 0.1 + 1.2 * one_se
    assert wrong_bound(40, 400, 1.0) < wrong_bound(10, 100, 1.0)
    assert 0.0 < wrong_bound(0, 50, 1.0) < 0.05
    assert wrong_bound(0, 0, 1.0) == 0.0


def test_a_noise_priced_threshold_keeps_the_target_with_a_margin() -> None:
    """Forty Thai replies, wrong one in five from 0.90 down: at the point estimate the threshold shows
    wrong replies up to the target itself; priced at one standard error it stops earlier, below it."""
    replies, probs = [], []
    for i in range(40):
        replies.append(Reply(i % 5 != 4, True, "th"))
        probs.append(round(0.90 - 0.02 * i, 2))
    probs_ = np.asarray(probs)
    point = choose(replies, probs_, target=0.1, noise_z=0.0)
    priced = choose(replies, probs_, target=0.1, noise_z=1.0)
    assert priced["th"] > point["th"]
    assert rates(replies, probs_, point)["wrong_rate"] == 0.1
    assert 0.0 < rates(replies, probs_, priced)["wrong_rate"] < 0.1
