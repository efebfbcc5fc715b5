"""At most ``ANSWER_WORKERS`` answers at once; a question that cannot start within ``BUSY_SECONDS`` is told
"busy, please try again" instead of waiting in silence.

Why: answers run in worker threads. Under a flood every question queued behind the others, the
"typing…" stopped after a while, and the last users waited a minute or more with no word; by then many
had given up or asked again (more load). Telling them at once is kinder and sheds the load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from thaigov_qa.messages import BUSY_TEXT

T = TypeVar("T")


class Busy(Exception):
    """No answer worker became free within ``BUSY_SECONDS``."""


class AnswerGate:
    """A semaphore of ``workers`` slots in front of the answer threads.

    ``on_answer(seconds)`` is called after each answer (the metrics' latency histogram); ``busy`` counts
    the questions turned away."""

    def __init__(self, workers: int = 4, wait_seconds: float = 5.0) -> None:
        self.workers = workers
        self.wait_seconds = wait_seconds
        self._semaphore = asyncio.Semaphore(workers)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.busy = 0
        self.on_answer: Callable[[float], None] | None = None

    def slots(self) -> asyncio.Semaphore:
        """The semaphore of the running event loop (a service outlives a loop in tests and restarts)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.workers), loop
        return self._semaphore

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread once a slot is free; :class:`Busy` if none frees up in time."""
        slots = self.slots()
        try:
            await asyncio.wait_for(slots.acquire(), self.wait_seconds)
        except TimeoutError:
            self.busy += 1
            raise Busy from None
        started = time.monotonic()
        try:
            return await asyncio.to_thread(fn, *args)
        finally:
            slots.release()
            if self.on_answer is not None:
                self.on_answer(time.monotonic() - started)


def busy_text(lang: str) -> str:
    return BUSY_TEXT.get(lang, BUSY_TEXT["th"])
