"""``thaigov-qa index build|update|stats``: the admin commands that write and inspect the index.

With ``--json`` standard output carries one summary object; progress bars, skipped files (path and
reason) and logs go to standard error, so a script can read the summary while a person watches progress.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import signal
import sqlite3
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from index.build.report import BuildReport


#: Duplicates named on standard error; a folder of several crawls holds many, by design.
SHOWN_DUPLICATES = 10


def _print_skipped(report: BuildReport) -> None:
    """Every file not indexed, and why, on standard error (a refused run's too: they say why)."""
    for path, reason in report.skipped_files:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for path, kept in report.duplicates[:SHOWN_DUPLICATES]:
        print(f"duplicate {path}: same URL as {kept}, indexed instead (the later crawl)", file=sys.stderr)
    for path, url in report.kept_unread:
        print(f"kept {url}: its file {path} was skipped (above), its previous version stays", file=sys.stderr)
    more = len(report.duplicates) - SHOWN_DUPLICATES
    if more > 0:
        print(f"... and {more} more duplicates (the later crawl of each URL is indexed)", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM during a build: raised where the build is, so it stops as Ctrl-C stops it."""


@contextlib.contextmanager
def _sigterm_stops_it() -> Iterator[None]:
    """SIGTERM (a service manager stopping the job, ``kill``) stops the build as Ctrl-C does, with the same
    word on standard error. Why: Python's default for SIGTERM ends the process on the spot with no word
    (exit 143), so an admin could not tell that the index was left as it was and that running the same
    command again resumes. Outside the main thread (a caller's own) the default stays."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    try:
        with _sigterm_stops_it():
            return _build_or_update(args, settings, kind)
    except KeyboardInterrupt as exc:
        print(
            f"thaigov-qa: index {kind} stopped: the live index serves on; run the same command again to "
            "finish (what was embedded is kept)",
            file=sys.stderr,
        )
        return 143 if isinstance(exc, Terminated) else 130


def _build_or_update(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    from corpus.sources import SourceError
    from index.build.embedding import EmbeddingError
    from index.build.pipeline import IndexLocked, SourceRefused, build_index, update_index
    from thaigov_qa.errors import UserError

    progress = True
    if kind == "build":
        _hint_faster_engine(settings)
    try:
        if kind == "build":
            # bulk: this process answers no questions, so the passages' engine may spin (faster).
            report = build_index(settings, args.source, only=args.only, progress=progress, bulk=True)
        else:
            if not args.source and not settings.corpus_sources:
                raise UserError("no SOURCE given and CORPUS_SOURCES is empty")
            report = update_index(settings, args.source, progress=progress, only=args.only, bulk=True)
    except SourceRefused as exc:
        _print_skipped(exc.report)
        raise UserError(str(exc)) from None
    except (IndexLocked, SourceError, EmbeddingError) as exc:
        raise UserError(str(exc)) from None
    except (sqlite3.OperationalError, OSError) as exc:
        if not _disk_full(exc):
            raise
        raise UserError(
            f"the disk is full ({exc}): the build stopped, the live index serves on; free some space "
            f"under {settings.data_dir} and run the same command again (what was embedded is kept)"
        ) from None
    _print_skipped(report)
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    else:
        print(
            f"generation {summary['generation']}: {summary['releases']} releases, "
            f"{summary['chunks']} chunks; "
            f"embedded {summary['embedded']} chunks in {summary['seconds']} s; "
            f"{summary['new']} new, {summary['changed']} changed, {summary['removed']} removed, "
            f"{summary['skipped']} files skipped, {summary['duplicates']} duplicates"
        )
    return 0


def _hint_faster_engine(settings: Settings) -> None:
    """Point the admin at the faster engine on this CPU, once, before a build embeds (standard error)."""
    from index.build.cpu import faster_engine_hint
    from index.build.embedding import device_for

    backend = settings.embedding_backend
    hint = faster_engine_hint(backend, device_for(settings, backend))
    if hint:
        print(f"thaigov-qa: note: {hint}", file=sys.stderr)


def _disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full: SQLite's "database or disk is full", or ENOSPC from a file
    write (FAISS, numpy, the manifest)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _build(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, "build")


def _update(args: argparse.Namespace, settings: Settings) -> int:
    return _run(args, settings, "update")


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from index.search.reader import IndexReader, ModelMismatch, NoIndex
    from thaigov_qa.errors import UserError

    try:
        reader = IndexReader.open(settings)
    except (NoIndex, ModelMismatch) as exc:
        raise UserError(str(exc)) from None
    try:
        stats = reader.stats()
    finally:
        reader.close()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False), flush=True)
    else:
        for key, value in stats.items():
            print(f"{key:12} {value}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    index = sub.add_parser("index", help="build, update or inspect the search index")
    isub = index.add_subparsers(dest="index_command", metavar="ACTION", required=True)

    p = isub.add_parser("build", help="index exactly the releases of SOURCE (new generation, atomic switch)")
    p.add_argument("source", help="folder of .txt files, .tar.xz archive or .jsonl file")
    p.add_argument("--only", metavar="LIST", help="file listing the archive paths to index, one a line")
    p.add_argument("--json", action="store_true", help="one JSON summary object on standard output")
    p.set_defaults(handler=_build)

    p = isub.add_parser("update", help="embed only new or changed releases; drop releases gone from SOURCE")
    p.add_argument("source", nargs="?", help="default: CORPUS_SOURCES")
    p.add_argument("--only", metavar="LIST", help="file listing the archive paths to keep, one a line")
    p.add_argument("--json", action="store_true", help="one JSON summary object on standard output")
    p.set_defaults(handler=_update)

    p = isub.add_parser("stats", help="size, model and date of the live index")
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    p.set_defaults(handler=_stats)
