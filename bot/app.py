"""The Telegram application: wiring, admin commands, jobs, start-up, polling or webhook.

Handlers by concern live beside it: ``bot.asking`` (questions), ``bot.conversation`` (follow-ups, /new,
/lang), ``bot.commands`` (/start, /help, /latest, /about), ``bot.inline``, ``bot.feedback``. Why:

* Answering runs in worker threads (``asyncio.to_thread``) and the application processes updates
  concurrently, so a slow question (a long release, an LLM call) never holds up anyone else.
* One :class:`~bot.service.QAService` per process holds the index and the model; it reopens the index
  when a build moves the pointer, so the bot never needs a restart after ``index build``.
* Everything sent is Telegram HTML, escaped (``bot.format.esc``), split under 4,096 characters.
* The user's language (``/lang``, else Telegram's ``language_code``, Thai by default) picks the bot's
  messages; answers come in the question's language (or the ``/lang`` one).
* Privacy: question texts and user ids are logged only when ``LOG_QUESTIONS`` is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import secrets
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urlparse

from telegram import (
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import asking, commands, conversation, feedback, inline, logsafe, ops
from bot.asking import CachedAnswer
from bot.feedback_store import FeedbackStore
from bot.format import MORE_PREFIX, esc, split_html
from bot.messages import text, user_lang
from bot.persistence import SQLitePersistence
from bot.ratelimit import RateLimiter
from bot.sending import RetryingRateLimiter
from bot.service import IndexUnavailable, QAService
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: Answers kept for the "more sources" button (oldest forgotten first).
ANSWER_CACHE_SIZE = 1000
REINDEX_PROGRESS_SECONDS = 5.0
INDEX_REFRESH_SECONDS = 30.0


class QABot:
    """The handlers, sharing settings, the QA service, the rate limiter and the answer cache."""

    def __init__(self, settings: Settings, service: QAService) -> None:
        self.settings = settings
        self.service = service
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._keys = itertools.count(1)
        self._key_salt = secrets.token_hex(3)
        self._reindex_lock = asyncio.Lock()
        #: user id → (release URL, monotonic expiry): questions about the release card the user opened.
        self._scopes: OrderedDict[int, tuple[str, float]] = OrderedDict()
        self.alerts_installed = False
        self.application: Application | None = None  # set by build_application: users' /lang choices
        self._secrets = [
            settings.telegram_bot_token.get_secret_value(),
            settings.webhook_secret.get_secret_value(),
        ]

    # ------------------------------------------------------------------ helpers
    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.telegram_admin_ids

    def lang_of(self, update: Update) -> str:
        """The user's ``/lang`` choice (persisted user_data), else their Telegram language."""
        user = update.effective_user
        chosen = self.application.user_data.get(user.id, {}) if self.application and user else {}
        return chosen.get("lang") or user_lang(user.language_code if user else None)

    def _who(self, update: Update) -> str:
        """A user as the logs may name them: the id only when LOG_QUESTIONS allows it."""
        user = update.effective_user
        if self.settings.log_questions and user is not None:
            return f"user {user.id}"
        return "a user"

    async def _send(
        self, message: Message, html_text: str, quote: bool = False, **kwargs: Any
    ) -> list[Message]:
        """Send HTML as one or more messages (split under 4,096); the markup goes on the last part."""
        markup = kwargs.pop("reply_markup", None)
        parts = split_html(html_text) or [esc("…")]
        sent = []
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            sent.append(
                await message.reply_html(
                    part,
                    do_quote=quote and n == 0,
                    reply_markup=markup if last else None,
                    **kwargs,
                )
            )
        return sent

    def _remember(self, entry: CachedAnswer) -> str:
        key = f"{self._key_salt}{next(self._keys):x}"
        self._answers[key] = entry
        while len(self._answers) > ANSWER_CACHE_SIZE:
            self._answers.popitem(last=False)
        return key

    async def _index_problem(self, update: Update, exc: IndexUnavailable) -> None:
        lang = self.lang_of(update)
        message = update.effective_message
        if message is None:
            return
        if exc.missing:
            body = text(lang, "no_index")
            if self.is_admin(update.effective_user.id if update.effective_user else None):
                body += "\n\n" + text(lang, "no_index_admin")
        else:
            log.error("the index cannot be used: %s", exc)
            body = text(lang, "index_error")
            if self.is_admin(update.effective_user.id if update.effective_user else None):
                body += f"\n\n<code>{esc(exc)}</code>"
        await self._send(message, body)

    def _scope_of(self, user_id: int) -> str | None:
        """The release this user opened a card for in the last :data:`RELEASE_SCOPE_SECONDS`, if any."""
        scope = self._scopes.get(user_id)
        if scope is None:
            return None
        url, expires = scope
        if time.monotonic() > expires:
            del self._scopes[user_id]
            return None
        return url

    async def _about_text(self, lang: str) -> str:
        stats = await asyncio.to_thread(self.service.stats)
        return text(
            lang,
            "about",
            releases=esc(stats.get("releases", "?")),
            newest=esc(stats.get("newest_date") or "?"),
            chunks=esc(stats.get("chunks", "?")),
            model=esc(stats.get("model", self.settings.embedding_model)),
        )

    async def _require_admin(self, update: Update, command: str) -> bool:
        """True for admins; anyone else is refused politely and the attempt is logged."""
        user = update.effective_user
        if self.is_admin(user.id if user else None):
            return True
        log.warning(
            "admin command /%s refused for %s (not in TELEGRAM_ADMIN_IDS)", command, self._who(update)
        )
        if update.effective_message is not None:
            await self._send(update.effective_message, text(self.lang_of(update), "not_admin"))
        return False

    async def cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._require_admin(update, "stats") or update.effective_message is None:
            return
        lang = self.lang_of(update)
        try:
            about = await self._about_text(lang)
        except IndexUnavailable as exc:
            about = esc(exc)
        c = self.service.counters
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
        body += feedback.stats_lines(context.bot_data.get("feedback"), lang)
        await self._send(update.effective_message, body)

    async def cmd_reindex(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Incremental update from CORPUS_SOURCES in a thread; the progress message is edited as it goes."""
        message = update.effective_message
        if not await self._require_admin(update, "reindex") or message is None:
            return
        lang = self.lang_of(update)
        sources = self.settings.corpus_sources
        if not sources:
            await self._send(message, text(lang, "reindex_no_sources"))
            return
        if self._reindex_lock.locked():
            await self._send(message, text(lang, "reindex_busy"))
            return
        async with self._reindex_lock:
            from index.build.pipeline import IndexLocked, update_index

            names = ", ".join(f"<code>{esc(s)}</code>" for s in sources)
            [progress] = await self._send(message, text(lang, "reindex_started", sources=names))
            started = time.monotonic()
            task = asyncio.create_task(asyncio.to_thread(update_index, self.settings, progress=False))
            while True:
                done, _ = await asyncio.wait({task}, timeout=REINDEX_PROGRESS_SECONDS)
                if done:
                    break
                seconds = round(time.monotonic() - started)
                with contextlib.suppress(BadRequest):
                    await progress.edit_text(
                        text(lang, "reindex_progress", seconds=seconds), parse_mode=ParseMode.HTML
                    )
            try:
                report = task.result()
            except IndexLocked:
                log.info("reindex refused: another writer holds the index lock")
                await progress.edit_text(text(lang, "reindex_locked"), parse_mode=ParseMode.HTML)
                return
            except Exception as exc:  # noqa: BLE001 - reported to the admin, logged with its traceback
                log.error("reindex failed: %s", logsafe.format_exception(exc, self._secrets))
                await progress.edit_text(
                    text(lang, "reindex_failed", error=esc(exc)), parse_mode=ParseMode.HTML
                )
                return
            await asyncio.to_thread(self.service.refresh)
            body = text(
                lang,
                "reindex_done",
                seconds=round(time.monotonic() - started, 1),
                new=len(getattr(report, "new_urls", []) or []),
                changed=len(getattr(report, "changed_urls", []) or []),
                removed=len(getattr(report, "removed_urls", []) or []),
                releases=getattr(report, "releases", "?"),
                chunks=getattr(report, "chunks", "?"),
                embedded=getattr(report, "embedded", "?"),
            )
            await progress.edit_text(body, parse_mode=ParseMode.HTML)

    # ------------------------------------------------------------------ errors and jobs
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the exception (secrets masked) and tell the user, in their language, that it failed."""
        error = context.error
        if error is None:
            return
        self.service.counters.errors += 1
        log.error("error while handling an update: %s", logsafe.format_exception(error, self._secrets))
        if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, Forbidden):
            return
        try:
            await context.bot.send_message(
                update.effective_chat.id, text(self.lang_of(update), "error"), parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.warning("could not tell the user about the error: %s", exc.__class__.__name__)

    async def job_refresh(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Pick up a new index generation between questions, so no user pays for the reload."""
        await asyncio.to_thread(self.service.refresh)


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _install_alerts(application: Application, settings: Settings) -> bool:
    """Plug in ``bot.alerts`` (subscriptions and the poll job) when that part is present."""
    try:
        from bot import alerts
    except ModuleNotFoundError as exc:
        if exc.name != "bot.alerts":
            raise
        return False
    install = getattr(alerts, "install", None)
    if install is None:
        return False
    install(application, settings)
    return True


def build_application(settings: Settings, service: QAService | None = None) -> Application:
    """The configured application (not started). ``service`` lets tests share one loaded index.

    Chat and user data (conversations, ``/lang``) persist in ``thaigov.sqlite`` (``bot.persistence``)."""
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    qa = QABot(settings, service or QAService(settings))
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW, allow_sending_without_reply=True
            )
        )
        .rate_limiter(RetryingRateLimiter(max_retries=3))
        .concurrent_updates(True)
        .persistence(SQLitePersistence(settings.db_path))
        .build()
    )
    qa.application = application
    application.bot_data["qa"] = qa
    application.bot_data["feedback"] = FeedbackStore(settings.db_path, settings.feedback_retention_days)
    _add_handlers(application, qa, settings)
    application.add_error_handler(qa.on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            qa.job_refresh, interval=INDEX_REFRESH_SECONDS, first=INDEX_REFRESH_SECONDS
        )
        application.job_queue.run_repeating(
            feedback.job_purge, interval=feedback.PURGE_EVERY_SECONDS, first=60
        )
    return application


def _add_handlers(application: Application, qa: QABot, settings: Settings) -> None:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE
    for name, callback, where in (
        ("start", commands.cmd_start, new_message & private),
        ("help", commands.cmd_help, new_message),
        ("ask", asking.cmd_ask, new_message),
        ("new", conversation.cmd_new, new_message),
        ("lang", conversation.cmd_lang, new_message),
        ("forget", feedback.cmd_forget, new_message),
        ("latest", commands.cmd_latest, new_message),
        ("about", commands.cmd_about, new_message),
        ("stats", qa.cmd_stats, new_message),
        ("reindex", qa.cmd_reindex, new_message),
    ):
        application.add_handler(CommandHandler(name, callback, filters=where))
    application.add_handler(CallbackQueryHandler(asking.on_more_sources, pattern=f"^{MORE_PREFIX}"))
    application.add_handler(
        CallbackQueryHandler(feedback.on_feedback, pattern=f"^{feedback.FEEDBACK_PREFIX}")
    )
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    qa.alerts_installed = _install_alerts(application, settings)
    ops.install(application, settings)
    # Added after every command handler (alerts' included), so they only see what nothing else took.
    application.add_handler(
        MessageHandler(new_message & private & filters.TEXT & ~filters.COMMAND, asking.on_private_text)
    )
    application.add_handler(
        MessageHandler(new_message & groups & filters.TEXT & ~filters.COMMAND, asking.on_group_text)
    )
    application.add_handler(
        MessageHandler(
            new_message & private & (filters.COMMAND | ~filters.TEXT) & ~filters.StatusUpdate.ALL,
            asking.on_private_other,
        )
    )
    # Any other button (an old one whose data this version does not know) is still answered.
    application.add_handler(CallbackQueryHandler(feedback.on_feedback))


async def on_startup(application: Application) -> None:
    """Set the command menu (Thai by default, English for English clients) and load index and model."""
    qa: QABot = application.bot_data["qa"]
    await commands.set_menus(application.bot, qa.alerts_installed)
    try:
        await asyncio.to_thread(qa.service.warm_up)
    except Exception as exc:  # noqa: BLE001 - questions will report the problem; the bot still starts
        log.error("loading the index failed: %s", logsafe.format_exception(exc, qa._secrets))


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or a random one for this run (Telegram then sends it back; others cannot guess it)."""
    secret = settings.webhook_secret.get_secret_value()
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ValueError("WEBHOOK_SECRET may contain only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
    return secret or secrets.token_urlsafe(32)


async def start_updater(application: Application, settings: Settings, poll_timeout: int = 10) -> str:
    """Start receiving updates: a webhook when WEBHOOK_URL is set, else long polling. Returns the mode."""
    updater = application.updater
    assert updater is not None
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/")
        await updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret(settings),
        )
        log.info(
            "receiving updates by webhook on %s:%d/%s", settings.webhook_listen, settings.webhook_port, path
        )
        return "webhook"
    await updater.start_polling(timeout=poll_timeout, poll_interval=0.0)
    log.info("receiving updates by long polling")
    return "polling"


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    service: QAService | None = None,
    ready: asyncio.Event | None = None,
    poll_timeout: int = 10,
) -> None:
    """Run the bot until ``stop`` is set: start-up, polling or webhook, clean shutdown.

    Secrets are masked in every log line for the whole run (``bot.logsafe``), whoever logs them.
    """
    # Before the redaction filter, which formats messages: then the update data is gone from the args.
    hidden = None if settings.log_questions else logsafe.hide_update_data()
    redaction = logsafe.install(
        [settings.telegram_bot_token.get_secret_value(), settings.webhook_secret.get_secret_value()]
    )
    # python-telegram-bot logs whole updates (texts, user ids) at DEBUG: only with LOG_QUESTIONS.
    quieted = [] if settings.log_questions else logsafe.at_least(logging.INFO, "telegram", "httpcore")
    try:
        application = build_application(settings, service)
        async with application:
            await on_startup(application)
            await application.start()
            try:
                mode = await start_updater(application, settings, poll_timeout)
                await ops.started(application, settings, application.bot_data["qa"].service, mode)
                if ready is not None:
                    ready.set()
                await stop.wait()
            finally:
                await ops.stopped(application)
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                await application.stop()
    finally:
        logsafe.uninstall(redaction)
        if hidden is not None:
            logsafe.uninstall(hidden)
        logsafe.restore(quieted)
