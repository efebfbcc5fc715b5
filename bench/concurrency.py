"""Throughput and latency of ``ask`` with several askers at once: questions/s, p50, p95, max per level.

    python bench/concurrency.py --data-dir D [--askers 1,4,16] [--questions 131] [--json]

Why: ``bench/query_latency.py`` times one question at a time, which says how fast an answer is but not
how many questions one machine serves. The bot answers in worker threads (``ANSWER_WORKERS``, 4 by
default, ``bot/busy.py``), all sharing one ``Searcher`` and one ``Answerer``; this script does the same:
it opens the index as the bot does (``Searcher.open`` + ``Answerer``), warms up, then for each level of
N concurrent askers (threads, each asking its next question as soon as its previous answer is back)
asks ``--questions`` questions in all, the development questions (``../shared/eval/dev-qa.jsonl``)
repeated as needed. Latency is each ``ask`` call's wall time as its asker sees it (queueing for the
GIL and the cores included); questions/s is the level's questions over its wall time. The figures feed
docs/SCALING.md ("questions per second at p95 <= 100 ms").
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
from query_latency import questions as dev_questions  # noqa: E402


def run_level(answerer: object, qs: list[str], askers: int) -> dict:
    """Ask ``qs`` with ``askers`` threads pulling from one shared list; return the level's figures."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    position = 0

    def asker() -> None:
        nonlocal position
        while True:
            with lock:
                if position >= len(qs):
                    return
                question = qs[position]
                position += 1
            t0 = time.perf_counter()
            try:
                answerer.ask(question)  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - counted and reported, the level goes on
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(ms)

    threads = [threading.Thread(target=asker, name=f"asker-{i}") for i in range(askers)]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    return {
        "askers": askers,
        "questions": len(latencies),
        "errors": len(errors),
        "questions_per_s": len(latencies) / wall if wall else float("nan"),
        "p50_ms": c.percentile(latencies, 50),
        "p95_ms": c.percentile(latencies, 95),
        "max_ms": max(latencies) if latencies else float("nan"),
        "cpu_ms_per_q": 1000 * cpu / max(1, len(latencies)),
        "wall_s": wall,
        "first_error": errors[0] if errors else "",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument(
        "--backend", default=None, help="EMBEDDING_BACKEND (default: the one the index was built with)"
    )
    ap.add_argument("--query-backend", default="", help="EMBEDDING_QUERY_BACKEND (default: the product's)")
    ap.add_argument("--askers", default="1,4,16", help="comma-separated levels of concurrent askers")
    ap.add_argument("--questions", type=int, default=131, help="questions asked per level")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    levels = [int(x) for x in args.askers.split(",") if x.strip()]
    if not levels or min(levels) < 1 or args.questions < 1:
        raise SystemExit("--askers needs positive integers and --questions a positive count")

    from index.answer import Answerer
    from index.search.retrieve import Searcher

    settings, backend, qbackend = c.index_settings(args.data_dir, args.backend, args.query_backend)
    print(f"# before: {c.conditions()} backend={backend} questions={qbackend}", file=sys.stderr)
    with c.Timer() as t_open:
        searcher = Searcher.open(settings)
        answerer = Answerer(searcher, settings)
    base = dev_questions(None)
    qs = (base * (args.questions // len(base) + 1))[: args.questions]
    with c.Timer() as t_warm:
        answerer.warm_up()  # what the bot does at start-up
        for q in base[:5]:  # fills caches, as the first users would
            answerer.ask(q)

    rows = []
    for n in levels:
        rows.append(run_level(answerer, qs, n))
        print(f"# after {n} askers: {c.conditions()}", file=sys.stderr)
    stats = searcher.stats()
    columns = ["askers", "questions", "errors", "questions_per_s"]
    columns += ["p50_ms", "p95_ms", "max_ms", "cpu_ms_per_q"]
    c.emit(
        rows,
        args.json,
        title=(
            f"concurrent ask: {stats.get('releases')} releases, {stats.get('chunks')} chunks, "
            f"backend={backend}, questions embedded with {qbackend}, {len(qs)} questions per level "
            f"({len(base)} dev questions repeated as needed)"
        ),
        columns=None if args.json else columns,
    )
    if not args.json:
        for r in rows:
            if r["first_error"]:
                print(f"\n{r['askers']} askers, first error: {r['first_error']}")
        print(
            f"\nopen: {t_open.wall:.1f} s; warm-up (model load + 5 questions): {t_warm.wall:.1f} s; "
            f"RSS now {c.rss_mb():.0f} MiB, peak {c.peak_rss_mb():.0f} MiB"
        )
        print(f"conditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
