"""👍/👎 under each answer, ``/forget``, and the feedback lines of ``/stats``.

Why the button carries a random key and nothing else (``fb:u:<key>``, 17 bytes of the 64 Telegram
allows): the vote is recorded against that key in SQLite (``bot.feedback_store``), so a button pressed
after a restart still counts, and pressed twice counts once. A press is always answered
(``answerCallbackQuery``), even when the data is not ours any more or the store fails, so the user's
client never spins. What is kept depends on ``LOG_QUESTIONS`` (see ``bot.feedback_store``). The store is
used in the database's threads (:func:`thaigov_qa.db.off_loop`), never on the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import lang_for
from bot.feedback_store import DOWN, UP, FeedbackStore
from thaigov_qa.db import off_loop
from thaigov_qa.messages import text

log = logging.getLogger(__name__)

FEEDBACK_PREFIX = "fb:"
_DATA = re.compile(r"fb:([ud]):([A-Za-z0-9_-]{6,40})")
PURGE_EVERY_SECONDS = 6 * 3600
STATS_DAYS = 7


def store_of(context: ContextTypes.DEFAULT_TYPE) -> FeedbackStore | None:
    return context.bot_data.get("feedback")


def feedback_row(key: str) -> list[InlineKeyboardButton]:
    """The 👍 and 👎 buttons of one answer."""
    row = [
        InlineKeyboardButton("👍", callback_data=f"{FEEDBACK_PREFIX}u:{key}"),
        InlineKeyboardButton("👎", callback_data=f"{FEEDBACK_PREFIX}d:{key}"),
    ]
    assert all(len((b.callback_data or "").encode()) <= 64 for b in row)  # type: ignore[arg-type]
    return row


def answer_keyboard(key: str | None, more: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """An answer's buttons: 👍 👎 (when ``key``), then the "more sources" row (when ``more``)."""
    rows: list[list[InlineKeyboardButton]] = [feedback_row(key)] if key else []
    if more is not None:
        rows += [list(r) for r in more.inline_keyboard]
    return InlineKeyboardMarkup(rows) if rows else None


def without_prefix(markup: InlineKeyboardMarkup | None, prefix: str) -> InlineKeyboardMarkup | None:
    """``markup`` less the rows whose buttons' data start with ``prefix`` (a used "more sources" button
    goes, the 👍 👎 row stays)."""
    rows = [
        list(row)
        for row in (markup.inline_keyboard if markup is not None else ())
        if not any(
            (b.callback_data or "").startswith(prefix) for b in row if isinstance(b.callback_data, str)
        )
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A 👍/👎 press: counted once per user and answer; always answered."""
    query = update.callback_query
    if query is None:
        return
    lang = lang_for(update, context)
    notice = text(lang, "feedback_expired")
    try:
        match = _DATA.fullmatch(query.data or "")
        store = store_of(context)
        if match and store is not None and query.from_user is not None:
            verdict = UP if match.group(1) == "u" else DOWN
            outcome = await off_loop(store.vote, match.group(2), query.from_user.id, verdict)
            notice = text(lang, "feedback_same" if outcome == "same" else "feedback_thanks")
            log.info("feedback: %s (%s)", verdict, outcome)
    finally:
        with contextlib.suppress(TelegramError):
            await query.answer(_plain(notice))


def _plain(value: str) -> str:
    """Callback answers are plain text (no HTML)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", value))


async def cmd_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/forget``: delete the questions, answers and votes kept for this user, and the conversation."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    store = store_of(context)
    deleted = await off_loop(store.forget, user.id) if store is not None else 0
    if isinstance(context.chat_data, dict) and message.chat.type == "private":
        context.chat_data.pop("turn", None)
    await message.reply_html(text(lang_for(update, context), "forgotten", n=deleted))


def stats_lines(store: FeedbackStore | None, lang: str) -> str:
    """The ``/stats`` lines: 👍 and 👎 per day (Bangkok time) over the last :data:`STATS_DAYS` days.

    It reads SQLite: call it in a database thread (:func:`thaigov_qa.db.off_loop`), as every other use of
    the store here is, never on the event loop."""
    if store is None:
        return ""
    days = store.daily(STATS_DAYS)
    if not days:
        return "\n\n" + text(lang, "feedback_stats_none")
    rows = "\n".join(f"{day}: 👍 {up} · 👎 {down}" for day, up, down in days)
    return "\n\n" + text(lang, "feedback_stats", days=STATS_DAYS) + "\n" + rows


async def job_purge(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete feedback rows older than ``FEEDBACK_RETENTION_DAYS`` (a few times a day)."""
    store = store_of(context)
    if store is not None:
        n = await off_loop(store.purge)
        if n:
            log.info("feedback: %d rows past the retention deleted", n)
