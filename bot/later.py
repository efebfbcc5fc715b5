"""Replies that Telegram's flood control holds back: sent again after the wait it asks for.

Why: ``bot.sending.RetryingRateLimiter`` waits out a short 429 in the request, but raises a long one
(over ``MAX_FLOOD_WAIT_SECONDS``) to the caller, because sleeping it there holds every other request of the
bot. For an alert the delivery requeues it; a reply to a user had no such queue and was lost (logged). Here
the reply's remaining parts wait in a task of their own, the handler returns, and the other chats go on.
A reply still held when the bot stops is lost; it is said in the log.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message
from telegram.error import RetryAfter, TelegramError

from bot.sending import retry_after_seconds

log = logging.getLogger(__name__)

#: How many flood waits in a row one held reply sits out before it is given up (logged).
LATER_TRIES = 3


async def send_parts(
    message: Message, parts: list[str], quote: bool, markup: Any, options: dict[str, Any], sent: list[Message]
) -> None:
    """Send ``parts`` in order as replies to ``message`` (the first quoting it when ``quote``, the markup on
    the last, ``options`` on each), taking each off ``parts`` and adding its message to ``sent`` once it is
    sent: on a RetryAfter, ``parts`` holds what is left. The one loop of a reply's parts, now and held."""
    while parts:
        last = len(parts) == 1
        got = await message.reply_html(
            parts[0], do_quote=quote and not sent, reply_markup=markup if last else None, **options
        )
        parts.pop(0)
        sent.append(got)


class HeldReplies:
    """The replies waiting out a flood wait, each in its own task (kept here: a task nobody references can
    be collected before it runs)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def hold(
        self,
        message: Message,
        parts: list[str],
        quote: bool,
        markup: Any,
        options: dict[str, Any],
        wait: RetryAfter,
    ) -> None:
        """Send ``parts`` (what is left of a reply to ``message``; see :func:`send_parts`) after ``wait``."""
        seconds = retry_after_seconds(wait)
        log.warning("a reply is held %.0f s by Telegram's flood control, then sent", seconds)
        send = functools.partial(send_parts, message, list(parts), quote, markup, options)
        task = asyncio.get_running_loop().create_task(self._send_after(send, seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> int:
        """At stop: cancel the replies still held, say how many in the log (they are lost: a reply is not
        persisted across a restart), and return that number."""
        held = [t for t in self._tasks if not t.done()]
        for task in held:
            task.cancel()
        if held:
            log.error("%d held replies were not sent: the bot stopped during their flood wait", len(held))
        return len(held)

    async def _send_after(self, send: Callable[[list[Message]], Awaitable[None]], seconds: float) -> None:
        """``send(sent)`` (the held parts, :func:`send_parts` bound to the reply) after ``seconds``, and again
        after each further flood wait, up to :data:`LATER_TRIES` waits in all."""
        sent: list[Message] = []  # across the waits: only the first part sent quotes the question
        for _ in range(LATER_TRIES):
            await asyncio.sleep(seconds)
            try:
                await send(sent)
                return
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
            except TelegramError as exc:
                log.warning("a held reply could not be sent: %s", type(exc).__name__)
                return
        log.error("a held reply was given up after %d flood waits", LATER_TRIES)
