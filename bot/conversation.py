"""Conversation state in Telegram: where the previous turn is kept, ``/new`` and ``/lang``.

Why python-telegram-bot's ``chat_data``/``user_data``: they are keyed the way conversations are (a chat,
a user), and with the application's persistence (``bot.persistence.SQLitePersistence``, rows in
``thaigov.sqlite``) they survive a restart without any table of our own. What is kept is a turn dict from
``index.conversation`` (the question's topic words, the releases that answered, a wall-clock time, not
the question itself); it gives context for ``CONVERSATION_MINUTES`` and is dropped after that
(:func:`job_drop_stale_turns`).

Where a turn lives:

* private chats: ``chat_data["turn"]``, the chat's latest turn;
* groups: ``chat_data["threads"][message id of the bot's reply]``: a user who replies to one of the
  bot's answers continues *that* answer's thread, whatever else the group asked since; a question that
  is not a reply starts afresh. At most :data:`GROUP_THREADS` threads are kept per group.

``user_data["lang"]`` holds a ``/lang th|en`` choice: the language of the bot's messages and replies.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.shared import qa_of
from index.answer import Answer
from index.conversation import fresh
from thaigov_qa.messages import LANGS, text, user_lang

#: Threads remembered per group (oldest forgotten first).
GROUP_THREADS = 50


def preferred_lang(update: Update, context: ContextTypes.DEFAULT_TYPE | None = None) -> str | None:
    """The user's ``/lang`` choice, if they made one."""
    data = context.user_data if context is not None else None
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if lang in LANGS else None


def lang_for(update: Update, context: ContextTypes.DEFAULT_TYPE | None = None) -> str:
    """The language of the bot's own messages: the ``/lang`` choice, else Telegram's language_code."""
    user = update.effective_user
    return preferred_lang(update, context) or user_lang(user.language_code if user else None)


def previous_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any] | None:
    """The turn this question may lean on (see the module docstring), or None."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or not isinstance(chat_data, dict):
        return None
    if message.chat.type == ChatType.PRIVATE:
        return chat_data.get("turn")
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or reply.from_user.id != context.bot.id:
        return None
    return (chat_data.get("threads") or {}).get(str(reply.message_id))


def remember_turn(
    update: Update, context: ContextTypes.DEFAULT_TYPE, turn: dict[str, Any], sent: list[Message]
) -> None:
    """Keep ``turn`` for the next question (private: the chat's turn; groups: under the reply's id)."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or not isinstance(chat_data, dict):
        return
    if message.chat.type == ChatType.PRIVATE:
        chat_data["turn"] = turn
        return
    if not sent:
        return
    threads = dict(chat_data.get("threads") or {})
    threads[str(sent[-1].message_id)] = turn
    for old in sorted(threads, key=lambda k: float(threads[k].get("at", 0)))[:-GROUP_THREADS]:
        del threads[old]
    chat_data["threads"] = threads


def drop_stale(chat_data: dict[str, Any], limit_seconds: float, now: float) -> bool:
    """Drop the turns of ``chat_data`` that no longer give context (``index.conversation.fresh``: older than
    ``limit_seconds``, as the help promises); whether anything was dropped."""
    dropped = False
    turn = chat_data.get("turn")
    if isinstance(turn, dict) and not fresh(turn, now, limit_seconds):
        del chat_data["turn"]
        dropped = True
    threads = chat_data.get("threads")
    if isinstance(threads, dict):
        kept = {k: t for k, t in threads.items() if fresh(t, now, limit_seconds)}
        if len(kept) != len(threads):
            dropped = True
            if kept:
                chat_data["threads"] = kept
            else:
                del chat_data["threads"]
    return dropped


async def job_drop_stale_turns(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every few minutes: the conversations older than ``CONVERSATION_MINUTES`` are forgotten, in memory
    and (marked for the next persistence flush) in the database."""
    application = context.application
    limit = qa_of(context).settings.conversation_minutes * 60
    now = time.time()
    stale = [cid for cid, data in application.chat_data.items() if drop_stale(data, limit, now)]
    if stale:
        application.mark_data_for_update_persistence(chat_ids=stale)


def forget_turns(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop the chat's conversation context (``/new``, a plain ``/start``)."""
    chat_data = context.chat_data
    if isinstance(chat_data, dict):
        chat_data.pop("turn", None)
        chat_data.pop("threads", None)


async def converse(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, minutes: float
) -> tuple[Answer, dict[str, Any], bool]:
    """Answer ``question`` in context (in a worker thread): the answer, the turn to remember, and whether
    the previous answer's release answered (the reply then opens with "From the release of <date>:")."""
    from index.conversation import relabel

    qa = qa_of(context)
    previous = previous_turn(update, context) if minutes > 0 else None
    result = await qa.service.gate.run(qa.service.converse, question, previous, minutes * 60)
    answer = result.answer
    lang = preferred_lang(update, context)
    if lang and answer.lang != lang:
        relabel(answer, lang)
    return answer, result.turn, result.from_previous


async def cmd_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/new``: the next question starts a new conversation."""
    forget_turns(context)
    message = update.effective_message
    if message is not None:
        await qa_of(context).send(message, text(lang_for(update, context), "new_conversation"))


async def cmd_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/lang th|en`` sets the user's language; ``/lang`` alone says the current one and how to change
    it; ``/lang auto`` goes back to the question's language."""
    message = update.effective_message
    if message is None:
        return
    choice = (context.args[0].lower() if context.args else "").strip()
    if isinstance(context.user_data, dict):
        if choice in LANGS:
            context.user_data["lang"] = choice
            context.user_data["lang_at"] = time.time()
        elif choice in ("auto", "reset"):
            context.user_data.pop("lang", None)
    lang = lang_for(update, context)
    if choice in LANGS:
        body = text(lang, "lang_set")
    elif choice in ("auto", "reset"):
        body = text(lang, "lang_auto")
    else:
        body = text(lang, "lang_usage", current=preferred_lang(update, context) or "auto")
    await qa_of(context).send(message, body)  # held through a long flood wait, not dropped
