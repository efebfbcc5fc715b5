"""Telegram's refusals of what the bot sends: empty or over-long texts, bad HTML, bad inline keyboards.

Why a module of its own: sendMessage, editMessageText and answerInlineQuery all apply the same checks,
with Telegram's own error descriptions, so a bot bug shows up as the 400 the real API would answer.
"""

from __future__ import annotations

from typing import Any

from tests.fake_bot_api.state import ApiError
from tests.fake_bot_api.telegram_html import TelegramHTMLError, html_plain_text, utf16_len

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64


def check_text(params: dict[str, Any], key: str = "text") -> None:
    """Refuse an empty text, invalid HTML (in HTML parse mode) or more than 4,096 UTF-16 units."""
    text = params.get(key)
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    plain = text
    if str(params.get("parse_mode", "")).upper() == "HTML":
        try:
            plain = html_plain_text(text)
        except TelegramHTMLError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(plain) > MAX_MESSAGE_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")


def check_markup(markup: Any) -> None:
    """Refuse an inline keyboard Telegram would: buttons without text or action, bad callback data."""
    if markup in (None, ""):
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if data is None and not button.get("url"):
                raise ApiError(400, "Bad Request: inline keyboard button has no action")
