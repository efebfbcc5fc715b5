"""A build survives ``kill -9`` of its process group and resumes, embedding only what it had not kept.

    python bench/resume.py [--releases 12] [--backend onnx-int8] [--batch-size 4] [--at 0.5]
    python bench/resume.py --archive ../shared/corpus/thaigov-v2.tar.xz --list bench/lists/slice10k-qa.txt \
        --releases 2000 --batch-size 32 --at 0.3,0.6,0.9          # the issue's 2,000-release check

1. An uninterrupted ``thaigov-qa index build SRC --json`` into a fresh DATA_DIR (A).
2. The same build into another fresh DATA_DIR (B), started in its own process group; when its embedding
   cache holds the ``--at`` share of the passages (0.5; several, e.g. ``--at 0.3,0.6,0.9``, each on a
   fresh B), the whole group gets SIGKILL.
3. The same command again in B: its ``--json`` summary's ``embedded`` must equal A's minus what the killed
   run had committed, and B's final index must equal A's (same chunks, same FAISS ids, same vectors).

SRC is a folder of small releases copied from ``../shared/corpus/sample`` into the bench data folder
(never into the repository), or with ``--archive`` the archive itself read with ``--only`` the first
``--releases`` paths of ``--list``. The ONNX export is shared between A and B (one cache folder, symlinked).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _env(data_dir: Path, backend: str, batch: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATA_DIR=str(data_dir),
        EMBEDDING_MODEL=str(c.SHARED_MODEL),
        EMBEDDING_BACKEND=backend,
        EMBEDDING_BATCH_SIZE=str(batch),
        PYTHONPATH=str(c.REPO),
    )
    return env


def _cmd(src: Path, only: Path | None = None) -> list[str]:
    extra = ["--only", str(only)] if only is not None else []
    return [sys.executable, "-m", "thaigov_app.cli", "index", "build", str(src), *extra, "--json"]


def _cached(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM embedding_cache").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


def _index_state(data_dir: Path) -> tuple[list[tuple[str, int, str]], dict[tuple[str, int], np.ndarray]]:
    """(url, position, sha) of the live chunks, and their FAISS vectors keyed by (url, position)."""
    import faiss

    gen, _, folder = c.live_generation(data_dir)
    conn = sqlite3.connect(data_dir / "thaigov.sqlite")
    rows = conn.execute(
        "SELECT chunk_id, url, position, sha FROM chunks"
        " WHERE gen_from <= ? AND (gen_to IS NULL OR gen_to > ?)",
        (gen, gen),
    ).fetchall()
    conn.close()
    index = faiss.read_index(str(folder / "vectors.faiss"))
    vecs = {}
    for cid, u, p, _ in rows:
        try:
            vecs[(u, p)] = index.reconstruct(int(cid))
        except RuntimeError:  # a passage past DENSE_PASSAGES has no vector
            continue
    return sorted((u, p, s) for _, u, p, s in rows), vecs


def _bm25_state(data_dir: Path, queries: list[str]) -> list[list[tuple[str, int, float]]]:
    """Each query's BM25 ranking over the live generation's arrays, as (url, position, score)."""
    from index import lexical
    from index.build.postings import Postings

    gen, _, folder = c.live_generation(data_dir)
    postings = Postings.load(folder)
    if postings is None:
        raise SystemExit(f"no BM25 arrays in {folder}")
    conn = sqlite3.connect(data_dir / "thaigov.sqlite")
    where = dict(((cid), (u, p)) for cid, u, p in conn.execute("SELECT chunk_id, url, position FROM chunks"))
    conn.close()
    out = []
    for q in queries:
        hits = postings.search(lexical.tokenize(q), 20)
        out.append([(*where[cid], round(score, 6)) for cid, score in hits])
    return out


def _build(args: argparse.Namespace, src: Path, data_dir: Path) -> tuple[dict, float]:
    """One ``index build`` of ``src`` into ``data_dir``, run to the end: its ``--json`` summary and wall s."""
    with c.Timer() as t:
        run = subprocess.run(
            _cmd(src, args.only),
            env=_env(data_dir, args.backend, args.batch_size),
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        raise SystemExit(run.stderr[-3000:])
    return c.last_json(run.stdout), t.wall


def _kill_at(args: argparse.Namespace, src: Path, b: Path, target: int) -> tuple[bool, int]:
    """Start a build into ``b`` in its own process group and SIGKILL the whole group once the embedding cache
    holds ``target`` passages (as a crash or an OOM kill would: no clean-up runs). Returns (killed, the
    passages the killed run had committed); not killed means it finished first."""
    proc = subprocess.Popen(
        _cmd(src, args.only),
        env=_env(b, args.backend, args.batch_size),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    db = b / "thaigov.sqlite"
    deadline = time.monotonic() + 1800
    while proc.poll() is None and time.monotonic() < deadline:
        if _cached(db) >= target:
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed, _cached(db)


def _compare(src: Path, a: Path, b: Path) -> dict:
    """A's and B's final indexes side by side: live chunks, FAISS vectors and BM25 rankings of the first
    ten sources' title lines, because a resumed build must be indistinguishable from an uninterrupted one."""
    chunks_a, vecs_a = _index_state(a)
    chunks_b, vecs_b = _index_state(b)
    titles = [p.read_text(encoding="utf-8").splitlines()[0] for p in sorted(src.glob("*.txt"))][:10]
    return {
        "same_chunks": chunks_a == chunks_b,
        "same_bm25": _bm25_state(a, titles) == _bm25_state(b, titles),
        "max_diff": max(
            (float(np.abs(vecs_a[k] - vecs_b[k]).max()) for k in vecs_a if k in vecs_b), default=float("nan")
        ),
        "n_vecs_a": len(vecs_a),
        "n_vecs_b": len(vecs_b),
    }


