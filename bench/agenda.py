"""List answers: the cabinet questions of ``eval/agenda.jsonl`` through ``ask --json``'s own path.

Builds nothing: give it the ``DATA_DIR`` of an index of ``eval/agenda-corpus.txt`` (the questions'
summaries and the cabinet summaries of nearby dates as distractors, plus other releases of those days)::

    DATA_DIR=/work/agendaidx thaigov-qa index build ../shared/corpus/thaigov-v2.tar.xz \\
        --only eval/agenda-corpus.txt
    DATA_DIR=/work/agendaidx python bench/agenda.py [eval/agenda.jsonl] [--json]

A question is **listed** when the reply (the Telegram HTML that ``ask --json`` returns as ``reply``)
links the gold summary and names at least half of its agenda titles, or 8 of a long agenda (the first
reply shows 10 in full and offers the rest behind a button), the bar of issue 16. It also reports how
many gold titles the reply names, how many the JSON ``items`` carry, and whether the other language's
summary of the meeting is linked.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

# The checkout's packages, not an installed copy (as bench/_common.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: A long agenda is listed when this many of its titles are named (half of a short one).
LONG_ENOUGH = 8


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(text)).casefold()


def score(row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """One question's figures from its ``ask --json`` object."""
    reply = data.get("reply", "")
    flat = _squash(reply)
    gold = row["gold_titles"]
    named = sum(1 for t in gold if _squash(t) in flat)
    items = [i["title"] for i in data.get("items", [])]
    in_items = sum(1 for t in gold if t in items)
    linked = any(f'href="{u}"' in reply for u in row["gold_urls"])
    need = min((len(gold) + 1) // 2, LONG_ENOUGH)
    return {
        "qid": row["qid"],
        "lang": row["lang"],
        "listed": bool(linked and named >= need),
        "linked": linked,
        "also_linked": any(f'href="{u}"' in reply for u in row.get("also_urls", [])),
        "gold": len(gold),
        "named": named,
        "in_items": in_items,
        "reply_chars": len(reply),
        "ms": data.get("ms", 0.0),
    }


def main(argv: list[str] | None = None) -> int:
    from index.cli.ask import _answer_json, _open_answerer
    from thaigov_qa.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", nargs="?", default="eval/agenda.jsonl", type=Path)
    ap.add_argument("--json", action="store_true", help="print every question's row as JSON")
    args = ap.parse_args(argv)
    rows = [json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    answerer = _open_answerer(load_settings())
    results = [score(row, _answer_json(answerer, row["question"])) for row in rows]
    n = len(results)
    summary: dict[str, Any] = {
        "questions": n,
        "listed": round(sum(r["listed"] for r in results) / n, 4),
        "gold_titles": sum(r["gold"] for r in results),
        "named_in_reply": sum(r["named"] for r in results),
        "in_items": sum(r["in_items"] for r in results),
        "also_linked": round(sum(r["also_linked"] for r in results) / n, 4),
        "max_reply_chars": max(r["reply_chars"] for r in results),
    }
    for lang in ("th", "en"):
        part = [r for r in results if r["lang"] == lang]
        if part:
            summary[f"listed_{lang}"] = round(sum(r["listed"] for r in part) / len(part), 4)
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
    print(json.dumps(summary, ensure_ascii=False))
    misses = [r["qid"] for r in results if not r["listed"]]
    if misses:
        print("not listed:", " ".join(misses), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
