"""The Bot API methods that send and change messages: send, edit, delete, chat actions, query answers.

Why: these are what the bot calls while answering users; each validates its input as Telegram does
(``validation``) and keeps :attr:`messages` as Telegram stores them, so a test can read the message a
user sees after edits, and an edit that changes nothing gets Telegram's "message is not modified".
"""

from __future__ import annotations

import time
from typing import Any

from tests.fake_bot_api.state import ApiError, FakeBotState
from tests.fake_bot_api.validation import check_markup, check_text


class MessageMethodsMixin(FakeBotState):
    """The message handlers (``_m_<method>``) of :class:`tests.fake_bot_api.FakeBotAPI`."""

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        check_text(params)
        check_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        check_text(params)
        markup = params.get("reply_markup") or None
        check_markup(markup)
        if message["text"] == params["text"] and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        markup = params.get("reply_markup") or None
        check_markup(markup)
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        message = self._stored(params)
        del self.messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in {"typing", "upload_photo", "record_voice", "upload_document"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        """Checked as Telegram does: at most 50 results, ids unique and 1-64 bytes, articles with a title
        and a valid message (HTML rules, 4,096 characters), cache_time not negative."""
        if not params.get("inline_query_id"):
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") != "article" or not str(result.get("title", "")).strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            check_text(content, "message_text")
            check_markup(result.get("reply_markup"))
        if int(params.get("cache_time") or 0) < 0:
            raise ApiError(400, "Bad Request: cache_time is negative")
        return True