def _runs_table(
    sum_a: dict, wall_a: float, kept: int, killed: bool, sum_b: dict, wall_b: float
) -> list[dict]:
    """The three runs' rows: A, the killed B (what it kept) and the resumed B (what it still embedded)."""
    return [
        {
            "run": "A uninterrupted",
            "embedded": sum_a["embedded"],
            "chunks": sum_a["chunks"],
            "releases": sum_a["releases"],
            "wall_s": wall_a,
            "note": "",
        },
        {
            "run": "B killed (SIGKILL to the process group)",
            "embedded": kept,
            "chunks": "-",
            "releases": "-",
            "wall_s": float("nan"),
            "note": "vectors kept in the cache" if killed else "finished before the kill!",
        },
        {
            "run": "B resumed",
            "embedded": sum_b["embedded"],
            "chunks": sum_b["chunks"],
            "releases": sum_b["releases"],
            "wall_s": wall_b,
            "note": f"expected {sum_a['embedded'] - kept}"
            + ("; the killed run's rows reused, nothing chunked" if sum_b.get("chunks_reused") else ""),
        },
    ]


def _kill_and_resume(
    args: argparse.Namespace, src: Path, a: Path, b: Path, sum_a: dict, wall_a: float, at: float
) -> dict:
    """Kill a build of ``src`` into a fresh ``b`` once its cache holds ``at`` of A's passages, resume it,
    compare with A; returns the verdict."""
    shutil.rmtree(b, ignore_errors=True)
    b.mkdir()
    (b / "onnx").symlink_to(c.DEFAULT_DATA / "onnx-shared")
    killed, kept = _kill_at(args, src, b, max(1, int(sum_a["embedded"] * at)))

    # 3. resumed
    sum_b, wall_b = _build(args, src, b)

    same = _compare(src, a, b)
    only_missing = sum_b["embedded"] == sum_a["embedded"] - kept
    ok = (
        killed
        and only_missing
        and same["same_chunks"]
        and same["same_bm25"]
        and same["n_vecs_a"] == same["n_vecs_b"]
    )
    c.emit(
        _runs_table(sum_a, wall_a, kept, killed, sum_b, wall_b),
        args.json,
        title=(
            f"Resumable build ({args.releases} releases, backend={args.backend}, "
            f"batch {args.batch_size}, killed at {at:.0%})"
        ),
    )
    return {
        "same_chunks(url,position,sha)": same["same_chunks"],
        "vectors": f"{same['n_vecs_a']} vs {same['n_vecs_b']}",
        "same_bm25_rankings(10 title queries)": same["same_bm25"],
        "max_abs_vector_diff": same["max_diff"],
        "resumed_embedded_only_missing": only_missing,
        "killed_at": at,
        "ok": ok,
    }


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--releases", type=int, default=12)
    ap.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx", "onnx-int8"])
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA / "resume")
    ap.add_argument("--at", default="0.5", help="shares of the passages at which to kill, e.g. 0.3,0.6,0.9")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--archive", type=Path, default=None, help="build from this archive instead of the sample"
    )
    ap.add_argument(
        "--list", type=Path, default=None, help="with --archive: archive paths, first --releases used"
    )
    return ap.parse_args()


def _prepare_source(args: argparse.Namespace, root: Path) -> Path:
    """What to build: the archive with ``args.only`` the first ``--releases`` paths of ``--list``, or a
    folder of mid-sized sample releases copied under ``root`` (sets ``args.only``, None for the folder)."""
    args.only = None
    if args.archive is not None:
        if args.list is None:
            raise SystemExit("--archive needs --list (archive paths to build)")
        src, args.only = args.archive, root / "only.txt"
        paths = [x for x in args.list.read_text(encoding="utf-8").splitlines() if x.strip()]
        args.only.write_text("\n".join(paths[: args.releases]) + "\n", encoding="utf-8")
        return src
    src = root / "src"
    src.mkdir()
    files = sorted(p for p in c.SAMPLE.rglob("*.txt") if 4_000 < p.stat().st_size < 15_000)
    for p in c.pick(files, args.releases, seed=5):
        shutil.copy(p, src / p.name)
    return src


def main() -> int:
    args = _parse_args()

    root = args.data_dir
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    src = _prepare_source(args, root)
    shared_onnx = c.DEFAULT_DATA / "onnx-shared"
    shared_onnx.mkdir(parents=True, exist_ok=True)
    a, b = root / "A", root / "B"
    a.mkdir()
    (a / "onnx").symlink_to(shared_onnx)
    print(f"# {c.conditions()}", file=sys.stderr)

    # 1. uninterrupted
    sum_a, wall_a = _build(args, src, a)
    verdicts = [_kill_and_resume(args, src, a, b, sum_a, wall_a, float(x)) for x in args.at.split(",")]
    ok = all(v["ok"] for v in verdicts)
    for verdict in verdicts:
        print(json.dumps(verdict) if args.json else "\n" + json.dumps(verdict, indent=1))
    print(f"conditions: {c.conditions()}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
