"""What a refusal shows: how often the snippets under its first three links give the asked value, from a
gold release, although the reply asserts nothing; and, for a question asking for the latest value, whether
its first link is the newest gold release.

Why: a refusal lists the closest releases, each with a snippet of its text around the question's words
(``index.answer.snippets``). Accuracy counts none of it: this says how much of a refused answerable
question's answer the user can read at the source anyway, per language and style.

    DATA_DIR=<index> python bench/refusal_snippets.py eval/qa.jsonl [--fold validation] [--json]
    DATA_DIR=<index of eval/latest-corpus.txt> python bench/refusal_snippets.py eval/latest.jsonl

Run from the root of the checkout whose code is measured. "Newest" is the gold release with the latest
publication date in the index (several releases of one day: any of them); a refusal counts as a reply.
"""

from __future__ import annotations

import json
from typing import Any

#: The links a reply shows (``index.reply.REPLY_SOURCES``).
SHOWN = 3
#: What :func:`tally` counts per group.
COUNTS = ("answerable", "refused", "snippet_gives", "first_gives", "latest", "latest_newest_first")


def tally(answerer: Any, questions: list[dict[str, Any]], dated: dict[str, str]) -> dict[str, dict[str, int]]:
    """Counts per group ("all", language, language/style): refused answerable questions, those whose
    snippets give the value (any of the first three links, the first), and for "latest" questions the
    replies whose first link is the newest gold release."""
    from index.evaluate import asks_for_latest
    from index.scoring import normalized

    groups: dict[str, dict[str, int]] = {}
    for q in questions:
        gold = set(q.get("gold_urls") or [])
        if not gold:
            continue
        reply = answerer.ask(q["question"])
        shown = reply.sources[:SHOWN]
        expected = [
            normalized(str(e)) for e in [q.get("answer") or "", *(q.get("answer_aliases") or [])] if e
        ]

        keys = ("all", str(q.get("lang")), f"{q.get('lang')}/{q.get('style') or '-'}")
        newest = max(gold, key=lambda u: dated.get(u, ""))
        for key in keys:
            g = groups.setdefault(key, dict.fromkeys(COUNTS, 0))
            g["answerable"] += 1
            if asks_for_latest(q):
                g["latest"] += 1
                newest_date = dated.get(newest)  # None: no gold release in the index, nothing leads
                g["latest_newest_first"] += (
                    bool(shown) and newest_date is not None and dated.get(shown[0].url) == newest_date
                )
            if reply.found:
                continue
            g["refused"] += 1
            gives = [s.url in gold and any(e in normalized(s.snippet) for e in expected) for s in shown]
            g["snippet_gives"] += any(gives)
            g["first_gives"] += bool(gives) and gives[0]
    return groups


def main() -> int:
    from _common import fold_questions, question_parser  # the checkout measured, first on the path

    from index.cli.opening import open_service
    from thaigov_qa.settings import Settings

    args = question_parser(__doc__).parse_args()
    questions = fold_questions(args)
    answerer = open_service(Settings()).answerer()
    urls = {u for q in questions for u in q.get("gold_urls") or []}
    dated = {u: r.date for u in urls if (r := answerer.searcher.release(u)) is not None}
    got = tally(answerer, questions, dated)
    if args.json:
        print(json.dumps(got))
        return 0
    print(
        "| group | answerable | refused | snippets give the value | the first's does | latest: newest first |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, g in sorted(got.items()):
        latest = f"{g['latest_newest_first']} / {g['latest']}" if g["latest"] else "-"
        cells = (name, g["answerable"], g["refused"], g["snippet_gives"], g["first_gives"], latest)
        print("| " + " | ".join(str(c) for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
