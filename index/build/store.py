"""The index's tables in ``thaigov.sqlite`` and the generation pointer, shared by the writer and the reader.

Crash safety across two stores (SQLite rows and FAISS files) comes from generations, not from one big
transaction:
- every chunk row (and every indexed-release row) carries ``gen_from``/``gen_to``: it is visible in
  generation ``g`` when ``gen_from <= g`` and (``gen_to`` is NULL or ``gen_to > g``);
- ``DATA_DIR/index/CURRENT`` names the live generation; a build writes generation ``L+1`` beside the live
  ``L`` (new rows, retirements, ``index/<L+1>/vectors.faiss``) and switches ``CURRENT`` with one
  ``os.replace`` as its very last step. Readers only ever see rows of the generation they opened;
- a build killed anywhere leaves rows of a generation newer than ``CURRENT``: the next build deletes
  them (:func:`recover`) before starting, while the embedding cache, which is generation-free, keeps
  every vector already paid for.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

from index.build import fts
from thaigov_qa import db

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"

SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    n_tokens INTEGER NOT NULL,
    sha TEXT NOT NULL,
    gen_from INTEGER NOT NULL,
    gen_to INTEGER
);
CREATE INDEX IF NOT EXISTS chunks_by_url ON chunks(url, position);
CREATE INDEX IF NOT EXISTS chunks_by_gen_from ON chunks(gen_from);
CREATE INDEX IF NOT EXISTS chunks_by_gen_to ON chunks(gen_to);
CREATE TABLE IF NOT EXISTS indexed_releases (
    url TEXT NOT NULL,
    hash TEXT NOT NULL,
    release_id TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    category TEXT NOT NULL,
    lang TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    gen_from INTEGER NOT NULL,
    gen_to INTEGER,
    PRIMARY KEY (url, gen_from)
);
CREATE INDEX IF NOT EXISTS indexed_releases_by_gen_to ON indexed_releases(gen_to);
"""

#: SQL condition: a row of table alias ``t`` is visible in generation ``?`` (bind the generation twice).
VISIBLE = "({t}.gen_from <= ? AND ({t}.gen_to IS NULL OR {t}.gen_to > ?))"


def visible(alias: str) -> str:
    return VISIBLE.format(t=alias)


def connect(db_path: Path, readonly: bool = False) -> sqlite3.Connection:
    """The index's connection: Python's implicit transactions (``with conn:``), pragmas from thaigov_qa.db."""
    return db.connect(db_path, autocommit=False, readonly=readonly)


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    fts.create_schema(conn)


# --- the pointer ---------------------------------------------------------------------------------
def gen_dir(index_dir: Path, generation: int) -> Path:
    return index_dir / f"{generation:06d}"


def read_current(index_dir: Path) -> int | None:
    """The live generation, or None when no build has finished yet."""
    try:
        text = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def write_current(index_dir: Path, generation: int) -> None:
    """Switch the live generation: write a temporary file, fsync it, ``os.replace``, fsync the folder."""
    tmp = index_dir / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"{generation}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(index_dir: Path, generation: int) -> dict[str, object]:
    return json.loads((gen_dir(index_dir, generation) / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(index_dir: Path, generation: int, manifest: dict[str, object]) -> None:
    path = gen_dir(index_dir, generation) / MANIFEST
    tmp = path.with_name(MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def generation_dirs(index_dir: Path) -> dict[int, Path]:
    if not index_dir.is_dir():
        return {}
    return {int(p.name): p for p in index_dir.iterdir() if p.is_dir() and p.name.isdigit()}


# --- crash recovery and garbage collection --------------------------------------------------------
def recover(conn: sqlite3.Connection, index_dir: Path, live: int) -> int:
    """Undo what a killed build left beyond the live generation; returns how many chunk rows it dropped."""
    with conn:
        dead = [r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE gen_from > ?", (live,))]
        fts.delete_rows(conn, dead)
        conn.execute("DELETE FROM chunks WHERE gen_from > ?", (live,))
        conn.execute("UPDATE chunks SET gen_to = NULL WHERE gen_to > ?", (live,))
        conn.execute("DELETE FROM indexed_releases WHERE gen_from > ?", (live,))
        conn.execute("UPDATE indexed_releases SET gen_to = NULL WHERE gen_to > ?", (live,))
    for gen, path in generation_dirs(index_dir).items():
        if gen > live:
            shutil.rmtree(path, ignore_errors=True)
    return len(dead)


def collect_garbage(conn: sqlite3.Connection, index_dir: Path, live: int, keep: int | None) -> int:
    """Drop rows and files no longer visible in ``live`` nor in ``keep`` (the previous generation)."""
    oldest = min(live, keep) if keep is not None else live
    with conn:
        dead = [
            r[0]
            for r in conn.execute(
                "SELECT chunk_id FROM chunks WHERE gen_to IS NOT NULL AND gen_to <= ?", (oldest,)
            )
        ]
        fts.delete_rows(conn, dead)
        conn.execute("DELETE FROM chunks WHERE gen_to IS NOT NULL AND gen_to <= ?", (oldest,))
        conn.execute("DELETE FROM indexed_releases WHERE gen_to IS NOT NULL AND gen_to <= ?", (oldest,))
    for gen, path in generation_dirs(index_dir).items():
        if gen < oldest:
            shutil.rmtree(path, ignore_errors=True)
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    return len(dead)


def disk_bytes(db_path: Path, index_dir: Path, generation: int | None) -> int:
    """Bytes on disk of the database (with its WAL) and the live generation's files."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.path.getsize(str(db_path) + suffix)
    if generation is not None:
        folder = gen_dir(index_dir, generation)
        if folder.is_dir():
            total += sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return total
