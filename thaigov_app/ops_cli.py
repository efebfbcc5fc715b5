"""The operator's subcommands: ``doctor``, ``backup DEST``, ``restore SRC`` (see docs/DEPLOY.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from thaigov_qa.settings import Settings


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.doctor import FAIL, run_checks

    results = run_checks(settings)
    for result in results:
        print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else result.line(), flush=True)
    return 1 if any(r.status == FAIL for r in results) else 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.backup import BackupError, backup
    from thaigov_qa.errors import UserError

    try:
        manifest = backup(settings, Path(args.dest))
    except BackupError as exc:
        raise UserError(str(exc)) from None
    summary = {
        "backup": str(args.dest),
        "generation": manifest["generation"],
        "releases": manifest["index"].get("releases"),
        "chunks": manifest["index"].get("chunks"),
        "bytes": sum(f["bytes"] for f in manifest["files"].values()),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"backup of generation {summary['generation']} ({summary['releases']} releases, "
            f"{summary['chunks']} chunks, {summary['bytes'] / 1e6:.1f} MB) written to {args.dest}"
        )
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from thaigov_app.backup import BackupError, restore
    from thaigov_qa.errors import UserError

    try:
        summary = restore(settings, Path(args.src), force=args.force)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(
            f"restored {summary['releases']} releases ({summary['chunks']} chunks) into {settings.data_dir} "
            f"as generation {summary['generation']}; a running bot picks it up within 30 s"
        )
    return 0


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
