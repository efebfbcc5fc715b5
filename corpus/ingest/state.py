"""The fetch state of the ingestion sources, in ``thaigov.sqlite``: what to ask each source next time.

``source_state`` keeps, per feed URL or watched folder, the conditional-GET validators, the failure count
and next try (backoff), and ``initialised``: the first successful read of a source records its backlog
without announcing it. ``watch_files`` keeps the stamps of watched files; ``index_pending`` the URLs
recorded in the registry but not yet in the index (the index lock was held, or indexing failed), so that
they are indexed on a later pass even though the registry now calls them "same".

Why here and not beside the alerts' subscriptions: this state belongs to the way a release comes in
(source → registry → pending → index), which runs with or without anybody subscribed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from corpus.watch import FileStamp
from thaigov_qa.db import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    initialised INTEGER NOT NULL DEFAULT 0,
    last_ok REAL,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS watch_files (
    path TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_files_source ON watch_files (source);
CREATE TABLE IF NOT EXISTS index_pending (
    url TEXT PRIMARY KEY,
    queued_at REAL NOT NULL
);
"""


@dataclass
class SourceState:
    source: str
    kind: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_try: float = 0.0
    initialised: bool = False
    last_ok: float | None = None
    last_error: str = ""


class FetchState(Store):
    """The sources' tables; one SQLite connection in autocommit mode, explicit transactions where needed."""

    SCHEMA = SCHEMA

    # --- sources ----------------------------------------------------------------------------------
    def source(self, source: str, kind: str) -> SourceState:
        row = self.conn.execute("SELECT * FROM source_state WHERE source = ?", (source,)).fetchone()
        if row is None:
            return SourceState(source=source, kind=kind)
        fields = dict(row)  # the columns are the dataclass's fields
        fields["initialised"] = bool(fields["initialised"])
        return SourceState(**fields)

    def sources(self) -> list[SourceState]:
        rows = self.conn.execute("SELECT source, kind FROM source_state ORDER BY source").fetchall()
        return [self.source(r["source"], r["kind"]) for r in rows]

    def source_ok(
        self, source: str, kind: str, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        """A successful read: validators saved, failures reset, backlog now recorded (initialised)."""
        self.conn.execute(
            """INSERT INTO source_state (source, kind, etag, last_modified, failures, next_try, initialised,
                                         last_ok, last_error)
               VALUES (?, ?, ?, ?, 0, 0, 1, ?, '')
               ON CONFLICT (source) DO UPDATE SET
                   etag = excluded.etag, last_modified = excluded.last_modified, failures = 0,
                   next_try = 0, initialised = 1, last_ok = excluded.last_ok, last_error = ''""",
            (source, kind, etag, last_modified, time.time()),
        )

    def source_failed(self, source: str, kind: str, error: str, next_try: float) -> int:
        """A failed read: one more failure, no try before ``next_try``; returns the failure count."""
        self.conn.execute(
            """INSERT INTO source_state (source, kind, failures, next_try, last_error) VALUES (?, ?, 1, ?, ?)
               ON CONFLICT (source) DO UPDATE SET failures = failures + 1, next_try = excluded.next_try,
                   last_error = excluded.last_error""",
            (source, kind, next_try, error[:500]),
        )
        return self.source(source, kind).failures

    # --- watched files ------------------------------------------------------------------------------
    def watch_stamps(self, source: str) -> dict[str, FileStamp]:
        rows = self.conn.execute("SELECT path, mtime_ns, size FROM watch_files WHERE source = ?", (source,))
        return {r["path"]: FileStamp(r["mtime_ns"], r["size"]) for r in rows}

    def save_watch_stamps(
        self, source: str, stamps: Mapping[str, FileStamp], vanished: Iterable[str]
    ) -> None:
        with self.transaction() as conn:
            conn.executemany(
                """INSERT INTO watch_files (path, source, mtime_ns, size) VALUES (?, ?, ?, ?)
                   ON CONFLICT (path) DO UPDATE SET source = excluded.source, mtime_ns = excluded.mtime_ns,
                       size = excluded.size""",
                [(p, source, s.mtime_ns, s.size) for p, s in stamps.items()],
            )
            conn.executemany("DELETE FROM watch_files WHERE path = ?", [(p,) for p in vanished])

    # --- index backlog --------------------------------------------------------------------------------
    def queue_index(self, urls: Iterable[str]) -> None:
        now = time.time()
        self.conn.executemany(
            "INSERT OR IGNORE INTO index_pending (url, queued_at) VALUES (?, ?)", [(u, now) for u in urls]
        )

    def index_pending(self) -> list[str]:
        return [r["url"] for r in self.conn.execute("SELECT url FROM index_pending ORDER BY queued_at, url")]

    def index_done(self, urls: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM index_pending WHERE url = ?", [(u,) for u in urls])
