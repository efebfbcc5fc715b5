"""``bench/answer_losses.py``: each answerable question lands in exactly one loss category, and the top pick's
curve counts a reply to an unanswerable question as wrong."""

from __future__ import annotations

from tests.bench_scripts import bench_script

losses = bench_script("answer_losses")


def _row(**kw: object):  # noqa: ANN202
    base = dict(
        lang="en",
        style="short",
        answerable=True,
        refused=True,
        correct=False,
        top_correct=False,
        top_gold_release=False,
        gold_in_hits=True,
        top_p=0.5,
    )
    return losses.Row(**{**base, **kw})


def test_each_answerable_question_has_one_category() -> None:
    assert losses.category(_row(refused=False, correct=True, top_correct=True)) == "right"
    assert losses.category(_row(refused=False)) == "presented, wrong"
    assert losses.category(_row(top_correct=True, top_gold_release=True)) == "refused, top pick right"
    assert losses.category(_row(top_gold_release=True)) == "refused, top pick: gold release, wrong sentence"
    assert losses.category(_row()) == "refused, top pick: another release"
    assert losses.category(_row(gold_in_hits=False)) == "refused, no gold release among the hits"
    rows = [_row(refused=False, correct=True, top_correct=True), _row(), _row(answerable=False)]
    got = losses.shares(rows)
    assert got["right"] == 0.5 and got["refused, top pick: another release"] == 0.5  # over the 2 answerable
    assert sum(got[c] for c in losses.CATEGORIES) == 1.0 and got["top pick right"] == 0.5


def test_curve_counts_unanswerable_replies_as_wrong() -> None:
    rows = [
        _row(top_correct=True, top_p=0.9),
        _row(top_p=0.65),  # answerable, wrong top pick
        _row(answerable=False, top_p=0.75),  # any reply to it is wrong
        _row(top_correct=True, top_p=0.2),
    ]
    at = {x["tau"]: x for x in losses.curve(rows, taus=(0.3, 0.7, 0.8))}
    assert at[0.3] == {"tau": 0.3, "accuracy": round(1 / 3, 4), "wrong": 0.5}
    assert at[0.7] == {"tau": 0.7, "accuracy": round(1 / 3, 4), "wrong": 0.25}
    assert at[0.8] == {"tau": 0.8, "accuracy": round(1 / 3, 4), "wrong": 0.0}


def test_the_top_pick_is_refused_at_no_size() -> None:
    """The shipped reader's thresholds with every refusal at 0 refuse nothing over an index of any size: its
    size anchors are cleared too (they put the size's thresholds back, and every refusal stayed one)."""
    from index.answer.model import ReaderModel

    shipped = ReaderModel.load().thresholds
    assert shipped.refuse_by_size, "the shipped reader has size anchors"
    never = losses.never_refusing(shipped)
    for releases in (None, 958, 1_600, 62_932):
        t = never.for_collection(releases)
        assert t.refusal("th") == t.refusal("en") == t.refusal("other") == 0.0, releases
    assert never.assert_by_lang == shipped.assert_by_lang and never.span == shipped.span
