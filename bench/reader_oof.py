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

from _common import REPO  # noqa: F401  (puts the checkout on sys.path)


def _halves(examples: list[Any], split: int) -> list[int]:
    """Each example's validation half in halving ``split``: by release, as the folds are."""
    from index.answer.training import release_key

    return [zlib.crc32(f"{split}:{release_key(e.question)}".encode()) % 2 for e in examples]


def measure(
    examples: list[Any], index_of: list[str], fit: set[str], answerer: Any, seed: int, splits: int
) -> dict[str, Any]:
    """One seed's figures: per index and language, accuracy and wrong-answer rate at the target (mean over
    the halvings), and the top pick per index."""
    import numpy as np

    from index.answer import refusal, training

    fitted = {id(e) for e, name in zip(examples, index_of, strict=True) if name in fit}
    raws = training.oof_scores(examples, fit_on=lambda e: id(e) in fitted, seed=seed)
    outs = [training.outcome(answerer, e, r) for e, r in zip(examples, raws, strict=True)]
    train_outs = [
        o for o, e, d in zip(outs, examples, index_of, strict=True) if e.fold == "train" and d in fit
    ]
    coef, intercept = training.calibration(train_outs)
    probs = training.probabilities(outs, coef, intercept)
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
    args = p.parse_args()
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
    per_seed = {}
    for seed in args.seeds:
        per_seed[seed] = measure(examples, index_of, fit, first, seed, args.splits)
        print(f"seed {seed}: {json.dumps(per_seed[seed])}", file=sys.stderr, flush=True)
    keys = list(next(iter(per_seed.values())))
    mean = {}
    for k in keys:
        vals = [per_seed[s][k] for s in args.seeds]
        mean[k] = (
            [round(sum(v[j] for v in vals) / len(vals), 4) for j in (0, 1)]
            if isinstance(vals[0], list)
            else round(sum(vals) / len(vals), 4)
        )
    print(json.dumps({"seeds": {str(s): v for s, v in per_seed.items()}, "mean": mean}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
