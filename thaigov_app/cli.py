"""The ``thaigov-qa`` command line.

Each top-level package registers its own subcommands (``corpus.cli``, ``index.cli``, ``bot.cli``, and the
operator's ``thaigov_app.ops_cli``), imported here by name, so this module stays a thin dispatcher.
Conventions every subcommand keeps: ``--help`` at every level; with ``--json`` standard output carries
only JSON, one object a line, while progress bars and logs go to standard error; a bad setting or input
ends the program with one readable line and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import bot.cli
import corpus.cli
import index.cli
from thaigov_app import ops_cli
from thaigov_qa.errors import UserError
from thaigov_qa.quiet import setup_logging
from thaigov_qa.schema import SchemaError, check_schema
from thaigov_qa.settings import Settings, SettingsError, load_settings

__all__ = ["Handler", "UserError", "build_parser", "main"]

#: A subcommand handler: takes the parsed arguments and the settings, returns the exit status.
Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thaigov-qa",
        description="Answer Thai or English questions about Thai government press releases.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more logging on standard error: -v INFO, -vv DEBUG (default: warnings and errors only)",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="read settings from this file instead of ./.env (a server's /etc/thaigov-qa/.env, as the "
        "systemd units do); the environment still wins over it",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for part in (corpus.cli, index.cli, bot.cli, ops_cli):
        part.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    try:
        if args.env_file is not None and not args.env_file.is_file():
            raise UserError(f"--env-file {args.env_file}: no such file")
        settings = load_settings(_env_file=args.env_file) if args.env_file is not None else load_settings()
        if getattr(args, "uses_data_dir", True):
            check_schema(settings)
        handler: Handler = args.handler
        return handler(args, settings)
    except (SettingsError, SchemaError, UserError) as exc:
        print(f"thaigov-qa: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("thaigov-qa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``… | head``): no traceback; what was not read is the reader's choice.
        # Standard output is pointed at /dev/null so that Python's own flush at exit does not fail again.
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (a test's StringIO)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
