"""Refusal thresholds by collection size: chosen per size on held-out replies, interpolated between sizes in
the logarithm of the release count, applied from the live index's own count."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from index.answer.collection_size import SizeAnchor, anchors_of, choose_anchor, refusal_at, with_anchor
from index.answer.model import ModelError, ReaderModel, Thresholds
from index.answer.refusal import choose

SMALL = SizeAnchor(1_000, (("en", 0.4), ("th", 0.6)))
LARGE = SizeAnchor(100_000, (("en", 0.6), ("th", 0.8)))


def test_thresholds_between_two_sizes_follow_the_logarithm_of_the_size() -> None:
    anchors = (SMALL, LARGE)
    assert refusal_at(anchors, 1_000, "en") == 0.4 and refusal_at(anchors, 100_000, "en") == 0.6
    assert refusal_at(anchors, 10_000, "en") == pytest.approx(0.5), "halfway in log size: halfway"
    assert refusal_at(anchors, 10_000, "th") == pytest.approx(0.7)
    assert refusal_at(anchors, 200, "th") == 0.6 and refusal_at(anchors, 10**7, "th") == 0.8, (
        "clamped outside"
    )
    assert refusal_at(anchors, 10_000, "fr") is None, "no anchor for the language: none"
    assert refusal_at((SMALL,), 10**6, "en") == 0.4, "one anchor serves every size"


def test_thresholds_for_a_collection_replace_only_the_refusal_thresholds() -> None:
    t = Thresholds(0.7, 0.9, 0.1, 0.3, (("en", 0.55), ("th", 0.7)), refuse_by_size=(SMALL, LARGE))
    small = t.for_collection(1_000)
    assert small.refusal("en") == 0.4 and small.refusal("th") == 0.6 and small.refuse == 0.6
    assert (small.assert_, small.span, small.other) == (t.assert_, t.span, t.other)
    assert t.for_collection(None) is t, "no size known: the file's own thresholds"
    plain = Thresholds(0.7, 0.9, 0.1, 0.3, (("en", 0.55),))
    assert plain.for_collection(1_000) is plain, "a model file from before size anchors"


def test_a_new_anchor_replaces_one_of_about_its_size_and_keeps_the_rest_of_the_file() -> None:
    shipped = ReaderModel.load().spec
    plain = {k: v for k, v in shipped["thresholds"].items() if k != "refuse_by_size"}
    spec = {**shipped, "thresholds": plain}
    one = with_anchor(spec, SMALL)
    assert [k for k in spec if spec[k] != one[k]] == ["thresholds"]
    assert {k: v for k, v in one["thresholds"].items() if k != "refuse_by_size"} == spec["thresholds"]
    two = with_anchor(one, LARGE)
    again = with_anchor(two, SizeAnchor(1_500, (("en", 0.45),)))
    assert [a.releases for a in anchors_of(two["thresholds"])] == [1_000, 100_000]
    assert anchors_of(again["thresholds"]) == (SizeAnchor(1_500, (("en", 0.45),)), LARGE)
    model = ReaderModel(again)
    assert model.thresholds.refuse_by_size == (SizeAnchor(1_500, (("en", 0.45),)), LARGE)
    assert ReaderModel(json.loads(json.dumps(again))).thresholds == model.thresholds, "survives the file"


def test_a_malformed_anchor_makes_the_model_file_unreadable(tmp_path: Path) -> None:
    spec = ReaderModel.load().spec
    for bad in (
        {"releases": 0, "by_lang": {"en": 0.5}},
        {"by_lang": {"en": 0.5}},
        {"releases": 9, "by_lang": 3},
    ):
        path = tmp_path / "reader.json"
        path.write_text(json.dumps({**spec, "thresholds": {**spec["thresholds"], "refuse_by_size": [bad]}}))
        with pytest.raises(ModelError, match="cannot read the reader model"):
            ReaderModel.load(path)


@dataclass
class Reply:
    correct: bool
    answerable: bool
    lang: str


def test_an_anchor_is_chosen_as_the_refusal_thresholds_are_at_the_mean_size() -> None:
    replies = [Reply(p >= 0.3, True, lang) for lang in ("en", "th") for p in np.arange(0.05, 0.95, 0.05)]
    probs = np.asarray([p for _ in ("en", "th") for p in np.arange(0.05, 0.95, 0.05)])
    sizes = [1_000] * 18 + [4_000] * 18
    anchor = choose_anchor(replies, probs, sizes, target=0.0)
    assert anchor.releases == round(math.sqrt(1_000 * 4_000)), "the geometric mean of the indexes' sizes"
    assert dict(anchor.by_lang) == choose(replies, probs, 0.0)
    with pytest.raises(ValueError, match="size"):
        choose_anchor(replies, probs, sizes[:-1], target=0.0)


def test_the_shipped_reader_refuses_less_readily_over_a_small_collection() -> None:
    """Its anchors (stop 51): about a thousand releases and the whole archive; a collection between them gets
    thresholds between theirs, and a small one the lower ones, in each language."""
    t = ReaderModel.load().thresholds
    sizes = [a.releases for a in t.refuse_by_size]
    assert len(sizes) == 2 and sizes[0] < 2_000 and sizes[1] > 60_000
    for lang in ("en", "th"):
        small, mid, whole = (t.for_collection(n).refusal(lang) for n in (sizes[0], 10_000, sizes[1]))
        assert small < mid < whole
