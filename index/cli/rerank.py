"""``thaigov-qa rerank train``: learn the search's second look (:mod:`index.search.rerank`) from question
sets with train/validation folds, over the index in ``DATA_DIR``; writes the package's model file unless
``-o`` names another."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.search.rerank import SHIPPED
from thaigov_qa.settings import Settings


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from index.cli.training import examples_over, write_or_explain
    from index.search.rerank_training import collect, train, write
    from thaigov_qa.errors import UserError

    # The questions are searched without the shipped second look: its rows are all that is learned from, and
    # a shipped file made for other features (the commit that adds one) would otherwise stop the command.
    unlooked = settings.model_copy(update={"rerank": False})
    _, examples = examples_over(unlooked, args.qa, collect, "searching")
    try:
        spec = train(examples)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = Path(args.output)
    write_or_explain(lambda path: write(spec, path), out, "the re-ranking model")
    summary = {"model": str(out), "questions": len(examples), "validation": spec["validation"]}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("rerank", help="the search's second look at its top releases")
    rsub = p.add_subparsers(dest="rerank_command", metavar="COMMAND", required=True)
    t = rsub.add_parser("train", help="learn it from question sets with train/validation folds")
    t.add_argument("qa", nargs="+", help="question files (JSONL with a 'fold' per question)")
    t.add_argument("-o", "--output", default=str(SHIPPED), help="model file (default: the package's)")
    t.set_defaults(handler=_train)
