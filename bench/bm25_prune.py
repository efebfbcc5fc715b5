"""Why BM25 is slow at full size, and what pruning query terms by document frequency would buy.

    python bench/bm25_prune.py --data-dir /work/fullsize [--n 30] [--caps 2000,20000]

For dev questions, times FTS5 queries over the live index (read-only): the old query (MATCH on the OR of
all tokens, joined to ``chunks`` for the generation filter), the same without the join, the joined query
keeping only terms found in at most 10% / 2% of rows (at least the two rarest), and the product's
two-stage query (``index.lexical.search_pruned``: words in more than ``cap`` chunks only rescore the
candidates of the rarer ones; ``BM25_MAX_POSTINGS``) at each of ``--caps``, split into its FTS5 query and
its rescoring.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

JOINED = (
    "SELECT f.rowid, bm25(chunk_fts, 3.0, 1.0) AS s"
    " FROM chunk_fts AS f JOIN chunks AS c ON c.chunk_id = f.rowid"
    " WHERE chunk_fts MATCH ? AND c.gen_from <= ? AND (c.gen_to IS NULL OR c.gen_to > ?) ORDER BY s LIMIT 50"
)
ALONE = (
    "SELECT rowid, bm25(chunk_fts, 3.0, 1.0) AS s FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY s LIMIT 50"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--caps", default="2000,20000", help="BM25_MAX_POSTINGS values for the two-stage rows")
    args = ap.parse_args()
    caps = [int(x) for x in args.caps.split(",") if x.strip()]

    from index import lexical

    gen, _, _ = c.live_generation(args.data_dir)
    conn = sqlite3.connect(f"file:{args.data_dir / 'thaigov.sqlite'}?mode=ro", uri=True)
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, chunk_fts, 'row')")
    n_rows = conn.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()[0]
    questions = [
        json.loads(x)["question"] for x in c.DEV_QA.read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    times: dict[str, list[float]] = {"all terms, joined (old query)": [], "all terms, no join": []}
    times.update({"terms in <=10% of rows, joined": [], "terms in <=2% of rows, joined": []})
    for cap in caps:
        times.update({f"two-stage, cap {cap} (product)": [], f"  of which rescoring, cap {cap}": []})

    def run(label: str, sql: str, params: tuple) -> None:
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times[label].append((time.perf_counter() - t0) * 1000)

    for q in questions[: args.n]:
        tokens = lexical.tokenize(q)
        if not tokens:
            continue
        df = {
            t: (conn.execute("SELECT doc FROM temp.vocab WHERE term = ?", (t,)).fetchone() or [0])[0]
            for t in tokens
        }
        run("all terms, joined (old query)", JOINED, (lexical.match_expression(tokens), gen, gen))
        run("all terms, no join", ALONE, (lexical.match_expression(tokens),))
        for label, share in (
            ("terms in <=10% of rows, joined", 0.10),
            ("terms in <=2% of rows, joined", 0.02),
        ):
            keep = [t for t in tokens if df[t] <= share * n_rows] or sorted(tokens, key=df.get)[:2]
            run(label, JOINED, (lexical.match_expression(keep), gen, gen))
        for cap in caps:
            t0 = time.perf_counter()
            kept = lexical.prune_terms(tokens, df.get, cap)
            hits = lexical.search_tokens(conn, kept, max(100, lexical.RESCORE_POOL), gen)
            t1 = time.perf_counter()
            if len(kept) < len(set(tokens)):
                lexical.rescore(conn, hits, [t for t in dict.fromkeys(tokens) if t not in kept], df.get)
            t2 = time.perf_counter()
            times[f"two-stage, cap {cap} (product)"].append((t2 - t0) * 1000)
            times[f"  of which rescoring, cap {cap}"].append((t2 - t1) * 1000)
    rows = [
        {"query": k, "n": len(v), "p50_ms": c.percentile(v, 50), "p95_ms": c.percentile(v, 95)}
        for k, v in times.items()
    ]
    c.emit(rows, args.json, title=f"FTS5 BM25 over {n_rows:,} rows")
    if not args.json:
        print(f"\nconditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
