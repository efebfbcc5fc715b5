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

Telegram's 429 ``retry_after`` is waited out by ``AIORateLimiter``, which holds *every* request of the bot
meanwhile, up to ``max_retries`` times. A wait longer than :data:`MAX_FLOOD_WAIT_SECONDS` is raised at once
instead: a per-chat flood wait of minutes or hours (one busy group, an alert burst) froze every user's
reply for three times that long, and the alerts' delivery, which requeues such an alert and ends its pass
(``bot.alerts_delivery``), never saw the error (found by fuzzing, lab40). Whoever sent the request
decides: the alerts requeue, a reply is held and sent after the wait (``bot.later``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

#: Retries after the first attempt, and the first backoff (doubled each time, with jitter).
SEND_RETRIES = 3
FIRST_BACKOFF_SECONDS = 0.5
NOT_RETRIED_ENDPOINTS = frozenset({"getUpdates", "setWebhook", "deleteWebhook", "getMe", "close", "logOut"})
#: The longest 429 wait slept in the request; a longer one is raised to the caller (module docstring).
MAX_FLOOD_WAIT_SECONDS = 30.0


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, from the public ``retry_after``.

    python-telegram-bot 22 gives whole seconds and warns that a later major version gives a ``timedelta``
    (as it already does with ``PTB_TIMEDELTA=1``): both are read, and the notice about the change, which
    this code is ready for, is not repeated at every flood-control reply.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class _LongFloodWait(Exception):
    """Carries a too-long RetryAfter past ``AIORateLimiter``, which would sleep it out."""

    def __init__(self, error: RetryAfter) -> None:
        super().__init__(str(error))
        self.error = error


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
        max_flood_wait: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Read when the limiter is made (not when this module is): a test shortens it before the bot starts.
        self.max_flood_wait = MAX_FLOOD_WAIT_SECONDS if max_flood_wait is None else max_flood_wait
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
        async def within_flood_wait(*a: Any, **kw: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                if retry_after_seconds(exc) > self.max_flood_wait:
                    raise _LongFloodWait(exc) from None
                raise

        attempt = 0
        while True:
            try:
                return await super().process_request(
                    within_flood_wait, args, kwargs, endpoint, data, rate_limit_args
                )
            except _LongFloodWait as long_wait:
                log.warning("%s: Telegram asks to wait %s, not waited here", endpoint, _name(long_wait.error))
                raise long_wait.error from None
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
