"""The admins' commands: ``/stats`` and ``/reindex`` (only for TELEGRAM_ADMIN_IDS).

Why a module of their own: they are the only handlers that change or expose the deployment (a reindex
writes the index; the counters say who asks how much), so the admin check sits with them and nowhere
else. Module-level handlers in python-telegram-bot's style, sharing ``bot.shared.QABot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import feedback, logsafe
from bot.format import esc
from bot.shared import QABot, qa_of
from index.service import IndexUnavailable
from thaigov_qa.db import off_loop
from thaigov_qa.messages import text

log = logging.getLogger(__name__)

REINDEX_PROGRESS_SECONDS = 5.0


async def require_admin(qa: QABot, update: Update, command: str) -> bool:
    """True for admins; anyone else is refused politely and the attempt is logged."""
    user = update.effective_user
    if qa.is_admin(user.id if user else None):
        return True
    log.warning("admin command /%s refused for %s (not in TELEGRAM_ADMIN_IDS)", command, qa.who(update))
    if update.effective_message is not None:
        await qa.send(update.effective_message, text(qa.lang_of(update), "not_admin"))
    return False


async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/stats``: uptime, questions, answers not found, latency, users, the index, the feedback."""
    qa = qa_of(context)
    if not await require_admin(qa, update, "stats") or update.effective_message is None:
        return
    lang = qa.lang_of(update)
    try:
        about = await qa.about_text(lang)
    except IndexUnavailable as exc:
        about = esc(exc)
    c = qa.service.counters
    uptime = int(time.monotonic() - c.started)
    body = text(
        lang,
        "stats",
        uptime=f"{uptime // 3600}:{uptime % 3600 // 60:02d}:{uptime % 60:02d}",
        questions=c.questions,
        not_found=c.not_found,
        avg_ms=c.average_ms(),
        rate_limited=c.rate_limited,
        errors=c.errors,
        users=len(c.users),
        about=about,
    )
    body += await off_loop(feedback.stats_lines, context.bot_data.get("feedback"), lang)
    await qa.send(update.effective_message, body)


async def cmd_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Incremental update from CORPUS_SOURCES in a thread; the progress message is edited as it goes."""
    qa = qa_of(context)
    message = update.effective_message
    if not await require_admin(qa, update, "reindex") or message is None:
        return
    lang = qa.lang_of(update)
    sources = qa.settings.corpus_sources
    if not sources:
        await qa.send(message, text(lang, "reindex_no_sources"))
        return
    if qa.reindex_lock.locked():
        await qa.send(message, text(lang, "reindex_busy"))
        return
    async with qa.reindex_lock:
        from index.build.pipeline import IndexLocked, update_index

        names = ", ".join(f"<code>{esc(s)}</code>" for s in sources)
        # The note the progress is edited into; none when flood control holds it (sent later by bot.later).
        sent = await qa.send(message, text(lang, "reindex_started", sources=names))
        progress = sent[-1] if sent else None
        started = time.monotonic()
        task = asyncio.create_task(asyncio.to_thread(update_index, qa.settings, progress=False))
        while True:
            done, _ = await asyncio.wait({task}, timeout=REINDEX_PROGRESS_SECONDS)
            if done:
                break
            seconds = round(time.monotonic() - started)
            # Only a progress note: a failed edit (not modified, a network error after the retries) must
            # not end the handler while the update runs on, its result never reported.
            if progress is None:
                continue
            with contextlib.suppress(TelegramError):
                await progress.edit_text(
                    text(lang, "reindex_progress", seconds=seconds), parse_mode=ParseMode.HTML
                )
        try:
            report = task.result()
        except IndexLocked:
            log.info("reindex refused: another writer holds the index lock")
            await _report(qa, message, progress, text(lang, "reindex_locked"))
            return
        except Exception as exc:  # noqa: BLE001 - reported to the admin, logged with its traceback
            log.error("reindex failed: %s", logsafe.format_exception(exc, qa.secrets))
            error = esc(_shortened(str(exc), ERROR_CHARS))
            await _report(qa, message, progress, text(lang, "reindex_failed", error=error))
            return
        await asyncio.to_thread(qa.service.refresh)
        body = text(
            lang,
            "reindex_done",
            seconds=round(time.monotonic() - started, 1),
            new=len(report.new_urls),
            changed=len(report.changed_urls),
            removed=len(report.removed_urls),
            releases=report.releases,
            chunks=report.chunks,
            embedded=report.embedded,
        )
        await _report(qa, message, progress, body)


#: Most characters of an exception's text a failed reindex shows (an edit is one message: 4,096 in all).
ERROR_CHARS = 1000


def _shortened(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


async def _report(qa: QABot, message: Message, progress: Message | None, body: str) -> None:
    """The reindex's outcome, edited into its progress note; sent as a new message when there is no note
    (held by flood control) or the edit fails (a network error): the admin always learns how it ended."""
    if progress is not None:
        try:
            await progress.edit_text(body, parse_mode=ParseMode.HTML)
            return
        except TelegramError as exc:
            log.warning("the reindex's outcome could not replace its progress note: %s", type(exc).__name__)
    await qa.send(message, body)
