"""thaigov_qa.db: the database threads' behaviour when their caller is cancelled."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from thaigov_qa.db import connect, off_loop


async def test_a_cancelled_step_is_waited_for_before_the_caller_cleans_up(tmp_path: Path) -> None:
    """An alert pass cancelled mid-step closes its connection in ``finally``: the close must come after the
    step's thread is done with the connection, and the step's write lands whole."""
    conn = connect(tmp_path / "t.sqlite")
    conn.execute("CREATE TABLE t (n INTEGER)")
    started, release = threading.Event(), threading.Event()
    order: list[str] = []

    def step() -> None:
        started.set()
        release.wait(5)
        conn.execute("INSERT INTO t VALUES (1)")
        order.append("step done")

    async def pass_() -> None:
        try:
            await off_loop(step)
        finally:
            order.append("closed")
            await off_loop(conn.close)

    task = asyncio.create_task(pass_())
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await asyncio.sleep(0.2)
    assert not task.done() and order == []  # the cancellation waits for the thread
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert order == ["step done", "closed"]
    check = sqlite3.connect(tmp_path / "t.sqlite")
    assert check.execute("SELECT n FROM t").fetchall() == [(1,)]
    check.close()


async def test_a_step_that_fails_after_its_caller_is_cancelled_still_cancels(tmp_path: Path) -> None:
    started, release = threading.Event(), threading.Event()

    def failing() -> None:
        started.set()
        release.wait(5)
        raise sqlite3.OperationalError("database is locked")

    task = asyncio.create_task(off_loop(failing))
    await asyncio.to_thread(started.wait, 5)  # the step runs: the cancellation comes while it does
    task.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
