"""Opening ``thaigov.sqlite`` read-only, in one place.

Why: the bot's health, metrics and operator checks read a table or two at every scrape or check, while a
build or the alert poller may be writing; each must open the file read-only (never creating it), wait a
little for a writer, close at once, and take a missing database or table as "nothing yet", not an error.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any


@contextlib.contextmanager
def read_only(db_path: str | os.PathLike[str], timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    """A read-only connection, closed when the block ends (raises ``sqlite3.Error`` as sqlite does)."""
    conn = sqlite3.connect(f"file:{os.fspath(db_path)}?mode=ro", uri=True, timeout=timeout)
    try:
        yield conn
    finally:
        conn.close()


def query(
    db_path: str | os.PathLike[str], sql: str, params: Sequence[Any] = (), timeout: float = 5.0
) -> list[tuple[Any, ...]] | None:
    """The rows of one read-only query, or None when the database or the table does not exist (yet)."""
    try:
        with read_only(db_path, timeout) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return None
