"""``thaigov-qa feedback export [-o FILE]``: the kept 👍/👎 answers as a question set for labelling.

Why the question-set format of ``../shared/eval/`` (``qid, lang, question, gold_urls, answer,
answer_aliases, type, evidence``, one line per question): a labeller fixes the lines and the file goes
straight into ``thaigov-qa eval``. A 👍 answer is written as it was given (its release as the gold URL, its
short answer and evidence); a 👎 answer gets empty gold fields to fill in, and keeps what the bot said
under ``bot_answer``/``bot_evidence``/``bot_sources``. Only answers kept with ``LOG_QUESTIONS=true`` exist
to export; without it the database holds counts only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, TextIO

from thaigov_qa.errors import UserError
from thaigov_qa.jsonl import json_line
from thaigov_qa.settings import Settings

_TYPES = {"when", "who", "what", "where", "which", "why", "how_many", "how_much", "yes_no"}


def question_line(row: dict[str, Any]) -> dict[str, Any]:
    """One kept answer as a question-set line (see the module docstring)."""
    up = row["up"] > row["down"]
    sources = row["sources"]
    qtype = row["qtype"] if row["qtype"] in _TYPES else "what"
    line: dict[str, Any] = {
        "qid": f"fb-{row['key']}",
        "lang": row["lang"],
        "question": row["question"],
        "gold_urls": [sources[0]["url"]] if up and row["found"] and sources else [],
        "answer": (row["answer"] or "") if up else "",
        "answer_aliases": [],
        "type": qtype,
        "evidence": (row["evidence"] or "") if up else "",
        "verdict": "up" if up else "down",
        "votes": {"up": row["up"], "down": row["down"]},
        "asked_at": dt.datetime.fromtimestamp(row["at"], dt.UTC).replace(microsecond=0).isoformat(),
    }
    if not up:
        line.update(
            bot_answer=row["answer"], bot_evidence=row["evidence"], bot_sources=[s["url"] for s in sources]
        )
    return line


def export(settings: Settings, out: TextIO) -> int:
    """Write every kept, rated answer; returns how many."""
    from bot.feedback_store import FeedbackStore

    n = 0
    with FeedbackStore(settings.db_path, settings.feedback_retention_days) as store:
        store.purge()
        for row in store.rated_answers():
            out.write(json_line(question_line(row)) + "\n")
            n += 1
    return n


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.output:
        try:
            with Path(args.output).open("w", encoding="utf-8") as out:
                n = export(settings, out)
        except OSError as exc:  # a folder, a missing folder, a full disk: one line, not a traceback
            raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        n = export(settings, sys.stdout)
    print(f"{n} rated answers exported", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("feedback", help="the bot's 👍/👎 feedback (export for labelling)")
    fsub = p.add_subparsers(dest="feedback_command", required=True)
    e = fsub.add_parser("export", help="kept rated answers as a question-set JSONL (stdout or -o FILE)")
    e.add_argument("-o", "--output", default=None, help="write to this file instead of standard output")
    e.set_defaults(handler=cmd_export)
