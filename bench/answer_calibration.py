"""The abstention trade-off curve: answer accuracy, unanswerable questions refused and answerable ones
wrongly refused, per question language, for a range of confidence thresholds.

Runs every question of a question set once with abstention switched off, keeps each answer's confidence,
and scores it as ``thaigov-qa eval`` does (``index.evaluate.answer_is_correct``); then sweeps the threshold.
The thresholds in ``index.answer.CONFIDENCE_THRESHOLD`` were read off this curve (see docs/answers.md).

    DATA_DIR=/work/devindex EMBEDDING_MODEL=../shared/models/multilingual-e5-small \\
        python bench/answer_calibration.py ../shared/eval/dev-qa.jsonl [--json rows.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from index.answer import CONFIDENCE_THRESHOLD, Answerer
from index.evaluate import answer_is_correct, load_questions
from index.retrieve import Searcher
from thaigov_qa.settings import load_settings


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qa", type=Path)
    parser.add_argument("--json", type=Path, help="also write the per-question rows here")
    args = parser.parse_args()
    settings = load_settings()
    answerer = Answerer(Searcher.open(settings), settings, threshold=-1e9)
    answerer.ask("warm up")  # the model loads here, not inside the first timing
    rows = []
    for q in load_questions(args.qa):
        started = time.perf_counter()
        a = answerer.ask(q["question"])
        ms = (time.perf_counter() - started) * 1000
        correct = answer_is_correct(q, a) if q.get("gold_urls") else None
        rows.append(
            {
                "qid": q["qid"],
                "lang": q.get("lang", "th"),
                "type": q.get("type"),
                "correct": correct,
                "confidence": round(a.confidence, 4),
                "coverage": round(a.coverage, 3),
                "answer": a.answer,
                "ms": round(ms, 1),
            }
        )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    for lang in ("th", "en"):
        ans = [r for r in rows if r["lang"] == lang and r["correct"] is not None]
        un = [r for r in rows if r["lang"] == lang and r["correct"] is None]
        if not ans:
            continue
        print(
            f"{lang}: {len(ans)} answerable, {len(un)} unanswerable (current threshold "
            f"{CONFIDENCE_THRESHOLD.get(lang)})"
        )
        print("   threshold  accuracy  unanswerable_refused  answerable_refused")
        for t in [x / 20 for x in range(-12, 25)]:
            acc = sum(1 for r in ans if r["correct"] and r["confidence"] > t) / len(ans)
            wrong = sum(1 for r in ans if r["confidence"] <= t) / len(ans)
            refused = sum(1 for r in un if r["confidence"] <= t) / len(un) if un else float("nan")
            print(f"   {t:9.2f}  {acc:8.3f}  {refused:20.3f}  {wrong:18.3f}")
    ms = [r["ms"] for r in rows]
    print(f"ask latency: p50 {_pct(ms, 50):.0f} ms, p95 {_pct(ms, 95):.0f} ms over {len(ms)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
