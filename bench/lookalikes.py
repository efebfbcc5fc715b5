"""What outranks a question's release as the index grows: the questions whose gold release ranks lower over a
large index than over a small one, and what the first release above it is.

    DATA_DIR=/work/small thaigov-qa eval ../shared/eval/dev-qa.jsonl --json --details > small.json
    DATA_DIR=/work/full python bench/lookalikes.py small.json [--qa ../shared/eval/dev-qa.jsonl] [--json]

The release above the gold one is counted as **the same news** (a title at least 60 % alike, or another
language's release within 3 days), **the same topic** (a title at least 30 % alike, or the same category:
recurring reports, another MOU of the same agency, possibly answering too), or **other** (generic words in
common). Issue 19 asks for these counts on the whole archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

KINDS = ("same news", "same topic", "other")


def _days(a: str, b: str) -> int:
    try:
        return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)
    except ValueError:
        return 9_999


def kind_of(above, gold) -> str:  # noqa: ANN001 - a ReleaseHit and a Release
    """Which of :data:`KINDS` the release ranked above the gold one is."""
    alike = difflib.SequenceMatcher(None, above.title, gold.title).ratio()
    if alike >= 0.6 or (above.lang != gold.lang and _days(above.date, gold.date) <= 3):
        return "same news"
    if alike >= 0.3 or above.category == gold.category:
        return "same topic"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("small", type=Path, help="`thaigov-qa eval --json --details` over the small index")
    ap.add_argument("--qa", type=Path, default=c.DEV_QA, help="the question set both were asked")
    ap.add_argument("--json", action="store_true", help="one JSON line per question that lost rank")
    args = ap.parse_args()

    from index.search.retrieve import Searcher
    from thaigov_qa.settings import load_settings

    small = {r["qid"]: r.get("rank") for r in json.loads(args.small.read_text(encoding="utf-8"))["questions"]}
    searcher = Searcher.open(load_settings())
    counts: Counter[tuple[str, str]] = Counter()
    lost = 0
    for line in args.qa.read_text(encoding="utf-8").splitlines():
        q = json.loads(line) if line.strip() else {}
        gold = set(q.get("gold_urls") or [])
        if not gold or q.get("qid") not in small:
            continue
        hits = searcher.search(q["question"], k=10)
        urls = [h.url for h in hits]
        rank = min((urls.index(u) + 1 for u in gold if u in urls), default=99)
        if rank <= (small[q["qid"]] or 99):
            continue
        lost += 1
        gold_release = searcher.release(sorted(gold)[0])
        above = next((h for h in hits[: rank - 1] if h.url not in gold), None)
        kind = kind_of(above, gold_release) if above is not None and gold_release is not None else "other"
        counts[(q.get("lang", ""), kind)] += 1
        if args.json:
            row = {"qid": q["qid"], "lang": q.get("lang"), "small_rank": small[q["qid"]], "rank": rank}
            row |= {"kind": kind, "above": above.title if above else None}
            print(json.dumps(row, ensure_ascii=False))
    print(f"questions whose gold release ranks lower here: {lost}")
    for (lang, kind), n in sorted(counts.items()):
        print(f"  {lang}\t{kind}\t{n}")
    print(f"conditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
