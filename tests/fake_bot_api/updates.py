"""Builders of the updates Telegram would send: private and group texts, replies, stickers, buttons, inline.

Why: a test pushes (or delivers to the webhook) the same JSON a real user's action produces, chats and
users included, with the entities Telegram attaches (a leading /command, @mentions, in UTF-16 offsets),
so python-telegram-bot parses and routes it exactly as in production.
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.fake_bot_api.state import FakeBotState
from tests.fake_bot_api.telegram_html import utf16_len


class UpdateBuildersMixin(FakeBotState):
    """The update builders of :class:`tests.fake_bot_api.FakeBotAPI`."""

    def user(
        self, user_id: int = 1001, first_name: str = "Somchai", language_code: str | None = "th"
    ) -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def private_chat(self, user_id: int = 1001) -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": "Somchai"}
        self.chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int = -1001234567890, title: str = "Test group") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup" if chat_id < -1000000000000 else "group", "title": title}
        self.chats[chat_id] = chat
        return chat

    def entities_for(self, text: str) -> list[dict[str, Any]]:
        """The entities Telegram would attach: a leading /command and @mentions (UTF-16 offsets)."""
        entities = []
        match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if match:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))})
        for mention in re.finditer(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}", text):
            if match and mention.start() < match.end():
                continue
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[: mention.start()]),
                    "length": utf16_len(mention.group(0)),
                }
            )
        return entities

    def message(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A Message object from ``user`` in ``chat`` (text, or other content such as ``sticker=...``)."""
        message: dict[str, Any] = {
            "message_id": next(self._user_message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if text is not None:
            message["text"] = text
            entities = self.entities_for(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        return message

    def private_text(
        self, text: str, user_id: int = 1001, language_code: str | None = "th", first_name: str = "Somchai"
    ) -> dict[str, Any]:
        """An update: a private text message (commands get their bot_command entity)."""
        user = self.user(user_id, first_name, language_code)
        return {"message": self.message(self.private_chat(user_id), user, text)}

    def group_text(
        self,
        text: str,
        user_id: int = 1001,
        chat_id: int = -1001234567890,
        language_code: str | None = "th",
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An update: a text message in a supergroup (mentions get their entity; may reply to a message)."""
        user = self.user(user_id, language_code=language_code)
        return {"message": self.message(self.group_chat(chat_id), user, text, reply_to=reply_to)}

    def reply_to_bot(
        self, text: str, bot_message: dict[str, Any], user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: a reply to one of the bot's messages (``bot_message`` as in :attr:`messages`)."""
        chat = bot_message["chat"]
        user = self.user(user_id, language_code=language_code)
        return {"message": self.message(chat, user, text, reply_to=bot_message)}

    def sticker(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        sticker = {
            "file_id": "CAACAgIAAxkBAAEfake",
            "file_unique_id": "AgADfake",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return {"message": self.message(self.private_chat(user_id), user, sticker=sticker)}

    def photo(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        photo = [{"file_id": "AgACfakephoto", "file_unique_id": "AQADfake", "width": 90, "height": 90}]
        return {"message": self.message(self.private_chat(user_id), user, photo=photo)}

    def voice(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        voice = {"file_id": "AwACfakevoice", "file_unique_id": "AgADvoice", "duration": 3}
        return {"message": self.message(self.private_chat(user_id), user, voice=voice)}

    def callback_query(
        self, bot_message: dict[str, Any], data: str, user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: a press on an inline button of ``bot_message`` carrying ``data``."""
        return {
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id, language_code=language_code),
                "message": bot_message,
                "chat_instance": "fake-chat-instance",
                "data": data,
            }
        }

    def inline_query(
        self, query: str, user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: ``@bot query`` typed in some chat (inline mode)."""
        return {
            "inline_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id, language_code=language_code),
                "query": query,
                "offset": "",
            }
        }
