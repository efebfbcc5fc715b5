"""What every handler shares: settings, the QA service, the rate limiter, the "more sources" payloads.

Why a module of its own: the handlers by concern (``bot.asking`` questions, ``bot.commands`` user
commands, ``bot.admin`` admin commands, ``bot.inline``, ``bot.feedback``) are module-level functions in
python-telegram-bot's style and find one :class:`QABot` on ``context.bot_data["qa"]`` through
:func:`qa_of`; ``bot.app`` only wires them. State that belongs to a user or a chat lives in PTB's
``user_data`` / ``chat_data`` (persisted by ``bot.persistence``): the ``/lang`` choice, the conversation
turns, the release a user opened from an alert (:func:`release_scope`), and what a "more sources" button
needs (:func:`keep_more_sources`): the reply's last HTML part, its language and the sources as plain
data, in ``chat_data`` so that a button from before a restart still works; the last
:data:`MORE_SOURCES_PER_CHAT` answers of each chat, so one busy chat cannot grow its row without end.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.format import esc, kept_passage, split_html
from bot.later import HeldReplies, send_parts
from bot.ratelimit import RateLimiter
from bot.service import BotService
from index.answer import Source
from index.answer.words import has_thai
from index.service import IndexUnavailable
from thaigov_qa.messages import text, user_lang
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: Answers of one chat whose "more sources" button still works (oldest forgotten first).
MORE_SOURCES_PER_CHAT = 20
_MORE_KEY = "more_sources"
#: After a release card (an alert's deep link), the user's private questions are answered from that release
#: first for this long; a question the release does not answer is answered from all releases.
RELEASE_SCOPE_SECONDS = 600.0
_SCOPE_KEY = "release_scope"


@dataclass
class MoreSources:
    """What a "more sources" button adds to its reply (:func:`keep_more_sources`)."""

    html: str  # the reply's last part as sent, which the button extends
    lang: str  # the reply's language
    sources: list[Source]


class QABot:
    """The objects the handlers share (see the module docstring)."""

    def __init__(self, settings: Settings, service: BotService) -> None:
        self.settings = settings
        self.service = service
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        #: Inline queries come as the user types: a looser limit of their own.
        self.inline_limiter = RateLimiter(max(20, 3 * settings.rate_limit_per_minute))
        self.reindex_lock = asyncio.Lock()
        self.held = HeldReplies()
        self.alerts_installed = False
        self.application: Application | None = None  # set by build_application: users' /lang choices
        self.secrets = [
            settings.telegram_bot_token.get_secret_value(),
            settings.webhook_secret.get_secret_value(),
        ]

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.telegram_admin_ids

    def lang_of(self, update: Update) -> str:
        """The user's ``/lang`` choice (persisted user_data), else their Telegram language."""
        user = update.effective_user
        return self._chosen_lang(update) or user_lang(user.language_code if user else None)

    def talk_lang(self, update: Update, said: str) -> str:
        """The language to answer small talk in: the user's ``/lang`` choice, else the language the
        message is written in ("thanks bot" from a Thai-speaking account is answered in English), else
        their Telegram language (an emoji)."""
        chosen = self._chosen_lang(update)
        if chosen:
            return chosen
        if has_thai(said):
            return "th"
        return "en" if re.search(r"[A-Za-z]", said) else self.lang_of(update)

    def _chosen_lang(self, update: Update) -> str:
        """The user's ``/lang`` choice ("" when none: the persisted user_data has no ``lang``)."""
        user = update.effective_user
        chosen = self.application.user_data.get(user.id, {}) if self.application and user else {}
        return str(chosen.get("lang") or "")

    def who(self, update: Update) -> str:
        """A user as the logs may name them: the id only when LOG_QUESTIONS allows it."""
        user = update.effective_user
        if self.settings.log_questions and user is not None:
            return f"user {user.id}"
        return "a user"

    async def send(
        self, message: Message, html_text: str, quote: bool = False, **kwargs: Any
    ) -> list[Message]:
        """Send HTML as one or more messages (split under 4,096); the markup goes on the last part. A part
        Telegram's flood control holds back for long is sent, with the rest, after the wait
        (:mod:`bot.later`); the messages sent now are returned."""
        markup = kwargs.pop("reply_markup", None)
        parts = split_html(html_text) or [esc("…")]
        sent: list[Message] = []
        try:
            await send_parts(message, parts, quote, markup, kwargs, sent)
        except RetryAfter as wait:  # a long flood wait (bot.sending): the rest is sent after it
            self.held.hold(message, parts, quote and not sent, markup, kwargs, wait)
        return sent

    async def index_problem(self, update: Update, exc: IndexUnavailable) -> None:
        """Tell the user the index cannot answer now (admins: why, and what to run)."""
        lang = self.lang_of(update)
        message = update.effective_message
        if message is None:
            return
        admin = self.is_admin(update.effective_user.id if update.effective_user else None)
        if exc.missing:
            body = text(lang, "no_index")
            if admin:
                body += "\n\n" + text(lang, "no_index_admin")
        else:
            log.error("the index cannot be used: %s", exc)
            body = text(lang, "index_error")
            if admin:
                body += f"\n\n<code>{esc(exc)}</code>"
        await self.send(message, body)

    async def about_text(self, lang: str) -> str:
        stats = await asyncio.to_thread(self.service.stats)
        return text(
            lang,
            "about",
            releases=esc(stats.get("releases", "?")),
            newest=esc(stats.get("newest_date") or "?"),
            chunks=esc(stats.get("chunks", "?")),
            model=esc(stats.get("model", self.settings.embedding_model)),
        )


