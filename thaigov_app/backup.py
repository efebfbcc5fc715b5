"""``thaigov-qa backup DEST`` and ``thaigov-qa restore SRC``: the database and the live index generation.

Why this is safe while the bot reads and an ``index update`` writes, without stopping either:

* the database is copied with SQLite's online backup API (a consistent snapshot, whatever writes);
* the live generation's files are never modified once written; a build writes generation ``L+1`` beside
  ``L`` and garbage-collects ``L`` only after a *second* switch. So: read ``CURRENT`` (= ``L``), copy
  ``index/L``, snapshot the database, and check ``CURRENT`` has not moved twice meanwhile (else start
  again). The snapshot may hold rows of a build in flight (generation ``> L``): they are dropped from
  the copy exactly as the next build would drop them (``index.build.store.recover``);
* ``manifest.json`` in DEST records the generation, the schema versions and each file's size and
  SHA-256, which ``restore`` checks before touching anything.

``restore`` writes the generation under a number above every one in ``DATA_DIR`` and loads the database
*into* the existing file (the backup API again, not a file swap), then moves ``CURRENT`` last: a running
bot's open connection sees the restored rows and its 30-second check switches to the restored
generation, with no restart. The ONNX export cache is not part of a backup (it is re-made in seconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from thaigov_qa.schema import DB_SCHEMA, INDEX_SCHEMA
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

BACKUP_MANIFEST = "manifest.json"
DB_NAME = "thaigov.sqlite"
ATTEMPTS = 5


class BackupError(Exception):
    """A backup or restore that cannot be done as asked; the message is one readable line."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(src: Path | sqlite3.Connection, dst: Path | sqlite3.Connection) -> None:
    """SQLite's online backup from ``src`` to ``dst`` (paths or open connections)."""
    s = src if isinstance(src, sqlite3.Connection) else sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    d = dst if isinstance(dst, sqlite3.Connection) else sqlite3.connect(str(dst))
    try:
        s.execute("PRAGMA busy_timeout=30000")
        d.execute("PRAGMA busy_timeout=30000")
        s.backup(d, pages=4096)
    finally:
        if s is not src:
            s.close()
        if d is not dst:
            d.close()


def _snapshot(settings: Settings, dest: Path) -> int:
    """Copy the live generation and the database into ``dest``; returns the generation copied."""
    from index.build import store

    for _ in range(ATTEMPTS):
        live = store.read_current(settings.index_dir)
        if live is None:
            raise BackupError(f"no index in {settings.data_dir} to back up (build one first)")
        target = dest / "index" / f"{live:06d}"
        shutil.rmtree(target, ignore_errors=True)
        try:
            shutil.copytree(store.gen_dir(settings.index_dir, live), target)
        except (FileNotFoundError, shutil.Error):
            continue  # collected under our feet: two switches happened; take the new one
        _sqlite_copy(settings.db_path, dest / DB_NAME)
        now = store.read_current(settings.index_dir)
        if now is not None and now <= live + 1:
            return live
        log.info("the index moved from generation %d to %s during the backup: again", live, now)
    raise BackupError("the index kept changing during the backup: try again when builds are quieter")


def backup(settings: Settings, dest: Path) -> dict[str, Any]:
    """Write a backup of ``DATA_DIR`` into the new folder ``dest``; returns its manifest."""
    from index.build import store

    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty: give a new folder")
    if not settings.db_path.is_file():
        raise BackupError(f"no database at {settings.db_path}: nothing to back up")
    dest.mkdir(parents=True, exist_ok=True)
    live = _snapshot(settings, dest)
    conn = sqlite3.connect(str(dest / DB_NAME))
    try:
        dropped = store.recover(conn, dest / "index", live)  # rows of a build in flight
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        conn.close()
    store.write_current(dest / "index", live)
    files = sorted(p for p in dest.rglob("*") if p.is_file() and p.name != BACKUP_MANIFEST)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_dir": str(Path(settings.data_dir).resolve()),
        "generation": live,
        "db_schema": DB_SCHEMA,
        "index_schema": INDEX_SCHEMA,
        "index": store.read_manifest(dest / "index", live),
        "dropped_in_flight_rows": dropped,
        "files": {str(p.relative_to(dest)): {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in files},
    }
    (dest / BACKUP_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    log.info("backup of generation %d written to %s", live, dest)
    return manifest


def verify(src: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists has its recorded size and checksum."""
    try:
        manifest = json.loads((src / BACKUP_MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} is not a backup (no readable {BACKUP_MANIFEST}: {exc})") from None
    if int(manifest.get("db_schema", 0)) > DB_SCHEMA or int(manifest.get("index_schema", 0)) > INDEX_SCHEMA:
        raise BackupError(f"{src} was written by a newer ThaiGov QA: upgrade thaigov-qa to restore it")
    for name, meta in manifest.get("files", {}).items():
        path = src / name
        if not path.is_file() or path.stat().st_size != meta["bytes"] or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{src}: {name} is missing or damaged (size or checksum differs)")
    return manifest


def restore(settings: Settings, src: Path, force: bool = False) -> dict[str, Any]:
    """Restore the backup ``src`` into ``DATA_DIR`` (see the module docstring); returns a summary."""
    from index.build import store
    from index.build.lock import IndexLocked, writer_lock

    manifest = verify(src)
    old = int(manifest["generation"])
    index_dir = settings.index_dir
    if store.read_current(index_dir) is not None and not force:
        raise BackupError(f"{settings.data_dir} already has an index: add --force to replace it")
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        with writer_lock(index_dir):
            new = max([old, *store.generation_dirs(index_dir)]) + 1
            target = store.gen_dir(index_dir, new)
            tmp = index_dir / f".restore-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(store.gen_dir(src / "index", old), tmp)
            gen_manifest = json.loads((tmp / store.MANIFEST).read_text("utf-8"))
            gen_manifest["generation"] = new
            (tmp / store.MANIFEST).write_text(json.dumps(gen_manifest, ensure_ascii=False, indent=2), "utf-8")
            os.replace(tmp, target)
            conn = store.connect(settings.db_path)  # creates the file (WAL) in a fresh DATA_DIR
            try:
                _sqlite_copy(src / DB_NAME, conn)
                conn.execute("PRAGMA journal_mode=WAL")
            finally:
                conn.close()
            store.write_current(index_dir, new)
    except IndexLocked as exc:
        raise BackupError(f"cannot restore now: {exc}") from None
    log.info("restored generation %d of %s as generation %d in %s", old, src, new, settings.data_dir)
    return {
        "restored_from": str(src),
        "generation": new,
        "backup_generation": old,
        "releases": gen_manifest.get("releases"),
        "chunks": gen_manifest.get("chunks"),
        "model": gen_manifest.get("model"),
    }
