"""``thaigov-qa search QUERY`` and ``thaigov-qa eval QA.jsonl``: retrieval from the command line, measured.

``search`` shows what the Searcher returns for one question (releases, dates, passages); ``eval`` runs a
whole question set and reports the metrics the project is judged by (see :mod:`index.evaluate`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.text import query_text
from thaigov_qa.jsonl import json_line
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from index.search.retrieve import Searcher

log = logging.getLogger(__name__)


def _open_searcher(settings: Settings) -> Searcher:
    from index.cli.opening import open_service

    return open_service(settings).searcher()


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_qa.errors import UserError

    query = query_text(" ".join(args.query))  # what the search reads: cut, stray bytes made spaces
    if not query:
        raise UserError("empty query: give a question or keywords")
    if args.k < 1 or args.k > 100:
        raise UserError("-k must be between 1 and 100")
    searcher = _open_searcher(settings)
    hits = searcher.search(query, k=args.k, mode=args.mode)
    if args.json:
        info = searcher.analyze(query)
        out = {
            "query": query,
            "lang": info.lang,
            "dates": [[w.start.isoformat(), w.end.isoformat(), w.kind] for w in info.dates],
            "hits": [asdict(h) for h in hits],
        }
        print(json_line(out))
        return 0
    if not hits:
        print("no results")
        return 0
    for i, h in enumerate(hits, 1):
        print(f"{i:>2}. [{h.date}] {h.title}  ({h.lang}, score {h.score:.4f})")
        print(f"    {h.url}")
        if h.passages:
            text = " ".join(h.passages[0].text.split())
            print(f"    {text[:240]}{'…' if len(text) > 240 else ''}")
    return 0


def _progress(i: int, n: int) -> None:
    if sys.stderr.isatty() and (i % 10 == 0 or i == n):
        print(f"\r{i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def _dated(searcher: Searcher) -> Callable[[str], str]:
    """A release's ISO date from the index ("" when it is not there), for the "latest" measure."""

    def dated(url: str) -> str:
        release = searcher.release(url)
        return release.date if release is not None else ""

    return dated


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from index.evaluate import BadQuestionSet, evaluate, format_table, load_questions, summarize
    from index.reply import REPLY_SOURCES
    from thaigov_qa.errors import UserError

    try:
        questions = load_questions(Path(args.qa))
    except BadQuestionSet as exc:
        raise UserError(str(exc)) from None
    if args.lang:
        questions = [q for q in questions if q.get("lang") == args.lang]
    if args.fold:
        questions = [q for q in questions if q.get("fold") == args.fold]
        if not questions:
            raise UserError(f"no question of fold {args.fold!r} in {args.qa}")
    searcher = _open_searcher(settings)
    modes = ["bm25", "dense", "fusion", "hybrid"] if args.mode == "all" else [args.mode]
    ask = None
    if not args.retrieval_only:
        try:
            from index.answer import Answerer
        except ImportError:
            log.info("index.answer not available: retrieval metrics only")
        else:
            ask = Answerer(searcher, settings).ask
    summaries = []
    for mode in modes:

        def search(q: str, mode: str = mode) -> list[str]:
            return [h.url for h in searcher.search(q, k=10, mode=mode)]

        # Answers depend on the product's retrieval only: run them with the hybrid pass.
        results = evaluate(
            questions,
            search,
            ask if mode == "hybrid" else None,
            progress=_progress,
            dated=_dated(searcher),
            links=REPLY_SOURCES,
        )
        summary = summarize(results, mode=mode)
        if args.details:
            summary["questions"] = [
                {
                    "qid": r.qid,
                    "lang": r.lang,
                    "type": r.type,
                    "rank": r.rank,
                    "style": r.style,
                    "fold": r.fold,
                    "found": r.found,
                    "correct": r.correct,
                    "presentation": r.presentation,
                    "answer": r.answer,
                    "named": r.named,
                    "latest_leads": r.latest_leads,
                }
                for r in results
            ]
        summaries.append(summary)
        if args.json:
            print(json_line(summary), flush=True)
        else:
            print(format_table(summary))
            print()
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("search", help="search the index: the releases that best match a question")
    p.add_argument("query", nargs="+", help="question or keywords, Thai or English")
    p.add_argument("-k", type=int, default=5, help="how many releases (default 5)")
    p.add_argument(
        "--mode", choices=["hybrid", "fusion", "bm25", "dense"], default="hybrid", help=argparse.SUPPRESS
    )
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    p.set_defaults(handler=_search)

    e = sub.add_parser("eval", help="evaluate retrieval (and answers) on a question set (QA jsonl)")
    e.add_argument("qa", help="question set, e.g. ../shared/eval/dev-qa.jsonl")
    e.add_argument("--json", action="store_true", help="one JSON summary object per mode on standard output")
    e.add_argument("--retrieval-only", action="store_true", help="skip answering (retrieval metrics only)")
    e.add_argument(
        "--mode",
        choices=["hybrid", "fusion", "bm25", "dense", "all"],
        default="hybrid",
        help="hybrid: the product's retrieval; fusion: plain BM25+dense RRF; bm25 / dense alone; all: each",
    )
    e.add_argument("--lang", choices=["th", "en"], help="only questions in this language")
    e.add_argument(
        "--fold",
        choices=["train", "validation", "test"],
        help="only questions of this fold (see eval/README.md)",
    )
    e.add_argument("--details", action="store_true", help="include per-question ranks in the JSON")
    e.set_defaults(handler=_eval)
