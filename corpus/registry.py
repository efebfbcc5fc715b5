"""The ``releases`` table of ``thaigov.sqlite``: every release the product knows, by URL.

It answers two questions other parts ask: "is this release new, changed or already known?" (the index
re-embeds only what changed; alerts announce a release once) and "what are the latest releases?". SQLite
in WAL mode with a busy timeout, because the bot, the alert poller and an index build may open the same
file at the same time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from corpus.release import Release
from thaigov_qa.db import connect

Status = Literal["new", "changed", "same"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (
    url TEXT PRIMARY KEY,
    release_id TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'th',
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    crawled TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}',
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS releases_date ON releases(date);
CREATE INDEX IF NOT EXISTS releases_path ON releases(path);
"""
_COLUMNS = "url, release_id, title, date, category, lang, body, hash, path, crawled, extra"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _row_to_release(row: tuple) -> Release:  # type: ignore[type-arg]
    url, release_id, title, date, category, lang, body, hash_, path, crawled, extra = row
    try:
        extra_dict = json.loads(extra) if extra else {}
    except ValueError:
        extra_dict = {}
    return Release(
        url=url,
        release_id=release_id,
        title=title,
        date=date,
        category=category,
        lang=lang,
        body=body,
        hash=hash_,
        path=path,
        crawled=crawled,
        extra=extra_dict,
    )


class Registry:
    """The ``releases`` table. One instance may be shared by threads; writes are serialised."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.db_path = Path(db_path)
        self._conn = connect(self.db_path)
        self._lock = threading.RLock()
        self._in_batch = False
        self._conn.executescript(_SCHEMA)

    # --- writing -------------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[Registry]:
        """Group many writes in one transaction (much faster; all or nothing)."""
        with self._lock:
            if self._in_batch:
                yield self
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_batch = True
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_batch = False

    def upsert(self, release: Release) -> Status:
        """Store ``release``: ``"new"`` (first time seen), ``"changed"`` (other hash), or ``"same"``.

        A changed release replaces the stored one and keeps its ``first_seen``; a same one is not written.
        """
        with self.batch():
            row = self._conn.execute("SELECT hash FROM releases WHERE url = ?", (release.url,)).fetchone()
            if row is not None and row[0] == release.hash:
                return "same"
            now = _now()
            values = (
                release.url,
                release.release_id,
                release.title,
                release.date,
                release.category,
                release.lang,
                release.body,
                release.hash,
                release.path,
                release.crawled,
                json.dumps(release.extra, ensure_ascii=False),
            )
            if row is None:
                self._conn.execute(
                    f"INSERT INTO releases ({_COLUMNS}, first_seen, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, now, now),
                )
                return "new"
            self._conn.execute(
                "UPDATE releases SET release_id = ?, title = ?, date = ?, category = ?, lang = ?, body = ?, "
                "hash = ?, path = ?, crawled = ?, extra = ?, updated_at = ? WHERE url = ?",
                (*values[1:], now, release.url),
            )
            return "changed"

    def upsert_many(self, releases: Iterable[Release]) -> dict[str, list[str]]:
        """Upsert in one transaction; returns the URLs by status (``new``, ``changed``, ``same``)."""
        result: dict[str, list[str]] = {"new": [], "changed": [], "same": []}
        with self.batch():
            for release in releases:
                result[self.upsert(release)].append(release.url)
        return result

    def relocate(self, release: Release) -> None:
        """Record where a stored release is read from now (its file moved, a later crawl of the same text):
        ``upsert`` writes nothing while the content is the same, and :meth:`by_paths` then looked for it
        under the path it was first read from."""
        with self.batch():
            self._conn.execute(
                "UPDATE releases SET path = ?, crawled = ?, updated_at = ? WHERE url = ?",
                (release.path, release.crawled, _now(), release.url),
            )

    def remove(self, url: str) -> bool:
        """Forget a release; ``True`` if it was there."""
        with self.batch():
            return self._conn.execute("DELETE FROM releases WHERE url = ?", (url,)).rowcount > 0

    # --- reading -------------------------------------------------------------------------------
    def _fetch(self, sql: str, params: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
        """Reads take the lock too: a shared connection must not read inside another thread's batch."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def get(self, url: str) -> Release | None:
        rows = self._fetch(f"SELECT {_COLUMNS} FROM releases WHERE url = ?", (url,))
        row = rows[0] if rows else None
        return _row_to_release(row) if row else None

    def by_paths(self, paths: Iterable[str]) -> list[Release]:
        """The stored releases read from these source paths (a build keeps the release a file gave before
        when the file cannot be read this time: :mod:`index.build.unread`)."""
        wanted = sorted({p for p in paths if p})  # "" is no file's path
        found: list[Release] = []
        for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            part = wanted[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self._fetch(f"SELECT {_COLUMNS} FROM releases WHERE path IN ({marks})", tuple(part))
            found += [_row_to_release(row) for row in rows]
        return found

    def under(self, folders: Iterable[str]) -> list[Release]:
        """The stored releases read from files under these folders (a folder that could not be listed is
        reported once, by its own path: :mod:`index.build.unread`)."""
        found: list[Release] = []
        for folder in sorted({f.rstrip("/") for f in folders if f.rstrip("/")}):
            # The paths from "folder/" up to "folder0" ("0" follows "/"): a range the path index serves.
            rows = self._fetch(
                f"SELECT {_COLUMNS} FROM releases WHERE path >= ? AND path < ?", (folder + "/", folder + "0")
            )
            found += [_row_to_release(row) for row in rows]
        return found

    def __contains__(self, url: object) -> bool:
        return bool(self._fetch("SELECT 1 FROM releases WHERE url = ?", (url,)))

    def hashes(self) -> dict[str, str]:
        """URL → content hash of every stored release (what an incremental index build compares)."""
        return dict(self._fetch("SELECT url, hash FROM releases"))

    def paths(self) -> dict[str, str]:
        """URL → the source path each stored release was read from."""
        return dict(self._fetch("SELECT url, path FROM releases"))

    def count(self) -> int:
        return int(self._fetch("SELECT COUNT(*) FROM releases")[0][0])

    def newest_date(self) -> str | None:
        """The latest publication date stored (ISO), or ``None`` when empty."""
        return self._fetch("SELECT MAX(date) FROM releases")[0][0]

    def latest(self, n: int = 10) -> list[Release]:
        """The ``n`` most recently published releases, newest first (ties: the higher release id)."""
        rows = self._fetch(
            f"SELECT {_COLUMNS} FROM releases "
            "ORDER BY date DESC, CAST(release_id AS INTEGER) DESC, url DESC LIMIT ?",
            (max(0, n),),
        )
        return [_row_to_release(r) for r in rows]

    def iter_releases(self) -> Iterator[Release]:
        """Every stored release, in publication order."""
        rows = self._fetch(f"SELECT {_COLUMNS} FROM releases ORDER BY date, url")
        return (_row_to_release(r) for r in rows)

    def first_seen(self, url: str) -> str | None:
        """When this database first stored ``url`` (ISO UTC), or ``None``."""
        rows = self._fetch("SELECT first_seen FROM releases WHERE url = ?", (url,))
        return rows[0][0] if rows else None

    # --- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
