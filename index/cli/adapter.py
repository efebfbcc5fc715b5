"""``thaigov-qa adapter train``: fit the query adapter (:mod:`index.search.adapter`) from question sets with
train/validation folds, over the index in ``DATA_DIR``; writes the package's file unless ``-o`` names
another."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.search.adapter import SHIPPED
from thaigov_qa.settings import Settings


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from index.cli.training import examples_over, write_or_explain
    from index.search.adapter_training import collect, train
    from thaigov_qa.errors import UserError

    searcher, examples = examples_over(settings, args.qa, collect, "embedding")
    try:
        adapter, report = train(searcher.reader, examples, Path(searcher.reader.embedder.model_id).name)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = Path(args.output)
    write_or_explain(adapter.save, out, "the query adapter")
    summary = {"adapter": str(out), "questions": len(examples), "validation": report}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("adapter", help="the learned map of English questions' vectors (dense search)")
    asub = p.add_subparsers(dest="adapter_command", metavar="COMMAND", required=True)
    t = asub.add_parser("train", help="fit it from question sets with train/validation folds")
    t.add_argument("qa", nargs="+", help="question files (JSONL with a 'fold' per question)")
    t.add_argument("-o", "--output", default=str(SHIPPED), help="adapter file (default: the package's)")
    t.set_defaults(handler=_train)
