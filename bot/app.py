"""The Telegram application: handlers, jobs, start-up, polling or webhook.

Design choices, and why:

* Answering runs in worker threads (``asyncio.to_thread``) and the application processes updates
  concurrently, so a slow question (a long release, an LLM call) never holds up anyone else.
* One :class:`~bot.service.QAService` per process holds the index and the model; it reopens the index
  when a build moves the pointer, so the bot never needs a restart after ``index build``.
* Everything sent is Telegram HTML, escaped (``bot.format.esc``), split under 4,096 characters.
* The user's language (Telegram's ``language_code``, Thai by default) picks the bot's own messages;
  answers come in the question's language from ``index.reply``.
* Privacy: question texts and user ids are logged only when ``LOG_QUESTIONS`` is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import logging
import re
import secrets
import time
import unicodedata
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import logsafe, ops
from bot.busy import Busy, busy_text
from bot.format import (
    MORE_PREFIX,
    clean_text,
    esc,
    more_sources_keyboard,
    render_latest,
    render_more_sources,
    render_release_card,
    split_html,
)
from bot.messages import ALERT_COMMANDS, COMMANDS, text, user_lang
from bot.ratelimit import RateLimiter
from bot.sending import RetryingRateLimiter
from bot.service import IndexUnavailable, QAService
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: Longest question passed to the answerer; the model reads ~512 tokens anyway.
MAX_QUESTION_CHARS = 1000
#: Answers kept for the "more sources" button (oldest forgotten first).
ANSWER_CACHE_SIZE = 1000
LATEST_DEFAULT, LATEST_MAX = 5, 20
REINDEX_PROGRESS_SECONDS = 5.0
INDEX_REFRESH_SECONDS = 30.0
TYPING_EVERY_SECONDS = 4.5
#: After a release card (an alert's deep link), the user's private questions are answered from that release
#: first for this long; a question the release does not answer is answered from all releases.
RELEASE_SCOPE_SECONDS = 600.0
#: Users whose release scope is remembered at most (oldest dropped first).
RELEASE_SCOPE_USERS = 1000

_GREETINGS = {
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "good morning",
    "good afternoon",
    "good evening",
    "thanks",
    "thank you",
    "thx",
    "ok",
    "okay",
    "start",
    "help",
    "สวัสดี",
    "หวัดดี",
    "ดีจ้า",
    "ดี",
    "ขอบคุณ",
    "ขอบคุณมาก",
    "ขอบใจ",
    "โอเค",
    "ช่วยด้วย",
}
_PARTICLES = re.compile(r"(?:\s*(?:ครับผม|ครับ|คับ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|จ๊ะ|นะ|ฮะ|ค่ะ))+$")


def is_small_talk(value: str) -> bool:
    """A greeting, a thank-you or text with no letters or digits (emoji, punctuation): not a question."""
    letters = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in value.lower())
    words = " ".join(letters.split())
    if not words:
        return True
    words = _PARTICLES.sub("", words).strip()
    return not words or words in _GREETINGS


@dataclass
class _CachedAnswer:
    answer: Any
    lang: str
    html: str = ""  # the last part as sent, which the "more sources" button extends
    chat_id: int = 0
    message_id: int = 0


class QABot:
    """The handlers, sharing settings, the QA service, the rate limiter and the answer cache."""

    def __init__(self, settings: Settings, service: QAService) -> None:
        self.settings = settings
        self.service = service
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self._answers: OrderedDict[str, _CachedAnswer] = OrderedDict()
        self._keys = itertools.count(1)
        self._key_salt = secrets.token_hex(3)
        self._reindex_lock = asyncio.Lock()
        #: user id → (release URL, monotonic expiry): questions about the release card the user opened.
        self._scopes: OrderedDict[int, tuple[str, float]] = OrderedDict()
        self.alerts_installed = False
        self._secrets = [
            settings.telegram_bot_token.get_secret_value(),
            settings.webhook_secret.get_secret_value(),
        ]

    # ------------------------------------------------------------------ helpers
    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.telegram_admin_ids

    @staticmethod
    def lang_of(update: Update) -> str:
        user = update.effective_user
        return user_lang(user.language_code if user else None)

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

    @contextlib.asynccontextmanager
    async def _typing(self, update: Update) -> AsyncIterator[None]:
        """Show "typing…" for as long as the block runs (Telegram clears it after ~5 s)."""
        chat = update.effective_chat

        async def keep_typing() -> None:
            while chat is not None:
                try:
                    await chat.send_action(ChatAction.TYPING)
                except TelegramError as exc:
                    log.debug("typing action failed: %s", exc)
                await asyncio.sleep(TYPING_EVERY_SECONDS)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _remember(self, entry: _CachedAnswer) -> str:
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

    # ------------------------------------------------------------------ questions
    async def answer(self, update: Update, question: str) -> None:
        """Answer ``question`` from ``update``'s user: the path every kind of question takes."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        lang = self.lang_of(update)
        question = " ".join(clean_text(question).split())
        in_group = message.chat.type != ChatType.PRIVATE
        if is_small_talk(question):
            await self._send(message, text(lang, "group_usage" if in_group else "short_help"), quote=in_group)
            return
        note = ""
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            note = text(lang, "question_truncated", n=MAX_QUESTION_CHARS)
        wait = self.limiter.check(user.id)
        if wait:
            self.service.counters.rate_limited += 1
            log.info("rate limit: %s asked more than %d a minute", self._who(update), self.limiter.per_minute)
            if self.limiter.should_notify(user.id, wait):
                body = text(lang, "rate_limited", limit=self.limiter.per_minute, seconds=max(1, round(wait)))
                await self._send(message, body, quote=in_group)
            return
        self.service.counters.users.add(user.id)
        if self.settings.log_questions:
            log.info("question from user %s in chat %s: %r", user.id, message.chat_id, question)
        started = time.monotonic()
        within = None if in_group else self._scope_of(user.id)
        try:
            async with self._typing(update):
                answer = await self.service.gate.run(self.service.ask, question, within)
        except IndexUnavailable as exc:
            await self._index_problem(update, exc)
            return
        except Busy:
            await self._send(message, esc(busy_text(lang)), quote=in_group)
            return
        body = getattr(answer, "reply", "") or _render_html(answer)
        if note:
            body = f"<i>{esc(note)}</i>\n\n{body}"
        log.info(
            "answered in %d ms (answerer %s ms, found=%s, %d sources)",
            (time.monotonic() - started) * 1000,
            getattr(answer, "ms", "?"),
            getattr(answer, "found", "?"),
            len(getattr(answer, "sources", []) or []),
        )
        sources = list(getattr(answer, "sources", []) or [])
        entry = _CachedAnswer(answer, lang)
        more = len(sources) > _reply_sources()
        markup = more_sources_keyboard(self._remember(entry), lang) if more else None
        sent = await self._send(message, body, quote=in_group, reply_markup=markup)
        if sent:
            entry.html = split_html(body)[-1] if body else ""
            entry.chat_id, entry.message_id = sent[-1].chat_id, sent[-1].message_id

    async def on_more_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The "more sources" button: extend the message with every source and its passage."""
        query = update.callback_query
        if query is None or not query.data or not query.data.startswith(MORE_PREFIX):
            return
        lang = self.lang_of(update)
        entry = self._answers.get(query.data[len(MORE_PREFIX) :])
        if entry is None or not entry.html:
            await query.answer(html.unescape(text(lang, "more_expired")))
            if isinstance(query.message, Message):
                with contextlib.suppress(BadRequest):
                    await query.message.edit_reply_markup(reply_markup=None)
            return
        await query.answer()
        answer_lang = getattr(entry.answer, "lang", lang)
        sources = list(getattr(entry.answer, "sources", []) or [])
        extra = render_more_sources(sources, answer_lang, start=_reply_sources())
        combined = f"{entry.html}\n\n{extra}"
        message = query.message
        if not isinstance(message, Message):
            return
        if len(split_html(combined)) == 1:
            try:
                await message.edit_text(combined, parse_mode=ParseMode.HTML, reply_markup=None)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
        else:
            with contextlib.suppress(BadRequest):
                await message.edit_reply_markup(reply_markup=None)
            await self._send(message, extra)
        entry.html = ""  # shown once; a second press gets the "too old" notice

    async def on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await self.answer(update, message.text or "")

    async def on_group_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In groups, answer only messages that mention the bot or reply to it."""
        message = update.effective_message
        if message is None or not message.text:
            return
        username = (context.bot.username or "").lower()
        mentioned = any(
            message.parse_entity(entity).lower() == f"@{username}"
            for entity in message.entities
            if entity.type == MessageEntity.MENTION
        )
        replied = message.reply_to_message is not None and (
            message.reply_to_message.from_user is not None
            and message.reply_to_message.from_user.id == context.bot.id
        )
        if not (mentioned or replied):
            return
        question = (
            re.sub(rf"@{re.escape(username)}\b", " ", message.text, flags=re.IGNORECASE) if username else ""
        )
        await self.answer(update, question or message.text)

    async def on_private_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, voice note or unknown command in a private chat: the short help."""
        message = update.effective_message
        if message is not None:
            await self._send(message, text(self.lang_of(update), "short_help"))

    # ------------------------------------------------------------------ commands
    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` shows the help; ``/start r<release id>`` (an alert's deep link) shows that release."""
        message = update.effective_message
        if message is None:
            return
        payload = context.args[0] if context.args else ""
        match = re.fullmatch(r"r(\d{1,12})", payload)
        if match:
            await self._start_release(update, match.group(1))
            return
        if update.effective_user is not None:
            self._scopes.pop(update.effective_user.id, None)  # a plain /start: back to all releases
        await self.cmd_help(update, context)

    async def _start_release(self, update: Update, release_id: str) -> None:
        message = update.effective_message
        assert message is not None
        lang = self.lang_of(update)
        try:
            release = await asyncio.to_thread(self.service.release_by_id, release_id)
        except IndexUnavailable as exc:
            await self._index_problem(update, exc)
            return
        if release is None:
            await self._send(message, text(lang, "release_unknown"))
            return
        user = update.effective_user
        if user is not None and message.chat.type == ChatType.PRIVATE:
            self._scopes.pop(user.id, None)
            self._scopes[user.id] = (release.url, time.monotonic() + RELEASE_SCOPE_SECONDS)
            while len(self._scopes) > RELEASE_SCOPE_USERS:
                self._scopes.popitem(last=False)
        await self._send(message, render_release_card(release, lang), link_preview_options=_NO_PREVIEW)

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

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        lang = self.lang_of(update)
        extra = text(lang, "help_alerts") if self.alerts_installed else ""
        if self.is_admin(update.effective_user.id if update.effective_user else None):
            extra += text(lang, "help_admin")
        body = text(lang, "help", username=esc(context.bot.username or "bot"), extra=extra)
        await self._send(message, body, link_preview_options=_NO_PREVIEW)

    async def cmd_ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/ask question`` (groups and private chats); the text after the command is the question."""
        message = update.effective_message
        if message is None or not message.text:
            return
        command = next(
            (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None
        )
        question = (
            message.text[len(message.parse_entity(command)) :] if command else " ".join(context.args or [])
        )
        if not question.strip():
            in_group = message.chat.type != ChatType.PRIVATE
            await self._send(message, text(self.lang_of(update), "group_usage"), quote=in_group)
            return
        await self.answer(update, question)

    async def cmd_latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        n = LATEST_DEFAULT
        if context.args and context.args[0].isdigit():
            n = max(1, min(LATEST_MAX, int(context.args[0])))
        try:
            releases = await asyncio.to_thread(self.service.latest, n)
        except IndexUnavailable as exc:
            await self._index_problem(update, exc)
            return
        await self._send(
            message, render_latest(releases, self.lang_of(update)), link_preview_options=_NO_PREVIEW
        )

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

    async def cmd_about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        try:
            body = await self._about_text(self.lang_of(update))
        except IndexUnavailable as exc:
            await self._index_problem(update, exc)
            return
        await self._send(message, body)

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
            from index.build import IndexLocked, update_index

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


def _reply_sources() -> int:
    """How many sources a reply lists itself (the button shows the others)."""
    from index.reply import REPLY_SOURCES

    return REPLY_SOURCES


def _render_html(answer: Any) -> str:
    from index.reply import render_html

    return render_html(answer)


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
    """The configured application (not started). ``service`` lets tests share one loaded index."""
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
        .build()
    )
    application.bot_data["qa"] = qa
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", qa.cmd_start, filters=new_message & private))
    application.add_handler(CommandHandler("help", qa.cmd_help, filters=new_message))
    application.add_handler(CommandHandler("ask", qa.cmd_ask, filters=new_message))
    application.add_handler(CommandHandler("latest", qa.cmd_latest, filters=new_message))
    application.add_handler(CommandHandler("about", qa.cmd_about, filters=new_message))
    application.add_handler(CommandHandler("stats", qa.cmd_stats, filters=new_message))
    application.add_handler(CommandHandler("reindex", qa.cmd_reindex, filters=new_message))
    application.add_handler(CallbackQueryHandler(qa.on_more_sources, pattern=f"^{MORE_PREFIX}"))
    qa.alerts_installed = _install_alerts(application, settings)
    ops.install(application, settings)
    # Added after every command handler (alerts' included), so they only see what nothing else took.
    application.add_handler(
        MessageHandler(new_message & private & filters.TEXT & ~filters.COMMAND, qa.on_private_text)
    )
    application.add_handler(
        MessageHandler(new_message & groups & filters.TEXT & ~filters.COMMAND, qa.on_group_text)
    )
    application.add_handler(
        MessageHandler(
            new_message & private & (filters.COMMAND | ~filters.TEXT) & ~filters.StatusUpdate.ALL,
            qa.on_private_other,
        )
    )
    application.add_error_handler(qa.on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            qa.job_refresh, interval=INDEX_REFRESH_SECONDS, first=INDEX_REFRESH_SECONDS
        )
    return application


def _commands(lang: str, with_alerts: bool) -> list[BotCommand]:
    rows = COMMANDS + (ALERT_COMMANDS if with_alerts else [])
    return [BotCommand(name, th if lang == "th" else en) for name, th, en in rows]


async def on_startup(application: Application) -> None:
    """Set the command menu (Thai by default, English for English clients) and load index and model."""
    qa: QABot = application.bot_data["qa"]
    bot = application.bot
    await bot.set_my_commands(_commands("th", qa.alerts_installed), scope=BotCommandScopeDefault())
    await bot.set_my_commands(
        _commands("en", qa.alerts_installed), scope=BotCommandScopeDefault(), language_code="en"
    )
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
