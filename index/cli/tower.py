"""``thaigov-qa tower train``: fine-tune the query tower (:mod:`index.search.tower`) from question sets with
train/validation folds, over the index in ``DATA_DIR`` (the whole archive: its passages are what the English
questions must find), into the package's file (``QUERY_TOWER=true``, the default, serves it) or the one
``-o`` names (``QUERY_TOWER=FILE`` then serves it)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.search.tower import SHIPPED_TOWER
from thaigov_qa.settings import Settings


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from index.cli.training import examples_over, write_or_explain
    from index.search.tower_training import collect, train
    from thaigov_qa.errors import UserError

    # Searched without a tower: the examples read e5's vectors and the adapter's lists, and the shipped
    # tower's graphs need not be made for that.
    unserved = settings.model_copy(update={"query_tower": False})
    searcher, examples = examples_over(unserved, args.qa, collect, "embedding")
    try:
        tower, report = train(searcher, examples, settings.embedding_model)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = Path(args.output)
    write_or_explain(tower.save, out, "the query tower")
    print(
        json.dumps({"tower": str(out), "questions": len(examples), "validation": report}, ensure_ascii=False)
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("tower", help="the fine-tuned query tower of English questions (dense search)")
    tsub = p.add_subparsers(dest="tower_command", metavar="COMMAND", required=True)
    t = tsub.add_parser("train", help="fine-tune it from question sets with train/validation folds")
    t.add_argument("qa", nargs="+", help="question files (JSONL with a 'fold' per question)")
    t.add_argument("-o", "--output", default=str(SHIPPED_TOWER), help="tower file (default: the package's)")
    t.set_defaults(handler=_train)
