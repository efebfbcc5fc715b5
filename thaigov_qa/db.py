"""Opening ``thaigov.sqlite``, in one place: the pragmas every part relies on are set here and nowhere else.

Why: the bot, the alert poller, an index build and the operator's checks open the same file at the same
time. Every writer needs WAL (readers never block the writer) and a busy timeout (a second writer waits
instead of failing with "database is locked"); they differ only in how transactions are run, which is
:func:`connect`'s ``autocommit``. The health, metrics and operator checks read a table or two at every
scrape or check: :func:`read_only` opens the file without ever creating it, waits a little for a writer,
closes at once, and :func:`query` takes a missing database or table as "nothing yet", not an error.
Asyncio code (the bot, the alert pass) runs its SQLite work through :func:`off_loop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self, TypeVar

T = TypeVar("T")

#: Milliseconds a connection waits for another writer before SQLite gives up with "database is locked".
BUSY_TIMEOUT_MS = 30_000
#: Threads of :func:`off_loop`: a few writes may wait out another process's lock at once.
DB_THREADS = 4
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def connect(
    db_path: str | os.PathLike[str],
    *,
    autocommit: bool = True,
    readonly: bool = False,
    durable: bool = False,
    row_factory: Any = None,
) -> sqlite3.Connection:
    """A connection usable from any thread, in WAL mode with the busy timeout.

    ``autocommit``: each statement commits by itself and transactions are explicit (``BEGIN IMMEDIATE``),
    the registry's and the alerts' way; ``False`` keeps Python's implicit transactions (``with conn:``),
    the index build's way. ``readonly`` opens an existing file without writing (no WAL switch).
    ``durable`` keeps SQLite's full fsync on every commit (the alerts' outbox claims); otherwise
    ``synchronous=NORMAL``, which in WAL mode can lose only the last commits on a power cut, never the file.
    """
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    isolation = None if autocommit else ""
    timeout = BUSY_TIMEOUT_MS / 1000
    if readonly:
        target, uri = f"file:{os.fspath(db_path)}?mode=ro", True
    else:
        target, uri = os.fspath(db_path), False
    conn = sqlite3.connect(
        target, uri=uri, timeout=timeout, isolation_level=isolation, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        if not durable:
            conn.execute("PRAGMA synchronous = NORMAL")
    if row_factory is not None:
        conn.row_factory = row_factory
    return conn


def _db_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="sqlite")
        return _executor


async def off_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` (SQLite work) in one of the database's own threads; awaits its result.

    Why: another process (an ``index build``/``update``, the alerts CLI) may hold the write lock, and a
    write then waits up to :data:`BUSY_TIMEOUT_MS`; on the event loop that wait froze every chat of the
    bot. Why not ``asyncio.to_thread``: its pool (CPU count + 4 threads) also runs the answers, and a few
    writes waiting on the lock (a persistence save per chat, an alert pass) took every thread of it, so
    questions froze all the same. The caller keeps a connection to one thread at a time: it awaits each
    step before the next (``check_same_thread=False`` lets the step run on any of these threads).

    Cancelled (an alert pass stopped mid-step), it still waits for the step's thread to finish before the
    cancellation goes on: a thread cannot be stopped, and the caller's clean-up (``finally: close the
    connection``) must not run while the step still uses the connection (the step's commit or rollback
    then lands whole, and the connection is closed only after it).
    """
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    step = loop.run_in_executor(_db_executor(), call)
    try:
        return await asyncio.shield(step)
    except asyncio.CancelledError:
        with contextlib.suppress(BaseException):  # its outcome is the cancelled caller's no more
            await step
        raise


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on an autocommit connection: the write lock is taken up front, so
    two writers never deadlock upgrading a read lock; rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


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


class Store:
    """Tables of ``thaigov.sqlite`` kept on one autocommit connection, explicit transactions where needed.

    The alerts' store and ingestion's fetch state subclass it with their ``SCHEMA``; commits are durable
    (full fsync) because an outbox claim or a fetch state must not be rolled back by a power cut.
    """

    SCHEMA = ""
    #: Columns added to a table after its first release: (table, column, declaration). A database made
    #: before gets them at open (``ALTER TABLE … ADD COLUMN``: their default fills the old rows); the
    #: ``SCHEMA`` names them too, for new databases.
    ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = ()

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.db_path = Path(db_path)
        self.conn = connect(self.db_path, durable=True, row_factory=sqlite3.Row)
        self.conn.executescript(self.SCHEMA)
        for table, column, declaration in self.ADDED_COLUMNS:
            have = {row["name"] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction, the write lock taken up front (:func:`immediate`)."""
        return immediate(self.conn)
