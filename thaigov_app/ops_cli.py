"""The operator's subcommands: ``doctor``, ``backup DEST``, ``restore SRC`` (see docs/DEPLOY.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from thaigov_qa.settings import Settings


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.doctor import FAIL, run_checks

    results = run_checks(settings)
    for result in results:
        print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.line(), flush=True)
    return 1 if any(r.status == FAIL for r in results) else 0


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """A backup or restore that cannot be done is the user's to fix: one line, exit status 2."""
    from thaigov_app.backup import BackupError
    from thaigov_qa.errors import UserError

    try:
        yield
    except BackupError as exc:
        raise UserError(str(exc)) from None


def _report(args: argparse.Namespace, summary: dict[str, Any], line: str) -> int:
    """The summary as one JSON object with ``--json``, else the human line."""
    print(json.dumps(summary, ensure_ascii=False) if args.json else line)
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.backup import backup

    with _user_errors():
        manifest = backup(settings, Path(args.dest))
    summary = {
        "backup": str(args.dest),
        "generation": manifest["generation"],
        "releases": manifest["index"].get("releases"),
        "chunks": manifest["index"].get("chunks"),
        "bytes": sum(f["bytes"] for f in manifest["files"].values()),
    }
    return _report(
        args,
        summary,
        f"backup of generation {summary['generation']} ({summary['releases']} releases, "
        f"{summary['chunks']} chunks, {summary['bytes'] / 1e6:.1f} MB) written to {args.dest}",
    )


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.backup import restore

    with _user_errors():
        summary = restore(settings, Path(args.src), force=args.force)
    return _report(
        args,
        summary,
        f"restored {summary['releases']} releases ({summary['chunks']} chunks) into {settings.data_dir} "
        f"as generation {summary['generation']}; a running bot picks it up within 30 s",
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "doctor",
        help="check a deployment: settings, model, index, disk, database, Telegram token, feeds",
        description="One line per check (ok, fail or skipped); exit status 0 when nothing failed.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object a line: check, status, detail")
    p.set_defaults(handler=_doctor, uses_data_dir=False)

    p = sub.add_parser(
        "backup",
        help="back up the database and the live index generation into a new folder (safe while running)",
    )
    p.add_argument("dest", help="a new (or empty) folder for the backup")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(handler=_backup)

    p = sub.add_parser(
        "restore",
        help="restore a backup into DATA_DIR (a running bot picks it up by itself)",
    )
    p.add_argument("src", help="a folder written by `thaigov-qa backup`")
    p.add_argument("--force", action="store_true", help="replace the index DATA_DIR already has")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(handler=_restore)
