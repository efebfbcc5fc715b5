"""Is one reader file better than another on questions neither was trained on? Fresh question sets over
indexes of their own size and over the whole archive, every model file side by side.

Why: ``reader train`` reports its validation folds out of fold (``bench/reader_oof.py`` compares recipes that
way), but the question sets written after the shipped reader was trained (``eval/qa6-9.jsonl``, never in its
train or validation folds) are scored by its final trees as the product scores them, which is what a new
user's question meets. Each set is asked over an index of its own releases (``eval/qaN-corpus.txt``, built
with ``index build … --only``: ~1,000 releases, the size the issue's hidden sets are asked over) and over the
whole archive. Per size and per model file: the top pick (the share of answerable questions whose best
sentence, before any threshold, is right), the AUC of the reply's probability for right replies, accuracy,
wrong-answer rate and unanswerable questions refused as served (the model's thresholds for the index's size,
the province check included: ``thaigov-qa eval``'s figures), and, to
compare models apart from their thresholds, accuracy where each language's wrong-answer rate is held to the
target by thresholds chosen on these same replies (an optimistic figure: use it between models only).

Run from the root of the checkout whose code the model files fit (a file trained with other features is
refused); ~40 s a set and index on 2 cores:

    python bench/reader_heldout.py --model index/data/reader.json --model /tmp/variant.json \\
        --on small /work/qa6idx eval/qa6.jsonl --on small /work/qa7idx eval/qa7.jsonl \\
        --on full /work/full eval/qa6.jsonl eval/qa7.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.refusal import Judged


def summarise(outs: Sequence[Judged], probs: np.ndarray, refuse: np.ndarray, target: float) -> dict[str, Any]:
    """The figures of one model over one size's replies (see the module docstring), per language and all;
    ``refuse``: each reply's refusal threshold as served (its language's, for its index's size)."""
    from index.answer import refusal

    probs = np.asarray(probs, dtype=float)
    out: dict[str, Any] = {"questions": len(outs)}
    best = refusal.choose(outs, probs, target)
    for lang in [*sorted({o.lang for o in outs}), "all"]:
        rows = [i for i, o in enumerate(outs) if lang in ("all", o.lang)]
        mine = [outs[i] for i in rows]
        answerable = [o.correct for o in mine if o.answerable]
        right = [o.correct for o in mine]
        at_own = refusal.rates(mine, probs[rows], np.asarray(refuse, dtype=float)[rows])
        at_target = refusal.rates(mine, probs[rows], best)
        out[lang] = {
            "top_pick": round(float(np.mean(answerable)), 4) if answerable else None,
            "auc": _auc(right, probs[rows]),
            "accuracy": round(at_own["accuracy"], 4),
            "wrong_rate": round(at_own["wrong_rate"], 4),
            "unanswerable_refused": round(at_own["unanswerable_refused"], 4),
            "accuracy_at_target": round(at_target["accuracy"], 4),
        }
    return out


def _auc(right: list[bool], probs: np.ndarray) -> float | None:
    """The AUC of ``probs`` for right replies (None when all are right or all wrong)."""
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(right, probs)), 4) if 0 < sum(right) < len(right) else None


def _groups(on: list[list[str]]) -> list[tuple[str, Path, list[Path]]]:
    """(size label, index folder, question files) of each ``--on``."""
    out = []
    for item in on:
        if len(item) < 3:
            raise SystemExit("--on takes a size label, an index folder and at least one question file")
        out.append((item[0], Path(item[1]), [Path(p) for p in item[2:]]))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", action="append", required=True, type=Path, help="a reader model file")
    p.add_argument(
        "--on", nargs="+", action="append", required=True, metavar="LABEL DATA_DIR QA", help="a size's set"
    )
    args = p.parse_args()
    from _common import REPO  # noqa: F401  (the checkout measured, first on the path)

    from index.answer import Answerer
    from index.answer.bolding import held_out, replies
    from index.answer.model import ModelError, ReaderModel
    from index.answer.training import TARGET_WRONG_RATE
    from index.cli.opening import open_service
    from index.evaluate import load_questions
    from thaigov_qa.settings import Settings

    settings = Settings()
    try:
        models = {str(path): ReaderModel.load(path) for path in args.model}
    except ModelError as exc:
        raise SystemExit(f"{exc} (run this from the checkout whose code the model file fits)") from None
    report: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        by_size: dict[str, tuple[list[Any], list[np.ndarray], list[float]]] = {}
        for label, data_dir, paths in _groups(args.on):
            over = settings.model_copy(update={"data_dir": data_dir})
            searcher = open_service(over).searcher()
            questions = held_out([q for path in paths for q in load_questions(path)])
            got = replies([Answerer(searcher, over, model=model)], questions)
            size = by_size.setdefault(label, ([], [], []))
            size[0].extend(got.outs)
            size[1].append(got.probs)
            size[2].extend(got.refuse.tolist())
            print(f"{name}: {len(got.outs)} replies over {data_dir}", file=sys.stderr, flush=True)
        report[name] = {
            label: summarise(outs, np.concatenate(probs), np.asarray(refuse), TARGET_WRONG_RATE)
            for label, (outs, probs, refuse) in by_size.items()
        }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
