"""The writers' lock: one index build, update or alert ingest at a time.

``flock`` on ``DATA_DIR/index/.lock``, non-blocking. Why flock and not a PID file: the operating system
releases it when the holder dies, even on ``kill -9`` of its whole process group, so a killed build never
blocks the next one and nobody has to delete a stale file by hand.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".lock"


class IndexLocked(RuntimeError):
    """Another writer holds the index lock; the message names the lock file and the holder's pid."""


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the writers' lock for the ``with`` block, or raise :class:`IndexLocked` at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise IndexLocked(
                f"another index build or update is running (pid {holder}, lock {path}); "
                "wait for it to finish and try again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
