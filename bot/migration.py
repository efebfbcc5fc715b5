"""A group upgraded to a supergroup gets a new chat id: the bot's state for the chat follows it.

Telegram announces the upgrade with two service messages, both matched by python-telegram-bot's
``filters.StatusUpdate.MIGRATE``: one in the old group (``migrate_to_chat_id``) and one in the new
supergroup (``migrate_from_chat_id``). :func:`on_migrate` moves the chat's ``chat_data`` (the group's reply
threads, its "more sources" payloads; persisted by ``bot.persistence``) with
``Application.migrate_chat_data``; ``bot.alerts`` moves the chat's subscription on the same messages.

Why the guard: the application processes updates concurrently, so the two messages come in either order,
and ``migrate_chat_data`` copies whatever the old id holds, an empty dict once the first message moved it,
over the new id's data. The first message with something to move moves it; the other finds nothing.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)


def migration_ids(message: Message | None) -> tuple[int, int] | None:
    """``(old chat id, new chat id)`` of a migration service message, None for any other message."""
    if message is None:
        return None
    if message.migrate_to_chat_id:
        return message.chat.id, message.migrate_to_chat_id
    if message.migrate_from_chat_id:
        return message.migrate_from_chat_id, message.chat.id
    return None


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Move the old group's ``chat_data`` to the supergroup (see the module docstring)."""
    ids = migration_ids(update.effective_message)
    if ids is None:
        return
    old, new = ids
    application = context.application
    if not application.chat_data.get(old):
        return  # moved already by the other service message, or the group kept nothing
    kept = dict(application.chat_data.get(new) or {})
    application.migrate_chat_data(old_chat_id=old, new_chat_id=new)
    if kept:  # the supergroup was used before this message came: its own entries are the newer ones
        application.chat_data[new].update(kept)
    log.info("chat %s became %s: its conversation state moved", old, new)
