"""FAISS index types at full size (~250k x 384): build time, memory, single-query latency, recall vs exact.

    python bench/faiss_scale.py [--n 250000] [--data clustered|random|real.npy] [--queries 300]

One query at a time (as ``ask`` searches), k=10, at 1 and 2 OpenMP threads. Recall@10 is measured
against exact inner-product search (IndexFlatIP). ``random`` unit vectors are the worst case for
approximate indexes (no structure: every point is about equally far), so the default is
``clustered``: vectors drawn around a shared mean direction and 4,000 topic centres, which makes
pairwise cosines look like the model's (most pairs 0.7-0.85, close passages above 0.9). ``real.npy``
samples new points around real embeddings (a float32 array saved with ``numpy.save``).

Candidates:
- ``Flat`` IndexIDMap2(IndexFlatIP): exact, supports remove_ids (the current vectors.py design).
- ``FlatSQ8``: IndexIDMap2(IndexScalarQuantizer 8-bit): exact scan of 8-bit codes, a quarter of the memory.
- ``HNSW32``: IndexHNSWFlat M=32 (efSearch 64/128): no remove_ids, so deletions need tombstones + rebuild.
- ``IVF1024`` / ``IVF1024,SQ8``: inverted lists, nprobe 8-32, remove_ids supported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _unit(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def make_data(kind: str, n: int, nq: int, d: int = 384, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Database and query vectors (queries drawn from the same distribution, not in the database)."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        return _unit(rng.standard_normal((n, d), dtype=np.float32)), _unit(
            rng.standard_normal((nq, d), dtype=np.float32)
        )
    if kind == "clustered":
        mean = _unit(rng.standard_normal((1, d), dtype=np.float32))
        centres = _unit(mean * 2.2 + _unit(rng.standard_normal((4000, d), dtype=np.float32)))

        def draw(m: int) -> np.ndarray:
            pick = rng.integers(0, len(centres), m)
            noise = rng.standard_normal((m, d), dtype=np.float32) / np.sqrt(d)
            return _unit(centres[pick] + 0.45 * noise)

        out = np.empty((n, d), dtype=np.float32)
        for s in range(0, n, 50_000):
            out[s : s + 50_000] = draw(min(50_000, n - s))
        return out, draw(nq)
    base = np.load(kind).astype(np.float32)
    d = base.shape[1]

    def around(m: int) -> np.ndarray:
        pick = rng.integers(0, len(base), m)
        noise = rng.standard_normal((m, d), dtype=np.float32) / np.sqrt(d)
        return _unit(base[pick] + 0.35 * noise)

    return around(n), around(nq)


def build(kind: str, xb: np.ndarray, ids: np.ndarray):  # noqa: ANN201
    import faiss

    d = xb.shape[1]
    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "Flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(d))
    elif kind == "FlatSQ8":
        index = faiss.IndexIDMap2(faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, ip))
    elif kind == "HNSW32":
        inner = faiss.IndexHNSWFlat(d, 32, ip)
        inner.hnsw.efConstruction = 80
        index = faiss.IndexIDMap2(inner)
    elif kind.startswith("IVF"):
        nlist = int(kind[3:].split(",")[0])
        quantizer = faiss.IndexFlatIP(d)
        if kind.endswith(",SQ8"):
            index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit, ip)
        else:
            index = faiss.IndexIVFFlat(quantizer, d, nlist, ip)
        index.own_fields = True
        quantizer.this.disown()
        train = xb[np.random.default_rng(1).choice(len(xb), min(len(xb), 64 * nlist), replace=False)]
        index.train(train)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # remove_ids / reconstruct by id
    else:
        raise SystemExit(f"unknown index {kind}")
    if hasattr(index, "index") and not index.is_trained:
        index.train(xb)
    index.add_with_ids(xb, ids)
    return index


def set_param(index, kind: str, value: int) -> None:  # noqa: ANN001
    import faiss

    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if kind.startswith("HNSW"):
        inner.hnsw.efSearch = value
    elif kind.startswith("IVF"):
        inner.nprobe = value


#: The search-time settings tried per index type (HNSW efSearch, IVF nprobe); others have none.
_PARAMS = {"HNSW32": [64, 128], "IVF1024": [8, 16, 32], "IVF1024,SQ8": [16, 32]}


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=250_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument(
        "--data", default="clustered", help="clustered | random | path to a .npy of real embeddings"
    )
    ap.add_argument(
        "--indexes",
        default="Flat,FlatSQ8,HNSW32,IVF1024,IVF1024;SQ8",
        help="comma list; write IVF1024;SQ8 for the SQ8 variant",
    )
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--json", action="store_true")
    return ap.parse_args()


def _exact_truth(xb: np.ndarray, xq: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each query's exact top-10 ids (IndexFlatIP): the yardstick every candidate's recall is measured by."""
    import faiss

    faiss.omp_set_num_threads(2)
    exact = faiss.IndexFlatIP(xb.shape[1])
    exact.add(xb)
    _, truth = exact.search(xq, 10)
    return ids[truth]


