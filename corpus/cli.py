"""``thaigov-qa corpus …``: look at a release source before indexing it.

``corpus inspect SOURCE`` reads a folder, archive, archive subset (``--only LIST``) or JSONL the way the
index will, and counts what it finds: files, distinct releases, skipped files by reason, releases by year,
language and category. It is how an admin checks a new dump, and how the parser's quirk handling is
measured on the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any

from corpus.sources import SOURCE_REASONS, Skipped, SourceError, iter_source
from corpus.thaigov import REASONS
from thaigov_qa.errors import UserError
from thaigov_qa.settings import Settings

#: Skip reasons that are not files of the source (so not counted in ``files``).
_NOT_FILES = {"not_found", "bad_archive"}
_EXAMPLES = 3


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    corpus = sub.add_parser("corpus", help="inspect release sources", description=__doc__)
    corpus_sub = corpus.add_subparsers(dest="corpus_command", metavar="COMMAND", required=True)
    inspect = corpus_sub.add_parser(
        "inspect",
        help="count files, releases, skipped files by reason, releases by year/language/category",
        description="Read SOURCE (a folder of *.txt, a .tar.xz archive, or a .jsonl file) and print counts. "
        "Without SOURCE, reads the CORPUS_SOURCES setting.",
    )
    inspect.add_argument("source", nargs="*", metavar="SOURCE", help="folder, .tar.xz archive or .jsonl")
    inspect.add_argument(
        "--only", metavar="LIST", help="a file of archive paths, one a line: read just those files"
    )
    inspect.add_argument("--json", action="store_true", help="print one JSON object on standard output")
    inspect.add_argument(
        "--list-skipped", action="store_true", help="also list every skipped file with its reason"
    )
    inspect.set_defaults(handler=inspect_command)


def inspect_sources(sources: list[str], only: str | None = None, progress: bool = False) -> dict[str, Any]:
    """Read ``sources`` and count; the dictionary is what ``corpus inspect --json`` prints."""
    start, cpu_start = time.perf_counter(), time.process_time()
    # Only what the counts need, per URL: the bodies (hundreds of MB for the whole corpus) are dropped.
    by_url: dict[str, tuple[str, str, str, str]] = {}
    parsed = 0
    skipped: list[Skipped] = []
    files = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" files", file=sys.stderr, desc="reading", mininterval=1.0)
    for source in sources:
        for item in iter_source(source, only):
            if isinstance(item, Skipped):
                skipped.append(item)
                if item.reason in _NOT_FILES:
                    continue
            else:
                parsed += 1
                old = by_url.get(item.url)
                if old is None or item.crawled >= old[0]:  # the later crawl wins, as in dedupe()
                    by_url[item.url] = (item.crawled, item.date, item.lang, item.category)
            files += 1
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    distinct = list(by_url.values())
    reasons = Counter(s.reason for s in skipped)
    examples: dict[str, list[str]] = {}
    for s in skipped:
        bucket = examples.setdefault(s.reason, [])
        if len(bucket) < _EXAMPLES:
            bucket.append(s.path)
    by_year = Counter(date[:4] for _, date, _, _ in distinct)
    by_lang = Counter(lang for _, _, lang, _ in distinct)
    by_category = Counter(category or "(none)" for _, _, _, category in distinct)
    return {
        "sources": sources,
        "files": files,
        "releases": len(distinct),
        "parsed": parsed,
        "duplicates": parsed - len(distinct),
        "skipped": dict(reasons.most_common()),
        "skipped_examples": examples,
        "by_year": dict(sorted(by_year.items())),
        "by_lang": dict(by_lang.most_common()),
        "by_category": dict(by_category.most_common()),
        "newest_date": max((d[1] for d in distinct), default=None),
        "oldest_date": min((d[1] for d in distinct), default=None),
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
        "skipped_files": [{"path": s.path, "reason": s.reason} for s in skipped],
    }


def format_report(report: dict[str, Any]) -> str:
    """The human-readable table ``corpus inspect`` prints."""
    lines = [
        f"sources:          {', '.join(report['sources'])}",
        f"files:            {report['files']:,}",
        f"releases parsed:  {report['parsed']:,}",
        f"distinct URLs:    {report['releases']:,}  ({report['duplicates']:,} duplicate files)",
        f"dates:            {report['oldest_date']} .. {report['newest_date']}",
        f"skipped files:    {sum(report['skipped'].values()):,}",
    ]
    explain = {**REASONS, **SOURCE_REASONS}
    for reason, n in report["skipped"].items():
        lines.append(f"  {reason:<18}{n:>7,}  {explain.get(reason, '')}")
        for path in report["skipped_examples"].get(reason, []):
            lines.append(f"  {'':<18}         e.g. {path}")
    lines.append("by year:")
    lines += [f"  {year:<18}{n:>7,}" for year, n in report["by_year"].items()]
    lines.append("by language:")
    lines += [f"  {lang:<18}{n:>7,}" for lang, n in report["by_lang"].items()]
    lines.append("by category:")
    lines += [f"  {n:>7,}  {cat}" for cat, n in report["by_category"].items()]
    lines.append(f"time:             {report['seconds']} s ({report['cpu_seconds']} s CPU)")
    return "\n".join(lines)


def inspect_command(args: argparse.Namespace, settings: Settings) -> int:
    sources = list(args.source) or list(settings.corpus_sources)
    if not sources:
        raise UserError("no SOURCE given and the CORPUS_SOURCES setting is empty")
    try:
        report = inspect_sources(sources, args.only, progress=not args.json and sys.stderr.isatty())
    except SourceError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        if not args.list_skipped:
            report.pop("skipped_files")
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(format_report(report))
        if args.list_skipped:
            for s in report["skipped_files"]:
                print(f"{s['reason']}\t{s['path']}")
    return 0
