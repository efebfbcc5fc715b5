"""A full-size index of the whole archive (63,240 releases), built by the product's code, timed by phase.

    python bench/fullindex.py --data-dir /work/fullindex [--random-vectors] [--backend onnx-int8] [--limit N]

Everything but the vectors is real: the archive is streamed and parsed, every release is chunked with the
model's tokenizer, every chunk is tokenised with pythainlp into the FTS5 (BM25) table, chunk rows and
the registry are written, and the FAISS generation is built and saved, all by ``index.build.pipeline``.

With ``--random-vectors`` the embedding step (``index.build.pipeline.embed_missing``) is replaced, in this
process
only, by one that writes random unit vectors into the embedding cache for every chunk it lacks: an
honest full-size FAISS index for latency and memory without the hours a real CPU embedding pass takes
(``bench/build_speed.py`` measures and projects that). The vectors are cached under the model key the
settings give, so this DATA_DIR must only be used for benchmarks. Prints one JSON object (phases,
wall and CPU seconds, counts, sizes on disk).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

PHASES: dict[str, dict[str, float]] = {}


def _timed(name: str, fn):  # noqa: ANN001, ANN202
    """Wrap ``fn`` so each call adds its wall and CPU seconds to PHASES[name]."""

    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with c.Timer() as t:
            result = fn(*args, **kwargs)
        slot = PHASES.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "calls": 0})
        slot["wall_s"] += t.wall
        slot["cpu_s"] += t.cpu
        slot["calls"] += 1
        print(f"# phase {name}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU", file=sys.stderr, flush=True)
        return result

    return wrapper


def random_fill(dim: int, vectors_from: Path | None = None):  # noqa: ANN201
    """A stand-in for ``embed_missing``: random unit vectors for the chunks the cache lacks.

    ``vectors_from``: another DATA_DIR's database (the development index) whose cached vectors of the same
    model are copied first, so that the chunks it holds have their real vectors (questions about them
    find them by meaning, and quality can be measured at full size); the rest are random.
    """
    from index.build.embedding_cache import EmbeddingCache

    def fill(
        embedder, cache: EmbeddingCache, texts: dict[str, str], progress: bool = True, on_batch=None
    ) -> int:  # noqa: ANN001
        if vectors_from is not None:
            with cache.conn:
                cache.conn.execute("ATTACH DATABASE ? AS other", (str(vectors_from),))
                copied = cache.conn.execute(
                    "INSERT OR IGNORE INTO embedding_cache(model, sha, vec)"
                    " SELECT model, sha, vec FROM other.embedding_cache WHERE model = ?",
                    (cache.key,),
                ).rowcount
            cache.conn.execute("DETACH DATABASE other")
            PHASES.setdefault("random_vectors", {})["copied_real"] = copied
        todo = sorted(cache.missing(list(texts)))
        rng = np.random.default_rng(12345)
        for start in range(0, len(todo), 5000):
            shas = todo[start : start + 5000]
            vecs = rng.standard_normal((len(shas), dim), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            with cache.conn:
                cache.put(shas, vecs)
        PHASES.setdefault("random_vectors", {})["count"] = len(todo)
        return 0

    return fill


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--source", default=str(c.ARCHIVE))
    ap.add_argument("--only", default=None, help="a list file of archive paths (a slice)")
    ap.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx", "onnx-int8"])
    ap.add_argument("--random-vectors", action="store_true", help="fill vectors with random unit vectors")
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument(
        "--vectors-from",
        type=Path,
        default=None,
        help="with --random-vectors: copy the real cached vectors of this database first (a dev index's)",
    )
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    from index.build import generation, rows
    from index.build import pipeline as build
    from index.build.vectors import VectorIndex
    from thaigov_qa.settings import Settings

    settings = Settings(
        data_dir=args.data_dir,
        embedding_model=str(c.SHARED_MODEL),
        embedding_backend=args.backend,
        _env_file=None,
    )
    build._read_source = _timed("read_parse_source", build._read_source)
    rows.insert_chunks = _timed("chunk_tokenize_fts", rows.insert_chunks)
    build.embed_missing = _timed(
        "embed" if not args.random_vectors else "embed_random",
        random_fill(args.dim, args.vectors_from) if args.random_vectors else build.embed_missing,
    )
    generation.add_from_cache = _timed("faiss_add", generation.add_from_cache)
    VectorIndex.save = _timed("faiss_save", VectorIndex.save)
    build._sync_registry = _timed("registry_sync", build._sync_registry)
    print(f"# {c.conditions()}", file=sys.stderr)
    started = time.time()
    with c.Timer() as total:
        report = build.build_index(settings, args.source, only=args.only, progress=True)
    out = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "conditions": c.conditions(),
        "backend": args.backend,
        "random_vectors": args.random_vectors,
        "total_wall_s": total.wall,
        "total_cpu_s": total.cpu,
        "peak_rss_mb": c.peak_rss_mb(),
        "phases": PHASES,
        "report": report.summary(),
        "db_mb": settings.db_path.stat().st_size / 2**20 if settings.db_path.exists() else 0,
        "index_dir_mb": _du(settings.index_dir) / 2**20,
        "data_dir_mb": _du(args.data_dir) / 2**20,
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
