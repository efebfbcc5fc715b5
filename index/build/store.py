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
CREATE TABLE IF NOT EXISTS agenda_items (
    url TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    summary INTEGER NOT NULL,
    gen_from INTEGER NOT NULL,
    gen_to INTEGER,
    PRIMARY KEY (url, number, gen_from)
);
CREATE INDEX IF NOT EXISTS agenda_by_date ON agenda_items(meeting_date);
CREATE INDEX IF NOT EXISTS agenda_by_gen_to ON agenda_items(gen_to);
-- A generation whose rows (chunks, FTS5, releases, agendas) were all written before its run stopped, and
-- what that run was asked to do (a fingerprint): a rerun asked the same keeps them instead of chunking the
-- whole archive again (~27 minutes for the full archive on 2 cores; the vectors were already cached).
CREATE TABLE IF NOT EXISTS chunked_generations (
    generation INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL
);
"""
#: Tables whose rows carry gen_from/gen_to per release (``agenda_items``: see :mod:`index.build.agenda_rows`).
RELEASE_TABLES = ("chunks", "indexed_releases", "agenda_items")

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


def mark_chunked(conn: sqlite3.Connection, generation: int, fingerprint: str) -> None:
    """Record that every row of ``generation`` is written, for the run that ``fingerprint`` describes."""
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO chunked_generations(generation, fingerprint) VALUES (?, ?)",
            (generation, fingerprint),
        )


def chunked(conn: sqlite3.Connection, generation: int) -> str | None:
    """The fingerprint of the run that wrote all of ``generation``'s rows, or None (none, or unfinished)."""
    row = conn.execute(
        "SELECT fingerprint FROM chunked_generations WHERE generation = ?", (generation,)
    ).fetchone()
    return None if row is None else str(row[0])


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
    _fsync(index_dir)


def sync_to_disk(db_path: Path, folder: Path) -> None:
    """Before a switch: the database (its WAL, where commits wait for a checkpoint under the writers'
    ``synchronous=NORMAL``) and the new generation's files and folder fsynced, so that after a power cut
    ``CURRENT`` never names a generation whose rows or files were still only in the page cache."""
    paths = [db_path, db_path.with_name(db_path.name + "-wal"), *sorted(folder.iterdir()), folder]
    for path in paths:
        if path.exists():
            _fsync(path)


def _fsync(path: Path) -> None:
    """A file's or a folder's contents (a folder's: its entries, after a rename) on disk."""
    fd = os.open(path, os.O_RDONLY)
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
def recover(conn: sqlite3.Connection, index_dir: Path, live: int, keep_rows: bool = False) -> int:
    """Undo what a killed build left beyond the live generation; returns how many chunk rows it dropped.
    ``keep_rows``: the next generation's rows are complete and the rerun reuses them (:func:`chunked`):
    only its files go (they are written again from the rows and the cached vectors)."""
    with conn:
        if not keep_rows:
            dead = [r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE gen_from > ?", (live,))]
            fts.delete_rows(conn, dead)
            for table in RELEASE_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE gen_from > ?", (live,))
                conn.execute(f"UPDATE {table} SET gen_to = NULL WHERE gen_to > ?", (live,))
            conn.execute("DELETE FROM chunked_generations WHERE generation > ?", (live,))
    for gen, path in generation_dirs(index_dir).items():
        if gen > live:
            shutil.rmtree(path, ignore_errors=True)
    return 0 if keep_rows else len(dead)


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
        for table in RELEASE_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE gen_to IS NOT NULL AND gen_to <= ?", (oldest,))
        conn.execute("DELETE FROM chunked_generations WHERE generation <= ?", (live,))
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
