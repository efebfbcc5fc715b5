"""What a test does with the fake server: inject failures, queue updates, call the webhook, wait, assert.

Why: the tests drive the bot only from the far end of the wire, as Telegram would, and then assert on
what the bot sent; these are the levers (``fail``, ``push``, ``deliver_webhook``) and the probes
(``calls_of``, ``wait_for``, ``last_bot_message``...).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from tests.fake_bot_api.state import RESET, Call, Failure, FakeBotState

_DEFAULT_DESCRIPTIONS = {
    RESET: "connection reset",
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ControlsMixin(FakeBotState):
    """The test-facing controls and probes of :class:`tests.fake_bot_api.FakeBotAPI`."""

    def fail(
        self,
        method: str,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (429 gets ``retry_after``).

        ``status=RESET`` (0) closes the connection without a response instead, as a reset connection
        does (the client sees ``httpx.RemoteProtocolError``/``ReadError``: a ``NetworkError``)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        self._failures.setdefault(method, []).append(Failure(status, text, retry_after, times))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (assigns ``update_id``); returns it."""
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._spawn_notify()
        return update

    async def deliver_webhook(self, update: dict[str, Any], secret_token: str | None = None) -> int:
        """POST an update to the webhook the bot registered, as Telegram does; returns the HTTP status.

        ``secret_token`` defaults to the one given to setWebhook; pass another to test a refusal.
        """
        url = self.webhook.get("url")
        assert url, "the bot has not called setWebhook"
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        token = self.webhook.get("secret_token") if secret_token is None else secret_token
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as resp,
        ):
            return resp.status

    def calls_of(self, method: str, **match: Any) -> list[Call]:
        """Recorded successful calls of ``method`` whose params equal ``match`` (chat_id=..., ...)."""
        return [
            c
            for c in self.calls
            if c.method == method and c.status == 200 and all(c.params.get(k) == v for k, v in match.items())
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30.0,
        where: Callable[[Call], bool] | None = None,
        **match: Any,
    ) -> list[Call]:
        """Wait until at least ``count`` matching successful calls were made; returns them all."""

        def found() -> list[Call]:
            calls = self.calls_of(method, **match)
            return [c for c in calls if where(c)] if where else calls

        async def until() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(found()) >= count)
            return found()

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            seen = [(c.method, c.status, c.params.get("text", "")[:60]) for c in self.calls[-10:]]
            raise AssertionError(
                f"no {count} x {method} {match} within {timeout}s; last calls: {seen}"
            ) from None

    async def quiet(self, seconds: float = 0.5) -> None:
        """Wait a moment (to assert that nothing was sent, after the bot had time to react)."""
        await asyncio.sleep(seconds)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every queued update was fetched by getUpdates (acknowledged or in flight)."""
        deadline = time.monotonic() + timeout
        while self._updates and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        """The newest message the bot sent to ``chat_id`` (as Telegram stores it, edits applied)."""
        candidates = [m for (c, _), m in self.messages.items() if c == chat_id]
        assert candidates, f"the bot sent nothing to chat {chat_id}"
        return max(candidates, key=lambda m: m["message_id"])
