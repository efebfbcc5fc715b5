"""👍/👎 under each answer, ``/forget``, and the feedback lines of ``/stats``.

Why the button carries a random key and nothing else (``fb:u:<key>``, 17 bytes of the 64 Telegram
allows): the vote is recorded against that key in SQLite (``bot.feedback_store``), so a button pressed
after a restart still counts, and pressed twice counts once. A press is always answered
(``answerCallbackQuery``), even when the data is not ours any more or the store fails, so the user's
client never spins. What is kept depends on ``LOG_QUESTIONS`` (see ``bot.feedback_store``). The store is
used in the database's threads (:func:`thaigov_qa.db.off_loop`), never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import lang_for
from bot.feedback_store import DOWN, UP, FeedbackStore
from bot.shared import qa_of
from thaigov_qa.db import off_loop
from thaigov_qa.messages import text

log = logging.getLogger(__name__)

FEEDBACK_PREFIX = "fb:"
_DATA = re.compile(r"fb:([ud]):([A-Za-z0-9_-]{6,40})")
PURGE_EVERY_SECONDS = 6 * 3600
STATS_DAYS = 7
#: How long a press waits for its vote to be written before it is answered anyway.
VOTE_WAIT_SECONDS = 5.0


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
    """An answer's buttons: 👍 👎 (when ``key``), then the rows of ``more`` ("show N more", "more
    sources")."""
    first = InlineKeyboardMarkup([feedback_row(key)]) if key else None
    return stacked(first, more)


def stacked(*markups: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The rows of every given keyboard, in order, as one (None when there are none): a message carries
    one keyboard, so buttons from several features share it."""
    rows = [list(r) for m in markups if m is not None for r in m.inline_keyboard]
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
            outcome = await _vote(store, match.group(2), query.from_user.id, verdict)
            notice = text(lang, "feedback_same" if outcome == "same" else "feedback_thanks")
    finally:
        with contextlib.suppress(TelegramError):
            await query.answer(_plain(notice))


async def _vote(store: FeedbackStore, key: str, user_id: int, verdict: str) -> str:
    """The vote's outcome, or ``"pending"`` when the database is still busy after
    :data:`VOTE_WAIT_SECONDS`: the press is answered then (Telegram drops an answer to a press older than
    ~15 s and the user's client spins), and the vote is recorded when the lock frees (an ``index build``
    holds the write lock for its transactions; a writer waits up to ``BUSY_TIMEOUT_MS``)."""
    task = asyncio.ensure_future(off_loop(store.vote, key, user_id, verdict))
    try:
        outcome = await asyncio.wait_for(asyncio.shield(task), VOTE_WAIT_SECONDS)
    except TimeoutError:
        task.add_done_callback(_late_vote)
        return "pending"
    log.info("feedback: %s (%s)", verdict, outcome)
    return outcome


def _late_vote(task: asyncio.Future[str]) -> None:
    """Said in the log: a vote written after its press was answered, or lost."""
    if task.cancelled() or task.exception() is not None:
        log.error(
            "a feedback vote could not be recorded: %r", "cancelled" if task.cancelled() else task.exception()
        )
    else:
        log.info("feedback: recorded late (%s)", task.result())


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
    await qa_of(context).send(message, text(lang_for(update, context), "forgotten", n=deleted))


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
