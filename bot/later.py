"""Replies that Telegram's flood control holds back: sent again after the wait it asks for.

Why: ``bot.sending.RetryingRateLimiter`` waits out a short 429 in the request, but raises a long one
(over ``MAX_FLOOD_WAIT_SECONDS``) to the caller, because sleeping it there holds every other request of the
bot. For an alert the delivery requeues it; a reply to a user had no such queue and was lost (logged). Here
the reply's remaining parts wait in a task of their own, the handler returns, and the other chats go on.
A reply still held when the bot stops is lost; it is said in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Message
from telegram.error import RetryAfter, TelegramError

from bot.sending import retry_after_seconds

log = logging.getLogger(__name__)

#: How many flood waits in a row one held reply sits out before it is given up (logged).
LATER_TRIES = 3


class HeldReplies:
    """The replies waiting out a flood wait, each in its own task (kept here: a task nobody references can
    be collected before it runs)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def hold(
        self, message: Message, parts: Sequence[str], quote: bool, markup: Any, wait: RetryAfter
    ) -> None:
        """Send ``parts`` (the rest of a reply to ``message``, the markup on the last) after ``wait``."""
        seconds = retry_after_seconds(wait)
        log.warning("a reply is held %.0f s by Telegram's flood control, then sent", seconds)
        task = asyncio.get_running_loop().create_task(
            self._send_after(message, list(parts), quote, markup, seconds)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def _send_after(
        self, message: Message, parts: list[str], quote: bool, markup: Any, seconds: float
    ) -> None:
        for _ in range(LATER_TRIES):
            await asyncio.sleep(seconds)
            try:
                while parts:
                    last = len(parts) == 1
                    await message.reply_html(parts[0], do_quote=quote, reply_markup=markup if last else None)
                    parts.pop(0)
                    quote = False
                return
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
            except TelegramError as exc:
                log.warning("a held reply could not be sent: %s", type(exc).__name__)
                return
        log.error("a held reply was given up after %d flood waits", LATER_TRIES)
