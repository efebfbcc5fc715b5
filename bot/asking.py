"""The question path of the bot: private texts, group mentions and replies, ``/ask``, the answer's buttons.

Why these handlers live here and not in ``bot.app``: every kind of question takes the same path
(:func:`answer_question`): small talk is not searched, the per-user rate limit, the conversation context
(``bot.conversation``: a follow-up is answered from the previous answer's releases first), the reply with
its 👍/👎 and "more sources" buttons, and the turn remembered for the next question. Handlers are
module-level functions in python-telegram-bot's style; the shared objects (settings, QA service, rate
limiter) are ``bot.shared.QABot`` (:func:`bot.shared.qa_of`); what a "more sources" button needs is kept
in the chat's persisted ``chat_data`` (:func:`bot.shared.keep_more_sources`), so it works after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import time
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.agenda import agenda_keyboard
from bot.busy import Busy, busy_text
from bot.commands import show_release
from bot.conversation import converse, remember_turn
from bot.feedback import answer_keyboard, stacked, store_of, without_prefix
from bot.feedback_store import new_key
from bot.format import MORE_PREFIX, clean_text, esc, more_sources_keyboard, render_more_sources, split_html
from bot.shared import QABot, answer_press, keep_more_sources, more_sources_of, qa_of, release_scope
from corpus.release import URL_PREFIX, split_release_link
from index.answer import Answer
from index.answer.words import asks_anything, tokens
from index.conversation import topic_words, turn_reply_html
from index.service import IndexUnavailable
from thaigov_qa.db import off_loop
from thaigov_qa.messages import text

log = logging.getLogger(__name__)

#: Longest question passed to the answerer; the model reads ~512 tokens anyway.
MAX_QUESTION_CHARS = 1000
TYPING_EVERY_SECONDS = 4.5

#: Messages that ask for the short help (a greeting, "help"), not a search: the ones that are words of
#: a question too ("help", "start") are known here as whole messages only.
_HELP_WORDS = {"help", "start", "ช่วยด้วย", "good morning", "good afternoon", "good evening"}
#: Words that thank: a message of chat words holding one gets "you're welcome", not the help.
_THANKS = {"thanks", "thank", "thx", "ขอบคุณ", "ขอบใจ"}


def small_talk(value: str) -> str | None:
    """ "thanks" for a thank-you, "other" for a greeting or a text that asks nothing (emoji, punctuation,
    "ok"), None for what may be a question. What asks nothing is the conversation's test
    (:func:`index.answer.words.asks_anything`), so the bot and the console chat agree on it."""
    letters = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in value.lower())
    words = " ".join(letters.split())
    if words in _HELP_WORDS:
        return "other"
    if asks_anything(value):
        return None
    return "thanks" if _THANKS & set(tokens(words)) else "other"


def is_small_talk(value: str) -> bool:
    """A greeting, a thank-you or text with no letters or digits (emoji, punctuation): not a question."""
    return small_talk(value) is not None


@contextlib.asynccontextmanager
async def typing(update: Update) -> AsyncIterator[None]:
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


def _reply_sources() -> int:
    """How many sources a reply lists itself (the button shows the others)."""
    from index.reply import REPLY_SOURCES

    return REPLY_SOURCES


async def _admitted(qa: QABot, update: Update, question: str, lang: str, in_group: bool) -> bool:
    """Small talk gets the short help, a user over the rate limit one notice: neither is searched."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    talk = small_talk(question)
    if talk is not None:
        key = "thanks_reply" if talk == "thanks" else "group_usage" if in_group else "short_help"
        await qa.send(message, text(qa.talk_lang(update, question), key), quote=in_group)
        return False
    wait = qa.limiter.check(user.id)
    if wait:
        qa.service.counters.rate_limited += 1
        log.info("rate limit: %s asked more than %d a minute", qa.who(update), qa.limiter.per_minute)
        if qa.limiter.should_notify(user.id, wait):
            body = text(lang, "rate_limited", limit=qa.limiter.per_minute, seconds=max(1, round(wait)))
            await qa.send(message, body, quote=in_group)
        return False
    return True


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` from ``update``'s user: the path every kind of question takes."""
    qa = qa_of(context)
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = qa.lang_of(update)
    question = " ".join(clean_text(question).split())
    in_group = message.chat.type != ChatType.PRIVATE
    note = ""
    if len(question) > MAX_QUESTION_CHARS:
        question = question[:MAX_QUESTION_CHARS]
        note = f"<i>{esc(text(lang, 'question_truncated', n=MAX_QUESTION_CHARS))}</i>\n\n"
    release_id, rest = split_release_link(question)
    linked = URL_PREFIX + release_id if release_id is not None else None
    if release_id is not None and len(topic_words(rest)) <= 1:
        # A pasted release link, alone or with "what is this?": that release's card, not a search for it.
        await show_release(update, context, release_id)
        return
    if linked is not None:  # a question about the linked release: asked within it first
        question = rest
    if not await _admitted(qa, update, question, lang, in_group):
        return
    qa.service.counters.users.add(user.id)
    if qa.settings.log_questions:
        log.info("question from user %s in chat %s: %r", user.id, message.chat_id, question)
    started = time.monotonic()
    scope = linked or (None if in_group else release_scope(context))
    turn: dict[str, Any] | None = None
    try:
        async with typing(update):
            if scope is not None:
                answer, from_previous = await qa.service.gate.run(qa.service.ask, question, scope), False
            else:
                minutes = qa.settings.conversation_minutes
                answer, turn, from_previous = await converse(update, context, question, minutes)
    except IndexUnavailable as exc:
        await qa.index_problem(update, exc)
        return
    except Busy:
        await qa.send(message, esc(busy_text(lang)), quote=in_group)
        return
    body = note + turn_reply_html(answer, from_previous)
    log.info(
        "answered in %d ms (answerer %s ms, found=%s, %d sources, follow-up note=%s)",
        (time.monotonic() - started) * 1000,
        answer.ms,
        answer.found,
        len(answer.sources or []),
        from_previous,
    )
    sent = await _send_answer(qa, context, update, answer, body, lang)
    if turn is not None:
        remember_turn(update, context, turn, sent)


async def _send_answer(
    qa: QABot, context: ContextTypes.DEFAULT_TYPE, update: Update, answer: Answer, body: str, lang: str
) -> list[Message]:
    """Send the reply with its buttons; keep what the buttons need (the "more sources" payload in
    ``chat_data``, and the question and answer for feedback when LOG_QUESTIONS is on)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    more = agenda_keyboard(answer)
    sources = list(answer.sources or [])
    if len(sources) > _reply_sources():
        # The last part as qa.send will send it: the one that carries the button, which the press extends.
        last = (split_html(body) or [""])[-1]
        more_key = keep_more_sources(context, last, answer.lang, sources, _reply_sources())
        if more_key:  # under the agenda's "show N more", when the reply has both
            more = stacked(more, more_sources_keyboard(more_key, answer.lang))  # the reply's language
    store = store_of(context)
    key = new_key() if store is not None else None
    markup = answer_keyboard(key, more)
    in_group = message.chat.type != ChatType.PRIVATE
    sent = await qa.send(message, body, quote=in_group, reply_markup=markup)
    if store is not None and key is not None and qa.settings.log_questions:
        await off_loop(store.keep_answer, key, user.id, answer)
    return sent


def _rows(markup: InlineKeyboardMarkup | None) -> int:
    return len(markup.inline_keyboard) if markup is not None else 0


async def on_more_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "more sources" button: extend the message with every further source and its passage.

    The payload is taken out of ``chat_data`` as it is read: shown once, a second press (or a key this
    chat no longer keeps) gets the "too old" notice and loses the button. Every press is answered.
    """
    qa = qa_of(context)
    query = update.callback_query
    if query is None or not query.data or not query.data.startswith(MORE_PREFIX):
        return
    lang = qa.lang_of(update)
    entry = more_sources_of(context, query.data[len(MORE_PREFIX) :], drop=True)
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    keep = without_prefix(markup, MORE_PREFIX)
    if entry is None:
        await answer_press(query, html.unescape(text(lang, "more_expired")))
        if isinstance(message, Message) and _rows(keep) != _rows(markup):  # else "not modified"
            with contextlib.suppress(BadRequest):
                await message.edit_reply_markup(reply_markup=keep)
        return
    await answer_press(query)
    extra = render_more_sources(entry.sources, entry.lang, start=_reply_sources())
    combined = f"{entry.html}\n\n{extra}"
    if not isinstance(message, Message):
        return
    if len(split_html(combined)) == 1:
        try:
            await message.edit_text(combined, parse_mode=ParseMode.HTML, reply_markup=keep)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    else:
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(reply_markup=keep)
        await qa.send(message, extra)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await answer_question(update, context, message.text or "")


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    await answer_question(update, context, question or message.text)


async def on_private_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice note or unknown command in a private chat: the short help."""
    qa = qa_of(context)
    message = update.effective_message
    if message is not None:
        await qa.send(message, text(qa.lang_of(update), "short_help"))


async def cmd_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ask question`` (groups and private chats); the text after the command is the question."""
    qa = qa_of(context)
    message = update.effective_message
    if message is None or not message.text:
        return
    command = next(
        (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None
    )
    question = message.text[len(message.parse_entity(command)) :] if command else " ".join(context.args or [])
    if not question.strip():
        in_group = message.chat.type != ChatType.PRIVATE
        await qa.send(message, text(qa.lang_of(update), "group_usage"), quote=in_group)
        return
    await answer_question(update, context, question)
