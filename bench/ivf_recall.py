"""How much of the exact dense neighbours an IVF index finds for real questions, by ``nprobe``.

    python bench/ivf_recall.py --data-dir D [--qa FILE ...] [--nprobe 32,64,128,256,512] [--k 100]

Why real questions: e5 embeds a question ("query: …") away from the passages it matches, so the
coarse lists nearest to a question vector are not always the lists that hold its nearest passages.
Queries drawn around stored vectors (``bench/faiss_scale.py``) find nearly all of them at ``nprobe``
32, questions do not. For every question of the given sets (default: the development set) the
product's query engine embeds it, the live generation's index is searched with every list probed
(exact over the stored codes) and at each ``nprobe``; the table gives recall@10 and recall@``k`` of
those exact neighbours and the search's milliseconds (one OpenMP thread, one query at a time, as
``ask`` searches). A flat (exact) index has nothing to tune: the script says so and stops.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--qa", type=Path, nargs="*", default=[c.DEV_QA], help="question sets (JSONL)")
    ap.add_argument("--nprobe", default="32,64,128,256,512")
    ap.add_argument("--k", type=int, default=100, help="neighbours searched (retrieval's dense pool)")
    ap.add_argument("--json", action="store_true")
    return ap.parse_args()


def _questions(paths: list[Path]) -> list[str]:
    lines = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(json.loads(line)["question"]) for line in lines]


def main() -> int:
    args = _parse_args()
    import faiss

    from index.build import store
    from index.build.vectors import VectorIndex
    from index.search.retrieve import Searcher

    settings, _, _ = c.index_settings(args.data_dir, None, "")
    searcher = Searcher.open(settings)
    _, _, folder = c.live_generation(args.data_dir)
    index = VectorIndex.load(folder / store.VECTORS).index
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        print(f"{args.data_dir}: a flat (exact) index, nothing to tune", file=sys.stderr)
        return 0
    faiss.omp_set_num_threads(1)
    texts = _questions(args.qa)
    queries = np.asarray(searcher.reader.embedder.encode_queries(texts), dtype=np.float32)
    ivf.nprobe = ivf.nlist
    _, exact = index.search(queries, args.k)
    rows = []
    for nprobe in [int(n) for n in args.nprobe.split(",")]:
        ivf.nprobe = nprobe
        found, ms = [], []
        for i in range(len(queries)):
            t0 = time.perf_counter()
            _, ids = index.search(queries[i : i + 1], args.k)
            ms.append((time.perf_counter() - t0) * 1000)
            found.append(ids[0])
        top10 = np.mean([len(set(f[:10]) & set(e[:10])) / 10 for f, e in zip(found, exact, strict=True)])
        topk = np.mean([len(set(f) & set(e)) / args.k for f, e in zip(found, exact, strict=True)])
        rows.append(
            {
                "nprobe": nprobe,
                "share_of_lists": round(nprobe / ivf.nlist, 4),
                "recall@10": round(float(top10), 3),
                f"recall@{args.k}": round(float(topk), 3),
                "ms_p50": round(c.percentile(ms, 50), 2),
                "ms_p95": round(c.percentile(ms, 95), 2),
            }
        )
    title = f"IVF recall of exact neighbours: {len(texts)} questions, nlist {ivf.nlist}"
    c.emit(rows, args.json, title=title)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
