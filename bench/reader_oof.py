"""Is a change to the reader real? Out-of-fold accuracy at the wrong-answer target, per index, over seeds.

Why: a retrained reader moves by 0.01-0.02 between LightGBM seeds (docs/answers.md, "Stop 24"), and the
summary ``reader train`` prints scores the validation replies under thresholds chosen on those same replies.
This compares a change the way stop 32 did (docs/answers.md, "Stop 32"): the questions' train and validation
folds analysed over each index; the trees fitted five-fold by release on the training indexes' analyses only,
as ``reader train`` fits them, and every analysis scored by trees that never saw its release; the calibration
fitted on the train fold's replies of the training indexes; refusal thresholds chosen per language on one half
of their validation replies (halved by release) for the wrong-answer target, and scored on the other half of
each index's, over ``--splits`` halvings; all of it per seed, then the mean. Also the top pick: the share of
answerable validation questions whose best sentence, before any threshold, is right.

``--train-fractions 0.25 0.5 1`` (after the question files) is the learning curve: the trees and the
calibration learn from that share of the train fold's releases (the same releases at every seed; the
validation fold whole), one result per share. Stop 52 read it to ask whether more written questions would
help the reader (docs/answers.md, "Stop 52").

Run from the root of the checkout (or worktree) whose code is measured; takes ~4 minutes an index to analyse
(2,516 questions) and ~1 minute a seed:

    python bench/reader_oof.py --index qa=/work/qaidx --index 10k=/work/s10k --index full=/work/full \\
        --fit qa,10k eval/qa.jsonl eval/qa-train2-*.jsonl eval/qa3-[a-e].jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path
from typing import Any


def _halves(examples: list[Any], split: int) -> list[int]:
    """Each example's validation half in halving ``split``: by release, as the folds are."""
    from index.answer.training import release_key

    return [zlib.crc32(f"{split}:{release_key(e.question)}".encode()) % 2 for e in examples]


def _kept(e: Any, fraction: float) -> bool:
    """Whether a question is learned from at ``fraction`` of the train fold: every validation question, and
    the train questions of that share of the releases (by a hash of the release, so that a smaller share is
    part of a larger one)."""
    from index.answer.training import release_key

    if e.fold != "train" or fraction >= 1.0:
        return True
    return zlib.crc32(f"fraction:{release_key(e.question)}".encode()) % 10_000 < fraction * 10_000


