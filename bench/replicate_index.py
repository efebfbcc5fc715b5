"""A full-size index made fast: a built (dev) index replicated to ~250k chunks, for latency and memory.

    python bench/replicate_index.py --src DEV_DATA_DIR --dst /work/fullsize [--chunks 251000]

Why: indexing the whole archive for real (``bench/fullindex.py``) costs ~25 CPU-minutes of chunking and
pythainlp tokenisation, plus hours of embedding on these CPUs; on a machine shared by seven engineers that
does not finish in a session. For query latency and memory what matters is the size of the structures:
FTS5 posting lists (term frequencies of real, pythainlp-tokenised chunks, multiplied) and the FAISS
matrix. So every live chunk of ``--src`` (its rows in ``chunks``, ``chunk_fts``, ``indexed_releases`` and
the registry's ``releases``) is copied N times under new ids and URLs (``…#copyK``), the originals keep
their real vectors and the copies get random unit vectors. The BM25 statistics are those of the dev
corpus scaled up (every term N times as frequent), not of the archive: say so when quoting figures.
``--src`` is read only (SQLite backup API).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

#: The rows visible in generation ``gen`` (both placeholders bound to it).
_VIS = "gen_from <= ? AND (gen_to IS NULL OR gen_to > ?)"


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, required=True)
    ap.add_argument("--dst", type=Path, required=True)
    ap.add_argument("--chunks", type=int, default=251_000, help="target chunk count (the archive: ~251k)")
    return ap.parse_args()


def _fresh_dst(src: Path, dst: Path) -> None:
    """An empty ``dst`` that shares ``src``'s ONNX export (symlinked: exporting again would cost minutes)."""
    if dst.exists():
        shutil.rmtree(dst)
    (dst / "index").mkdir(parents=True)
    onnx = src / "onnx"
    if onnx.exists():
        (dst / "onnx").symlink_to(onnx.resolve())


def _copy_once(dst: sqlite3.Connection, gen: int, k: int, offset: int, reg_cols: list[str]) -> None:
    """Copy ``k``: every live chunk, its FTS5 row, the indexed releases and the registry's releases under
    ids shifted by ``k * offset`` and URLs ending ``#copyK``, so that nothing collides with the originals."""
    with dst:
        dst.execute(
            """INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char, n_tokens, sha,
                gen_from, gen_to)
                SELECT chunk_id + ?, url || ?, position, text, start_char, end_char, n_tokens, sha || ?,
                gen_from, gen_to FROM chunks WHERE chunk_id IN (SELECT chunk_id FROM temp.live)""",
            (k * offset, f"#copy{k}", f"-{k}"),
        )
        dst.execute(
            "INSERT INTO chunk_fts(rowid, title, body) SELECT f.rowid + ?, f.title, f.body"
            " FROM chunk_fts AS f JOIN temp.live AS l ON l.chunk_id = f.rowid",
            (k * offset,),
        )
        dst.execute(
            "INSERT INTO indexed_releases(url, hash, release_id, title, date, category, lang, n_chunks,"
            " gen_from, gen_to) SELECT url || ?, hash, release_id, title, date, category, lang, n_chunks,"
            f" gen_from, gen_to FROM indexed_releases WHERE {_VIS} AND url NOT LIKE '%#copy%'",
            (f"#copy{k}", gen, gen),
        )
        if reg_cols:
            cols = ", ".join(reg_cols)
            picked = ", ".join("url || ?" if col == "url" else col for col in reg_cols)
            dst.execute(
                f"INSERT OR IGNORE INTO releases({cols}) SELECT {picked} FROM releases"
                " WHERE url NOT LIKE '%#copy%'",
                (f"#copy{k}",),
            )


def _replicate_db(args: argparse.Namespace, gen: int) -> tuple[list[int], int, int, int, int]:
    """Back up ``--src``'s database into ``--dst`` (read-only source) and add the copies.

    Returns (live chunk ids of the source, copies, id offset, live chunks, live releases)."""
    src = sqlite3.connect(f"file:{args.src / 'thaigov.sqlite'}?mode=ro", uri=True)
    dst = sqlite3.connect(args.dst / "thaigov.sqlite")
    src.backup(dst)
    src.close()
    ids = [
        r[0] for r in dst.execute(f"SELECT chunk_id FROM chunks WHERE {_VIS} ORDER BY chunk_id", (gen, gen))
    ]
    copies = max(0, round(args.chunks / len(ids)) - 1)
    offset = 10 ** len(str(max(ids) + 1))
    print(f"# {len(ids)} chunks x {copies + 1}; id offset {offset}", file=sys.stderr)
    dst.execute("CREATE TEMP TABLE live(chunk_id INTEGER PRIMARY KEY)")
    dst.executemany("INSERT INTO temp.live VALUES (?)", [(i,) for i in ids])
    reg_cols = [r[1] for r in dst.execute("PRAGMA table_info(releases)")]
    for k in range(1, copies + 1):
        _copy_once(dst, gen, k, offset, reg_cols)
        print(f"  copy {k}/{copies}", file=sys.stderr, flush=True)
    n_chunks = dst.execute(f"SELECT COUNT(*) FROM chunks WHERE {_VIS}", (gen, gen)).fetchone()[0]
    n_releases = dst.execute(f"SELECT COUNT(*) FROM indexed_releases WHERE {_VIS}", (gen, gen)).fetchone()[0]
    dst.close()
    return ids, copies, offset, n_chunks, n_releases


def _replicate_vectors(folder: Path, ids: list[int], copies: int, offset: int):  # noqa: ANN202
    """The originals' real vectors plus random unit vectors for the copies (their size is what matters)."""
    import faiss

    from index.build import store

    original = faiss.read_index(str(folder / store.VECTORS))
    dim = original.d
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    base_ids = np.asarray(ids, dtype=np.int64)
    index.add_with_ids(np.vstack([original.reconstruct(int(i)) for i in ids]).astype(np.float32), base_ids)
    rng = np.random.default_rng(7)
    for k in range(1, copies + 1):
        vecs = rng.standard_normal((len(ids), dim), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        index.add_with_ids(vecs, base_ids + k * offset)
    return index


def main() -> int:
    args = _parse_args()

    import faiss

    from index.build import store

    gen, manifest, folder = c.live_generation(args.src)
    _fresh_dst(args.src, args.dst)
    t0 = time.perf_counter()
    ids, copies, offset, n_chunks, n_releases = _replicate_db(args, gen)
    index = _replicate_vectors(folder, ids, copies, offset)
    out_dir = store.gen_dir(args.dst / "index", gen)
    out_dir.mkdir(parents=True)
    faiss.write_index(index, str(out_dir / store.VECTORS))
    manifest.update(
        chunks=int(n_chunks), releases=int(n_releases), replicated_from=str(args.src), copies=copies
    )
    (out_dir / store.MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    store.write_current(args.dst / "index", gen)
    print(
        json.dumps(
            {
                "chunks": n_chunks,
                "releases": n_releases,
                "vectors": int(index.ntotal),
                "seconds": round(time.perf_counter() - t0, 1),
                "db_mb": round((args.dst / "thaigov.sqlite").stat().st_size / 2**20),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
