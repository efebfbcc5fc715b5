"""The "show the rest" button under a list answer (a cabinet meeting's agenda, :mod:`index.answer.agenda`).

Why the button finds the agenda again in the index (by release id) rather than in the bot's answer
cache: the data names the release and the language, so a button from before a restart still works,
and the callback data stays far under Telegram's 64 bytes (``agenda:th:91709``). The press is always
answered; a release no longer in the index gets the "too old" notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.feedback import without_prefix
from bot.shared import answer_press, qa_of
from corpus.release import URL_PREFIX, release_id_from_url
from index.agenda_reply import SHOWN, render_rest_html
from index.answer import Answer
from index.answer.agenda import listing_of
from thaigov_qa.messages import reply_texts, text

log = logging.getLogger(__name__)

#: Prefix of the button's callback data: ``agenda:<lang>:<release id>``.
AGENDA_PREFIX = "agenda:"


def agenda_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """The "show N more" button of a list answer longer than the reply shows, else None."""
    agenda = answer.agenda
    if agenda is None or len(agenda.items) <= SHOWN:
        return None
    rid = release_id_from_url(agenda.url)
    if not rid:
        return None
    data = f"{AGENDA_PREFIX}{answer.lang}:{rid}"
    assert len(data.encode()) <= 64, "Telegram limits callback data to 64 bytes"
    label = reply_texts(answer.lang)["agenda_more_button"].format(n=len(agenda.items) - SHOWN)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


async def on_agenda_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button: send the rest of the agenda (split under 4,096 characters), drop the button."""
    qa = qa_of(context)
    query = update.callback_query
    if query is None or not query.data or not query.data.startswith(AGENDA_PREFIX):
        return
    lang, _, rid = query.data[len(AGENDA_PREFIX) :].partition(":")
    lang = lang if lang in ("th", "en") else qa.lang_of(update)
    message = query.message
    if isinstance(message, Message) and not _first_press(context, message.message_id):
        # A double tap, or a second client before the button went: the rest was sent once already.
        await answer_press(query, html.unescape(text(lang, "more_expired")))
        return
    try:
        # searcher() itself may open a new generation (seconds): it runs in the thread too, never on the loop.
        meeting = (
            await asyncio.to_thread(lambda: qa.service.searcher().agenda(URL_PREFIX + rid))
            if rid.isdigit()
            else None
        )
    except Exception:  # noqa: BLE001 - an unreadable index still answers the press
        log.exception("agenda of release %s could not be read", rid)
        meeting = None
    if meeting is None or not isinstance(message, Message):
        await answer_press(query, html.unescape(text(lang, "more_expired")))
        return
    await answer_press(query)
    with contextlib.suppress(BadRequest):
        await message.edit_reply_markup(reply_markup=without_prefix(message.reply_markup, AGENDA_PREFIX))
    await qa.send(message, render_rest_html(listing_of(meeting), lang))


#: Messages whose "show N more" was pressed, remembered per chat (the newest only).
PRESSED_KEPT = 50


def _first_press(context: ContextTypes.DEFAULT_TYPE, message_id: int) -> bool:
    """Record a press of ``message_id``'s button; False when it was pressed before. Checked and recorded
    before anything is awaited, so two presses handled at once still send the rest once."""
    data = context.chat_data
    if not isinstance(data, dict):
        return True
    pressed = list(data.get("agenda_pressed") or [])
    if message_id in pressed:
        return False
    data["agenda_pressed"] = [*pressed, message_id][-PRESSED_KEPT:]
    return True
