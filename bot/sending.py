"""Every Bot API request the bot makes goes through here: Telegram's rate limits, and retries of
transient failures.

Why: python-telegram-bot's ``AIORateLimiter`` waits out a 429 ``retry_after`` and retries, but a
connection reset (``httpx.ReadError``) or a 5xx from Telegram's front end ends the request at once, and
the user's answer is lost (seen in a 1,000-update flood against a local fake Bot API). A
:class:`RetryingRateLimiter` retries those a few times with exponential backoff, then gives up and lets
the error reach the handler's error path (logged, counted). What is *not* retried:

* ``BadRequest`` (a subclass of ``NetworkError`` in python-telegram-bot): our request is wrong;
* ``TimedOut``: Telegram may have delivered the message already, and a retry would send it twice;
* ``getUpdates``: the updater has its own retry loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

#: Retries after the first attempt, and the first backoff (doubled each time, with jitter).
SEND_RETRIES = 3
FIRST_BACKOFF_SECONDS = 0.5
NOT_RETRIED_ENDPOINTS = frozenset({"getUpdates", "setWebhook", "deleteWebhook", "getMe", "close", "logOut"})


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: a network error or 5xx, not a refusal or a possibly-delivered timeout."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest | TimedOut)


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` plus retries of transient failures (see the module docstring).

    ``on_retry`` is called with the endpoint for each retry (the metrics count them)."""

    def __init__(
        self,
        *args: Any,
        retries: int = SEND_RETRIES,
        backoff: float = FIRST_BACKOFF_SECONDS,
        on_retry: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.retries = retries
        self.backoff = backoff
        self.on_retry = on_retry

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if endpoint in NOT_RETRIED_ENDPOINTS or not transient(exc) or attempt >= self.retries:
                    if transient(exc) and endpoint not in NOT_RETRIED_ENDPOINTS:
                        log.warning("%s failed %d times, giving up: %s", endpoint, attempt + 1, _name(exc))
                    raise
                delay = self.backoff * (2**attempt) * (0.75 + random.random() / 2)
                attempt += 1
                log.info("%s failed (%s): retry %d in %.1f s", endpoint, _name(exc), attempt, delay)
                if self.on_retry is not None:
                    self.on_retry(endpoint)
                await asyncio.sleep(delay)


def _name(exc: BaseException) -> str:
    """The error without its message's details (a URL there would carry the token)."""
    return f"{type(exc).__name__}: {str(exc)[:80]}"
