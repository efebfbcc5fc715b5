"""Sending what the outbox holds: claim, send, mark; wait, retry or pause on Telegram's errors.

What each Telegram answer means here:

- success: the row is marked ``sent`` with the message id (only now, after Telegram confirmed).
- ``RetryAfter`` (429, flood control): wait the time Telegram asks and send again; a wait longer than
  :attr:`DeliveryPolicy.max_inline_wait` ends the pass instead (flood control is per bot, so every other
  send would be refused too) and the row is due again after the wait.
- network errors, timeouts and 5xx (``NetworkError``): retried in the pass with a short backoff, then left
  ``pending`` with an exponential ``next_try``; a later pass or a restart picks it up.
- ``Forbidden`` (403: blocked, kicked, removed from the channel) and "chat not found": the chat is paused
  (its alerts wait, others go on) and every admin is told once. Re-subscribing resumes it. The admins'
  notices are written with the pause and sent from the database: one Telegram refuses now is sent at a
  later pass (after a restart too); one that can never reach its admin (who blocked the bot) is logged.
- ``ChatMigrated``: the group became a supergroup; the subscription moves to the new id, the send is retried.
- any other ``BadRequest``: Telegram refuses this message itself; the row is marked ``failed`` (kept, not
  retried).
- ``InvalidToken``: a configuration error; the pass stops, nothing is lost.

Every outbox step runs in a database thread (:func:`thaigov_qa.db.off_loop`), the sends between them on
the event loop: another process holding the write lock makes the pass wait, never the bot's chats.

A timeout can also mean Telegram did deliver the message and the answer was lost: the resend is then a
duplicate, the same at-least-once window as a crash between send and mark (see ``bot.alerts_store``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.alerts_message import render_alert
from bot.alerts_store import AlertStore, OutboxRow
from bot.logsafe import chat_label
from bot.sending import retry_after_seconds
from thaigov_qa.db import off_loop
from thaigov_qa.markup import escape_html
from thaigov_qa.messages import ALERTS_PAUSED_NOTICE

log = logging.getLogger(__name__)


@dataclass
class DeliveryPolicy:
    """Timings of delivery; tests shorten them, production keeps the defaults."""

    #: A RetryAfter up to this many seconds is waited out in the pass; a longer one ends the pass.
    max_inline_wait: float = 30.0
    #: Sends of one alert in one pass before it is left for a later pass.
    tries_per_pass: int = 3
    #: In-pass backoff after a network error or 5xx: base, 2*base, ...
    retry_base: float = 1.0
    #: Backoff between passes for a row that keeps failing: base * 2^(attempts-1), at most cap.
    requeue_base: float = 60.0
    requeue_cap: float = 3600.0
    #: A ``sending`` claim older than this belongs to a sender that died: the row is taken again.
    #: Longer than one alert can take in a pass (tries, in-pass waits and HTTP timeouts).
    lease: float = 300.0
    #: Rows taken per pass (the rest wait for the next pass).
    batch: int = 500


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused_chats: list[int] = field(default_factory=list)
    waiting: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "paused_chats": self.paused_chats,
            "waiting": self.waiting,
            "errors": self.errors,
            "stopped": self.stopped,
        }


_GONE = (
    "chat not found",
    "bot was kicked",
    "not enough rights",
    "need administrator rights",
    "have no rights",
)


class _StopPass(Exception):
    """Ends the delivery pass (flood control for the whole bot, bad token)."""


class Deliverer:
    """Sends due outbox rows through ``bot`` (a started python-telegram-bot :class:`Bot`).

    ``release_of(url)`` gives the release to render (the registry's ``get``); ``admin_ids`` are told
    about paused chats.
    """

    def __init__(
        self,
        store: AlertStore,
        bot: Bot,
        release_of: Callable[[str], object],
        admin_ids: list[int],
        policy: DeliveryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bot = bot
        self.release_of = release_of
        self.admin_ids = list(admin_ids)
        self.policy = policy or DeliveryPolicy()
        self.clock = clock

    async def deliver(self) -> DeliveryReport:
        """One delivery pass over every due row."""
        report = DeliveryReport()
        await self.send_notices(report)  # those an earlier pass could not send
        rows = await off_loop(self.store.due, self.clock(), self.policy.lease, self.policy.batch)
        try:
            for row in rows:
                if row.chat_id in report.paused_chats or not await off_loop(self._take, row):
                    continue
                await self._send_one(row, report)
        except _StopPass as exc:
            report.stopped = str(exc)
            log.warning("alert delivery stopped: %s", exc)
        counts = await off_loop(self.store.counts)
        report.waiting = counts.get("pending") + counts.get("sending")
        return report

    def _take(self, row: OutboxRow) -> bool:
        """Claim ``row`` for sending; False when its chat unsubscribed meanwhile or another sender took it."""
        if self.store.subscription(row.chat_id) is None:
            return False
        return self.store.claim(row, self.clock(), self.policy.lease)

    async def _send_one(self, row: OutboxRow, report: DeliveryReport) -> None:
        """Send one claimed row until Telegram accepts it, or leave it as the error says (see the module
        docstring)."""
        release = await off_loop(self.release_of, row.url)
        if release is None:
            await off_loop(self.store.mark_failed, row.id, "release no longer in the registry")
            report.failed += 1
            return
        sub = await off_loop(self.store.subscription, row.chat_id)
        text, markup = render_alert(release, self._username(), sub.lang if sub else "")  # type: ignore[arg-type]
        chat_id = row.chat_id
        tries = 0
        while True:
            tries += 1
            try:
                message = await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                await self._flood_wait(row, chat_id, exc)
                tries -= 1  # Telegram asked us to wait; that is not a failed try
                continue
            except ChatMigrated as exc:
                new_id = int(exc.new_chat_id)
                log.info("chat %s migrated to %s; moving its subscription", chat_label(chat_id), new_id)
                await off_loop(self.store.migrate_chat, chat_id, new_id)
                chat_id = new_id
                if tries < self.policy.tries_per_pass:
                    continue
                await off_loop(self.store.requeue, row.id, self.clock(), str(exc))
                return
            except TelegramError as exc:
                if await self._failed(exc, row, chat_id, tries, report):
                    continue
                return
            await off_loop(self.store.mark_sent, row.id, message.message_id)
            report.sent += 1
            return

    async def _flood_wait(self, row: OutboxRow, chat_id: int, exc: RetryAfter) -> None:
        """Wait out Telegram's flood control; a wait too long for the pass gives the row back, ends it."""
        wait = retry_after_seconds(exc)
        if wait > self.policy.max_inline_wait:
            await off_loop(self.store.requeue, row.id, self.clock() + wait, str(exc), count_attempt=False)
            raise _StopPass(f"Telegram flood control: retry in {wait:g} s") from None
        log.info("alert to %s: flood control, waiting %g s", chat_label(chat_id), wait)
        await asyncio.sleep(wait)

    async def _failed(
        self, exc: TelegramError, row: OutboxRow, chat_id: int, tries: int, report: DeliveryReport
    ) -> bool:
        """What a refused send leaves (see the module docstring); True when it is to be sent again now."""
        if isinstance(exc, Forbidden) or (
            isinstance(exc, BadRequest) and any(s in str(exc).lower() for s in _GONE)
        ):
            await self._pause(chat_id, row, str(exc), report)
            return False
        if isinstance(exc, BadRequest):
            log.error("alert %s to chat %s refused: %s", row.url, chat_label(chat_id), exc)
            await off_loop(self.store.mark_failed, row.id, str(exc))
            report.failed += 1
            report.errors.append(f"chat {chat_label(chat_id)}: {exc}")
            return False
        if isinstance(exc, InvalidToken):
            await off_loop(self.store.requeue, row.id, self.clock(), str(exc), count_attempt=False)
            raise _StopPass(f"Telegram refused the bot token ({exc})") from None
        # NetworkError and any other TelegramError: timeouts, connection errors, 5xx
        policy = self.policy
        if tries < policy.tries_per_pass:
            report.retried += 1
            delay = policy.retry_base * 2 ** (tries - 1)
            log.info("alert to %s failed (%s); retrying in %g s", chat_label(chat_id), exc, delay)
            await asyncio.sleep(delay)
            return True
        attempts = row.attempts + 1
        delay = min(policy.requeue_cap, policy.requeue_base * 2 ** max(0, attempts - 1))
        await off_loop(self.store.requeue, row.id, self.clock() + delay, str(exc))
        report.errors.append(f"chat {chat_label(chat_id)}: {exc} (next try in {delay:g} s)")
        log.warning(
            "alert %s to chat %s still failing (%s); next try in %g s",
            row.url,
            chat_label(chat_id),
            exc,
            delay,
        )
        return False

    def _username(self) -> str:
        try:
            return self.bot.username or ""
        except RuntimeError:  # Bot.initialize() not called: no getMe yet, so no deep-link button
            return ""

    async def _pause(self, chat_id: int, row: OutboxRow, reason: str, report: DeliveryReport) -> None:
        """Pause the chat, give the row back (it waits with the chat), tell the admins once."""
        report.paused_chats.append(chat_id)
        if await off_loop(self._paused, chat_id, row, reason):
            log.warning("alerts to chat %s paused: %s", chat_label(chat_id), reason)
            await self.send_notices(report)

    async def send_notices(self, report: DeliveryReport) -> None:
        """Send the admins' queued notices; one Telegram refuses for now waits for the next pass."""
        for notice in await off_loop(self.store.notices):
            try:
                await self.bot.send_message(notice.admin_id, notice.text, parse_mode=ParseMode.HTML)
            except (Forbidden, BadRequest) as exc:  # blocked the bot, never started it, no such chat
                # Neither the admin's id nor the text (it names the chat, a user's id for a private one).
                log.warning("an admin cannot be told (%s); notice %s dropped", exc, notice.id)
                await off_loop(self.store.notice_done, notice.id)
            except TelegramError as exc:  # network, 5xx, flood control: the next pass tries again
                log.warning("could not tell an admin (%s); notice %s kept for the next pass", exc, notice.id)
                report.errors.append(f"admin {notice.admin_id}: {exc} (notice kept for the next pass)")
                await off_loop(self.store.notice_failed, notice.id, str(exc))
                if isinstance(exc, RetryAfter):
                    return
            else:
                await off_loop(self.store.notice_done, notice.id)

    def _paused(self, chat_id: int, row: OutboxRow, reason: str) -> bool:
        """The row given back, the chat paused and, when this call paused it (True), the admins' notices
        queued in the same transaction (once paused, they were told then)."""
        with self.store.transaction():
            self.store.requeue(row.id, self.clock(), reason, count_attempt=False)
            if not self.store.pause(chat_id, reason):
                return False
            sub = self.store.subscription(chat_id)
            name = f"{chat_id}" + (f" ({sub.title})" if sub and sub.title else "")
            text = ALERTS_PAUSED_NOTICE.format(chat=escape_html(name), reason=escape_html(reason[:200]))
            self.store.queue_notices([a for a in self.admin_ids if a != chat_id], text)
        return True
