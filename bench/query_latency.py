"""Latency of ``ask`` (and of its parts) over a built index: p50/p95 per stage, on the dev questions.

    python bench/query_latency.py --data-dir D [--query-backend onnx-int8] [--n 100] [--repeat 1]

Opens the index as the bot does (``Searcher.open`` + ``Answerer``), answers one warm-up question, then
times every question of ``../shared/eval/dev-qa.jsonl`` (or the first ``--n``) one at a time. The parts
are timed by wrapping the reader's methods in this process: ``embed`` (question → vector), ``bm25``
(compiled arrays, or FTS5 for an index without them), ``dense`` (FAISS); ``search`` is the whole
retrieval (analysis, both searches, fusion) and ``ask`` the whole answer (search + sentence selection +
reply). Prints a table and the index's size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

TIMES: dict[str, list[float]] = defaultdict(list)


def _wrap(obj: object, name: str, label: str) -> None:
    """Replace ``obj.name`` by a version that records its duration (ms) under ``label``."""
    fn = getattr(obj, name)

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[label].append((time.perf_counter() - t0) * 1000)

    setattr(obj, name, timed)


def questions(n: int | None) -> list[str]:
    rows = [json.loads(line) for line in c.DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    qs = [r["question"] for r in rows]
    return qs[:n] if n else qs


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument(
        "--backend", default=None, help="EMBEDDING_BACKEND (default: the one the index was built with)"
    )
    ap.add_argument("--query-backend", default="", help="EMBEDDING_QUERY_BACKEND (default: the backend)")
    ap.add_argument("--n", type=int, default=0, help="questions (default: all dev questions)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--omp-threads", type=int, default=0, help="faiss.omp_set_num_threads (0: leave as is)")
    ap.add_argument(
        "--ann", default="", help="what-if: rebuild the loaded vectors as ivf / ivf-sq8 (index/build/ann.py)"
    )
    ap.add_argument("--max-df", type=float, default=None, help="what-if: force reader.bm25(max_df=...)")
    return ap.parse_args()


def _apply_whatifs(args: argparse.Namespace, reader: object) -> list[str]:
    """Change the opened index in this process only (threads, ANN vectors, BM25 pruning), so that a setting
    can be tried without rebuilding; returns what was changed, for the table's title."""
    whatif = []
    if args.omp_threads:
        from index.build.vectors import set_search_threads

        set_search_threads(args.omp_threads)  # every searching thread's count, not only this one's
        whatif.append(f"omp_threads={args.omp_threads}")
    if args.ann:
        from index.build import ann

        flat = reader._gen.vectors.index  # IndexIDMap2(IndexFlatIP), as vectors.py writes it
        ids = ann.all_ids(flat)
        with c.Timer() as t_ann:
            reader._gen.vectors.index = ann.build(ids, flat.index.reconstruct_n(0, flat.ntotal), args.ann)
        whatif.append(f"ann={args.ann} (built in {t_ann.wall:.0f} s)")
    if args.max_df is not None:
        plain_bm25 = reader.bm25

        def pruned(query_text: str, k: int, max_df: float | None = None) -> list[tuple[int, float]]:
            return plain_bm25(query_text, k, max_df=args.max_df)

        reader.bm25 = pruned
        whatif.append(f"max_df={args.max_df}")
    return whatif


def _time_questions(answerer: object, qs: list[str], repeat: int) -> tuple[list[float], float]:
    """Each ``ask`` wall time (ms), one question at a time as the bot answers, and the CPU seconds of all."""
    total = []
    cpu0 = time.process_time()
    for _ in range(repeat):
        for q in qs:
            t0 = time.perf_counter()
            answerer.ask(q)  # type: ignore[attr-defined]
            total.append((time.perf_counter() - t0) * 1000)
    return total, time.process_time() - cpu0


def _stage_rows() -> list[dict]:
    """One table row per stage from ``TIMES``, in the order a question goes through them."""
    rows = []
    for label in ("embed", "bm25", "dense", "search", "ask"):
        values = TIMES.get(label, [])
        rows.append(
            {
                "stage": label,
                "calls": len(values),
                "p50_ms": c.percentile(values, 50),
                "p95_ms": c.percentile(values, 95),
                "max_ms": max(values) if values else float("nan"),
                "mean_ms": sum(values) / len(values) if values else float("nan"),
            }
        )
    return rows


def main() -> int:
    args = _parse_args()

    from index.answer import Answerer
    from index.search.retrieve import Searcher

    settings, backend, qbackend = c.index_settings(args.data_dir, args.backend, args.query_backend)
    print(f"# {c.conditions()} backend={backend} questions={qbackend}", file=sys.stderr)
    with c.Timer() as t_open:
        searcher = Searcher.open(settings)
        answerer = Answerer(searcher, settings)
    reader = searcher.reader
    whatif = _apply_whatifs(args, reader)
    _wrap(reader, "bm25", "bm25")
    _wrap(reader, "dense", "dense")
    with c.Timer() as t_first:
        answerer.warm_up()  # what the bot does at start-up
        answerer.ask("ครม. อนุมัติงบประมาณเท่าไร")  # warm-up: fills caches
    _wrap(reader.embedder, "encode_queries", "embed")
    _wrap(searcher, "search_views", "search")  # what the answerer calls (both orders, one search)
    TIMES.clear()
    qs = questions(args.n)
    total, cpu = _time_questions(answerer, qs, args.repeat)
    TIMES["ask"] = total
    stats = reader.stats()
    c.emit(
        _stage_rows(),
        args.json,
        title=(
            f"ask latency: {stats.get('releases')} releases, {stats.get('chunks')} chunks, "
            f"backend={backend}, questions embedded with {qbackend}, "
            f"{len(qs)} dev questions x{args.repeat}" + (f"; what-if: {', '.join(whatif)}" if whatif else "")
        ),
    )
    if not args.json:
        print(
            f"\nopen: {t_open.wall:.1f} s; first ask (model load): {t_first.wall:.1f} s; "
            f"CPU per ask: {1000 * cpu / max(1, len(total)):.0f} ms; RSS now {c.rss_mb():.0f} MiB; "
            f"index bytes on disk {stats.get('bytes')}; "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}"
        )
        print(f"conditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