def _build_measured(kind: str, xb: np.ndarray, ids: np.ndarray):  # noqa: ANN202
    """Build ``kind`` on 2 threads; returns (index, build wall s, RSS growth MiB, size on disk MiB), because
    memory and disk, not only latency, decide which index fits a small server."""
    import faiss

    faiss.omp_set_num_threads(2)
    before = c.rss_mb()
    with c.Timer() as tb:
        index = build(kind, xb, ids)
    grown = c.rss_mb() - before
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.faiss")
        faiss.write_index(index, path)
        disk = os.path.getsize(path) / 2**20
    return index, tb.wall, grown, disk


def _search_one_at_a_time(
    index,  # noqa: ANN001
    xq: np.ndarray,
    truth_ids: np.ndarray,
) -> tuple[list[float], float]:
    """Per-query latencies (ms) and recall@10, one query per call as ``ask`` searches, after a warm-up."""
    index.search(xq[:5], 10)
    lat = []
    found = []
    for q in xq:
        t0 = time.perf_counter()
        _, got = index.search(q[None, :], 10)
        lat.append((time.perf_counter() - t0) * 1000)
        found.append(got[0])
    recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth_ids, strict=True)]))
    return lat, recall


def _measure(
    kind: str, xb: np.ndarray, xq: np.ndarray, ids: np.ndarray, truth_ids: np.ndarray, threads_arg: str
) -> list[dict]:
    """The table rows of one index type: one per search setting and thread count."""
    import faiss

    index, build_s, grown, disk = _build_measured(kind, xb, ids)
    rows = []
    for value in _PARAMS.get(kind, [0]):
        set_param(index, kind, value)
        for threads in [int(t) for t in threads_arg.split(",")]:
            faiss.omp_set_num_threads(threads)
            lat, recall = _search_one_at_a_time(index, xq, truth_ids)
            rows.append(
                {
                    "index": kind,
                    "param": {
                        "HNSW32": f"efSearch={value}",
                        "IVF1024": f"nprobe={value}",
                        "IVF1024,SQ8": f"nprobe={value}",
                    }.get(kind, "-"),
                    "threads": threads,
                    "p50_ms": c.percentile(lat, 50),
                    "p95_ms": c.percentile(lat, 95),
                    "recall@10": recall,
                    "build_s": build_s,
                    "rss_growth_mb": grown,
                    "disk_mb": disk,
                    "remove_ids": "no (tombstones)" if kind.startswith("HNSW") else "yes",
                }
            )
            print(f"  {rows[-1]}", file=sys.stderr)
    del index
    return rows


def main() -> int:
    args = _parse_args()

    import faiss  # noqa: F401 - imported first, as before: a missing faiss fails before the data is made

    print(f"# {c.conditions()}", file=sys.stderr)
    xb, xq = make_data(args.data, args.n, args.queries)
    ids = np.arange(len(xb), dtype=np.int64) * 3 + 1  # sparse ids, as chunk ids are
    pair = xb[np.random.default_rng(3).integers(0, len(xb), (2000, 2))]
    pair_cos = float(np.mean(np.sum(pair[:, 0] * pair[:, 1], 1)))
    print(
        f"# data={args.data} n={len(xb)} mean pairwise cos={pair_cos:.3f}",
        file=sys.stderr,
    )
    truth_ids = _exact_truth(xb, xq, ids)

    rows = []
    for kind in args.indexes.split(","):
        rows += _measure(kind.replace(";", ","), xb, xq, ids, truth_ids, args.threads)
    c.emit(
        rows,
        args.json,
        title=f"FAISS at n={len(xb):,}, d={xb.shape[1]}, data={args.data}, k=10, one query at a time",
    )
    if not args.json:
        print(f"\nconditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
