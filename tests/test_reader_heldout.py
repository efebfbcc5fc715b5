"""bench/reader_heldout.py's summary of one model's replies over one size: top pick, AUC, the rates at the
model's own thresholds and the accuracy at the target with thresholds chosen on the same replies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tests.bench_scripts import bench_script


@dataclass
class Reply:
    correct: bool
    answerable: bool
    lang: str


def test_the_summary_reads_the_picks_the_probabilities_and_both_thresholds() -> None:
    mod = bench_script("reader_heldout")
    # English: right at 0.9 and 0.5, one answerable question wrong at 0.3, two unanswerable at 0.2 and 0.6.
    outs = [Reply(True, True, "en"), Reply(True, True, "en"), Reply(False, True, "en")]
    outs += [Reply(False, False, "en"), Reply(False, False, "en"), Reply(True, True, "th")]
    probs = np.asarray([0.9, 0.5, 0.3, 0.2, 0.6, 0.8])
    got = mod.summarise(outs, probs, np.asarray([0.4] * 5 + [0.7]), target=0.0)
    en = got["en"]
    assert got["questions"] == 6
    assert en["top_pick"] == pytest.approx(2 / 3, abs=1e-4), "two of three answerable questions picked right"
    assert en["auc"] == pytest.approx(5 / 6, abs=1e-4), "one wrong reply (0.6) above one right one (0.5)"
    assert en["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert (en["wrong_rate"], en["unanswerable_refused"]) == (0.2, 0.5)
    assert en["accuracy_at_target"] == pytest.approx(1 / 3, abs=1e-4), "none wrong shown: only the 0.9 one"
    assert got["th"]["auc"] is None, "one reply, all right: no AUC"
    assert got["all"]["top_pick"] == pytest.approx(3 / 4)
