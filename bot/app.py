"""The Telegram application: wiring, the error handler, jobs, start-up, polling or webhook.

Handlers by concern live beside it, module-level in python-telegram-bot's style: ``bot.asking``
(questions), ``bot.conversation`` (follow-ups, /new, /lang), ``bot.commands`` (/start, /help, /latest,
/about), ``bot.admin`` (/stats, /reindex), ``bot.inline``, ``bot.feedback``, ``bot.alerts``; what they
share is ``bot.shared.QABot``. Why:

* Answering runs in worker threads (``asyncio.to_thread``) and the application processes updates
  concurrently, so a slow question (a long release, an LLM call) never holds up anyone else.
* One :class:`~bot.service.BotService` per process holds the index and the model; it reopens the index
  when a build moves the pointer, so the bot never needs a restart after ``index build``.
* Everything sent is Telegram HTML, escaped (``bot.format.esc``), split under 4,096 characters.
* The user's language (``/lang``, else Telegram's ``language_code``, Thai by default) picks the bot's
  messages; answers come in the question's language (or the ``/lang`` one).
* Privacy: question texts and user ids are logged only when ``LOG_QUESTIONS`` is on.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from urllib.parse import urlparse

from telegram import (
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
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

from bot import (
    admin,
    agenda,
    alerts,
    asking,
    commands,
    conversation,
    feedback,
    inline,
    logsafe,
    migration,
    ops,
)
from bot.feedback_store import FeedbackStore
from bot.format import MORE_PREFIX
from bot.persistence import SQLitePersistence
from bot.polling import SkippingUpdatesRequest
from bot.sending import RetryingRateLimiter
from bot.service import BotService
from bot.shared import QABot, qa_of
from thaigov_qa.messages import text
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

INDEX_REFRESH_SECONDS = 30.0
#: How often conversations older than CONVERSATION_MINUTES are dropped from chat_data.
STALE_TURNS_EVERY_SECONDS = 300.0


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception (secrets masked) and tell the user, in their language, that it failed."""
    error = context.error
    if error is None:
        return
    qa = qa_of(context)
    qa.service.counters.errors += 1
    log.error("error while handling an update: %s", logsafe.format_exception(error, qa.secrets))
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, Forbidden):
        return
    notice = text(qa.lang_of(update), "error")
    message = update.effective_message
    try:
        if message is not None:  # in its forum topic, where the user asked (a plain send goes to General)
            await message.reply_html(notice, do_quote=False)
        else:
            await context.bot.send_message(update.effective_chat.id, notice, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc.__class__.__name__)


async def job_refresh(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pick up a new index generation between questions, so no user pays for the reload."""
    await asyncio.to_thread(qa_of(context).service.refresh)


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def build_application(settings: Settings, service: BotService | None = None) -> Application:
    """The configured application (not started). ``service`` lets tests share one loaded index.

    Chat and user data (conversations, ``/lang``) persist in ``thaigov.sqlite`` (``bot.persistence``)."""
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    qa = QABot(settings, service or BotService(settings))
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
        .get_updates_request(SkippingUpdatesRequest())
        .concurrent_updates(True)
        .persistence(SQLitePersistence(settings.db_path))
        .build()
    )
    qa.application = application
    application.bot_data["qa"] = qa
    application.bot_data["feedback"] = FeedbackStore(settings.db_path, settings.feedback_retention_days)
    _add_handlers(application, qa, settings)
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            job_refresh, interval=INDEX_REFRESH_SECONDS, first=INDEX_REFRESH_SECONDS
        )
        application.job_queue.run_repeating(
            feedback.job_purge, interval=feedback.PURGE_EVERY_SECONDS, first=60
        )
        application.job_queue.run_repeating(
            conversation.job_drop_stale_turns, interval=STALE_TURNS_EVERY_SECONDS, first=60
        )
    return application


def _add_handlers(application: Application, qa: QABot, settings: Settings) -> None:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE
    # A group upgraded to a supergroup: its chat_data moves to the new id (bot.alerts moves its subscription).
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migration.on_migrate))
    for name, callback, where in (
        ("start", commands.cmd_start, new_message),
        ("help", commands.cmd_help, new_message),
        ("ask", asking.cmd_ask, new_message),
        ("new", conversation.cmd_new, new_message),
        ("lang", conversation.cmd_lang, new_message),
        ("forget", feedback.cmd_forget, new_message),
        ("latest", commands.cmd_latest, new_message),
        ("about", commands.cmd_about, new_message),
        ("stats", admin.cmd_stats, new_message),
        ("reindex", admin.cmd_reindex, new_message),
    ):
        application.add_handler(CommandHandler(name, callback, filters=where))
    application.add_handler(CallbackQueryHandler(asking.on_more_sources, pattern=f"^{MORE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(agenda.on_agenda_more, pattern=f"^{agenda.AGENDA_PREFIX}"))
    application.add_handler(
        CallbackQueryHandler(feedback.on_feedback, pattern=f"^{feedback.FEEDBACK_PREFIX}")
    )
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    alerts.install(application, settings)
    qa.alerts_installed = True
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
        log.error("loading the index failed: %s", logsafe.format_exception(exc, qa.secrets))


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
    service: BotService | None = None,
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
                application.bot_data["qa"].held.close()
                await ops.stopped(application)
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                await application.stop()
    finally:
        logsafe.uninstall(redaction)
        if hidden is not None:
            logsafe.uninstall(hidden)
        logsafe.restore(quieted)