def measure(
    examples: list[Any],
    index_of: list[str],
    fit: set[str],
    answerer: Any,
    seed: int,
    splits: int,
    fraction: float = 1.0,
) -> dict[str, Any]:
    """One seed's figures: per index and language, accuracy and wrong-answer rate at the target (mean over
    the halvings), and the top pick per index; the trees and the calibration learn from ``fraction`` of the
    train fold (:func:`_kept`)."""
    import numpy as np

    from index.answer import refusal, training

    fitted = {id(e) for e, name in zip(examples, index_of, strict=True) if name in fit and _kept(e, fraction)}
    raws = training.oof_scores(examples, fit_on=lambda e: id(e) in fitted, seed=seed)
    outs = [training.outcome(answerer, e, r) for e, r in zip(examples, raws, strict=True)]
    train_outs = [
        o
        for o, e, d in zip(outs, examples, index_of, strict=True)
        if e.fold == "train" and d in fit and _kept(e, fraction)
    ]
    probs = training.probabilities(outs, training.calibration(train_outs))
    va = [i for i, e in enumerate(examples) if e.fold == "validation"]
    cells: dict[str, list[tuple[float, float]]] = {}
    for split in range(splits):
        half = _halves(examples, split)
        for h in (0, 1):
            chosen_on = [i for i in va if half[i] == h and index_of[i] in fit]
            refuse = refusal.choose(
                [outs[i] for i in chosen_on], probs[chosen_on], training.TARGET_WRONG_RATE
            )
            for name in sorted(set(index_of)):
                for lang in ("all", "th", "en"):
                    rows = [
                        i
                        for i in va
                        if half[i] != h and index_of[i] == name and lang in ("all", outs[i].lang)
                    ]
                    got = refusal.rates([outs[i] for i in rows], probs[rows], refuse)
                    cells.setdefault(f"{name}:{lang}", []).append((got["accuracy"], got["wrong_rate"]))
    out: dict[str, Any] = {
        k: [round(float(np.mean([a for a, _ in v])), 4), round(float(np.mean([w for _, w in v])), 4)]
        for k, v in cells.items()
    }
    for name in sorted(set(index_of)):
        answerable = [i for i in va if index_of[i] == name and outs[i].answerable]
        out[f"{name}:top"] = round(float(np.mean([outs[i].correct for i in answerable])), 4)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("qa", nargs="+", type=Path, help="question files with a fold per question")
    p.add_argument("--index", action="append", required=True, help="NAME=DATA_DIR, one per index")
    p.add_argument("--fit", required=True, help="the indexes the reader learns from, comma-separated names")
    p.add_argument("--seeds", type=int, nargs="+", default=[15, 16, 17])
    p.add_argument("--splits", type=int, default=20, help="validation halvings per seed")
    p.add_argument(
        "--train-fractions",
        type=float,
        nargs="+",
        default=[1.0],
        help="shares of the train fold's releases to learn from (a learning curve; default: all)",
    )
    args = p.parse_args()
    from _common import REPO  # noqa: F401  (the checkout measured, first on the path)

    if any(not 0 < f <= 1 for f in args.train_fractions):
        p.error("--train-fractions are shares between 0 (excluded) and 1")
    from index.answer.training import collect, kind_probabilities
    from index.cli.opening import open_service
    from index.evaluate import load_training_questions
    from thaigov_qa.settings import Settings

    if any("=" not in x for x in args.index):
        p.error("--index takes NAME=DATA_DIR")
    named = dict(x.split("=", 1) for x in args.index)
    fit = set(args.fit.split(","))
    if not fit <= set(named):
        p.error(f"--fit names an index not given with --index: {sorted(fit - set(named))}")
    questions = [q for q in load_training_questions(args.qa) if q.get("fold") in ("train", "validation")]
    settings = Settings()
    answerers = {
        n: open_service(settings.model_copy(update={"data_dir": Path(d)})).answerer()
        for n, d in named.items()
    }
    first = answerers[next(iter(named))]
    kinds, _ = kind_probabilities(first, questions)
    examples: list[Any] = []
    index_of: list[str] = []
    for name, answerer in answerers.items():
        got = collect(answerer, questions, kinds=kinds)
        examples += got
        index_of += [name] * len(got)
        print(f"analysed {len(got)} questions over {name}", file=sys.stderr, flush=True)
    for fraction in args.train_fractions:
        per_seed = {}
        for seed in args.seeds:
            per_seed[seed] = measure(examples, index_of, fit, first, seed, args.splits, fraction)
            print(f"share {fraction} seed {seed}: {json.dumps(per_seed[seed])}", file=sys.stderr, flush=True)
        learned = sum(1 for e in examples if e.fold == "train" and _kept(e, fraction)) // len(named)
        result = {"seeds": {str(s): v for s, v in per_seed.items()}, "mean": _mean(per_seed)}
        if args.train_fractions != [1.0]:
            result = {"train_fraction": fraction, "train_questions": learned, **result}
        print(json.dumps(result), flush=True)
    return 0


def _mean(per_seed: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The seeds' mean of every figure ([accuracy, wrong] pairs member by member)."""
    runs = list(per_seed.values())
    mean = {}
    for k in runs[0]:
        vals = [run[k] for run in runs]
        mean[k] = (
            [round(sum(v[j] for v in vals) / len(vals), 4) for j in (0, 1)]
            if isinstance(vals[0], list)
            else round(sum(vals) / len(vals), 4)
        )
    return mean


if __name__ == "__main__":
    raise SystemExit(main())