def qa_of(context: ContextTypes.DEFAULT_TYPE) -> QABot:
    """The shared :class:`QABot` of this application (``bot.app.build_application`` puts it there)."""
    qa = context.bot_data["qa"]
    assert isinstance(qa, QABot)
    return qa


async def answer_press(query: CallbackQuery, notice: str | None = None) -> None:
    """Answer a button press (stop the client's spinner, show ``notice``), never failing the handler.

    Why: Telegram refuses the answer to a press older than about 15 seconds ("query is too old", e.g. one
    pressed while the bot restarted, which the persisted buttons are meant to survive); the reply the
    press asks for (more sources, the rest of an agenda) must still be sent, not lost with the answer.
    """
    try:
        await query.answer(notice)
    except TelegramError as exc:
        log.info("a button press could not be answered: %s", exc.__class__.__name__)


def release_scope(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The release this user opened a card for in the last :data:`RELEASE_SCOPE_SECONDS`, if any."""
    data = context.user_data
    scope = data.get(_SCOPE_KEY) if isinstance(data, dict) else None
    if not isinstance(scope, dict):
        return None
    if time.time() > float(scope.get("until", 0)):
        data.pop(_SCOPE_KEY, None)  # type: ignore[union-attr]
        return None
    return str(scope["url"])


def set_release_scope(context: ContextTypes.DEFAULT_TYPE, url: str | None) -> None:
    """Answer this user's next private questions from ``url`` first (None: from all releases again)."""
    data = context.user_data
    if not isinstance(data, dict):
        return
    if url is None:
        data.pop(_SCOPE_KEY, None)
    else:
        data[_SCOPE_KEY] = {"url": url, "until": time.time() + RELEASE_SCOPE_SECONDS}


def keep_more_sources(
    context: ContextTypes.DEFAULT_TYPE, html: str, lang: str, sources: Sequence[Source], shown: int
) -> str | None:
    """Keep a reply's "more sources" payload in ``chat_data``; the key for the button's data, or None
    where the update has no chat data (the button is then not offered).

    Passages are kept as far as the button shows them (:func:`bot.format.kept_passage`), and not at all
    for the first ``shown`` sources, which the reply itself lists: the same excerpts at a fraction of the
    row (about 6 KB for an answer with seven Thai sources).
    """
    data = context.chat_data
    if not isinstance(data, dict):
        return None
    kept = data.get(_MORE_KEY)
    kept = dict(kept) if isinstance(kept, dict) else {}
    key = secrets.token_urlsafe(6)
    kept[key] = {
        "html": html,
        "lang": lang,
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "date": s.date,
                # The snippet (its text around the question's words) before the passage's opening.
                "passage": kept_passage(s.snippet or s.passage) if n >= shown else "",
            }
            for n, s in enumerate(sources)
        ],
    }
    for old in list(kept)[:-MORE_SOURCES_PER_CHAT]:
        del kept[old]
    data[_MORE_KEY] = kept
    return key


def more_sources_of(context: ContextTypes.DEFAULT_TYPE, key: str, drop: bool = False) -> MoreSources | None:
    """The payload kept under ``key`` in this chat (``drop``: and forget it), or None when unknown,
    dropped as old, or unreadable."""
    data = context.chat_data
    kept = data.get(_MORE_KEY) if isinstance(data, dict) else None
    if not isinstance(kept, dict):
        return None
    entry = kept.pop(key, None) if drop else kept.get(key)
    if not isinstance(entry, dict) or not entry.get("html"):
        return None
    try:
        sources = [
            Source(str(s["url"]), str(s["title"]), str(s["date"]), str(s["passage"]), 0.0)
            for s in entry.get("sources") or []
        ]
    except (KeyError, TypeError):
        log.warning("more sources: an unreadable payload dropped")
        return None
    return MoreSources(str(entry["html"]), str(entry.get("lang") or ""), sources)
