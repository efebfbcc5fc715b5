"""Time to add 50 new releases to a (full-size) index: ``apply_releases``, as the feed poller calls it.

    python bench/incremental.py --data-dir /work/fullindex [--n 50] [--backend onnx-int8]

The 50 "new" releases are real releases of the archive (a reproducible random pick) given new URLs
(``…/details/99xxxxx``) and the run's time in their title and body, so all their passages are new to the
embedding cache and must really be embedded, chunked, tokenised into FTS5 and added to FAISS, and a
new generation written and switched to. Rerunning replaces the same 50 URLs (their old chunks are
retired): the index does not grow run after run. Prints the phases (wall and CPU seconds).

The copies stay in the index: for questions about their originals a copy can outrank the original, so
measure retrieval quality before running this, or on a copy of the index.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
from fullindex import PHASES, _timed  # noqa: E402


def new_releases(n: int, seed: int = 11) -> list:
    """``n`` archive releases (picked from the sample for speed) dressed up as unseen ones."""
    from corpus.release import content_hash

    pool = [r for r in c.sample_releases() if 300 < len(r.body) < 8000]
    picked = c.pick(pool, n, seed=seed)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    out = []
    for i, rel in enumerate(picked):
        url = f"https://www.thaigov.go.th/news/contents/details/{9_900_000 + i}"
        body = f"(bench incremental {stamp})\n{rel.body}"
        title = f"{rel.title} [{stamp}]"  # every passage carries the title: all of them are new
        out.append(
            dataclasses.replace(
                rel,
                url=url,
                release_id=str(9_900_000 + i),
                title=title,
                body=body,
                hash=content_hash(title, rel.date, body),
            )
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--backend", default=None)
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    from index.build import generation, rows
    from index.build import pipeline as build
    from index.build.vectors import VectorIndex
    from thaigov_qa.settings import Settings

    _, manifest, _ = c.live_generation(args.data_dir)
    backend = args.backend or manifest.get("backend") or "torch"
    settings = Settings(
        data_dir=args.data_dir, embedding_model=str(c.SHARED_MODEL), embedding_backend=backend, _env_file=None
    )
    releases = new_releases(args.n)
    rows.insert_chunks = _timed("chunk_tokenize_fts", rows.insert_chunks)
    build.embed_missing = _timed("embed (incl. model load)", build.embed_missing)
    VectorIndex.load = _timed("faiss_load", VectorIndex.load)
    VectorIndex.remove = _timed("faiss_remove", VectorIndex.remove)
    generation.add_from_cache = _timed("faiss_add", generation.add_from_cache)
    VectorIndex.save = _timed("faiss_save", VectorIndex.save)
    build._sync_registry = _timed("registry_sync", build._sync_registry)
    print(f"# {c.conditions()}", file=sys.stderr)
    with c.Timer() as t:
        report = build.apply_releases(settings, releases)
    out = {
        "releases_added": len(releases),
        "index_chunks": report.chunks,
        "embedded": report.embedded,
        "backend": backend,
        "total_wall_s": t.wall,
        "total_cpu_s": t.cpu,
        "phases": PHASES,
        "report": report.summary(),
        "conditions": c.conditions(),
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
