"""A local fake Telegram Bot API server for end-to-end tests of the bot and the alerts.

Why a fake server rather than mocks: the tests must exercise the real python-telegram-bot stack (HTTP
client, JSON (de)serialisation, rate limiter, retries, polling and webhook loops) exactly as it runs in
production; only the far end of the wire is ours. The server speaks the real protocol on
``http://127.0.0.1:PORT/bot<TOKEN>/<method>`` (form-encoded requests, ``{"ok": ..., "result": ...}``
replies, real error codes with ``parameters.retry_after``), records every call for assertions, feeds
queued updates to long polling, delivers updates to a webhook with the secret-token header, and lets a
test inject failures per method (429, 500, 403 "bot was blocked by the user"...).

It is also stricter than nothing: HTML parse-mode texts are validated the way Telegram does (only the
allowed tags, balanced, only ``&lt; &gt; &amp; &quot;`` and numeric entities, no stray ``<``/``&``) and
texts over 4,096 characters (UTF-16 units, after entity parsing) are refused, so a test fails when the
bot would send something Telegram rejects.

The parts, one concern each:

- ``state``: what the server records and holds (calls, messages, chats, queued updates, failures);
- ``telegram_html`` and ``validation``: Telegram's HTML subset and its refusals of what the bot sends;
- ``routing``: the HTTP side (decode a request, check the token, apply failures, dispatch, reply);
- ``message_methods`` and ``bot_methods``: the Bot API method handlers;
- ``controls`` and ``updates``: what a test does (fail, push, wait, assert) and the updates it builds;
- ``server``: :class:`FakeBotAPI`, all of it in one object, started and stopped.

Usage (the ``fake_bot_api`` fixture in ``tests/conftest.py`` does this)::

    api = FakeBotAPI()
    await api.start()
    app = ApplicationBuilder().token(api.token).base_url(api.base_url)...
    api.push(api.private_text("hello", user_id=7))
    [call] = await api.wait_for("sendMessage", count=1)
    await api.stop()
"""

from __future__ import annotations

from tests.fake_bot_api.server import FakeBotAPI
from tests.fake_bot_api.state import DEFAULT_TOKEN, RESET, Call
from tests.fake_bot_api.telegram_html import TelegramHTMLError, html_plain_text, utf16_len
from tests.fake_bot_api.validation import MAX_CALLBACK_DATA_BYTES, MAX_MESSAGE_LENGTH

__all__ = [
    "DEFAULT_TOKEN",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_MESSAGE_LENGTH",
    "RESET",
    "Call",
    "FakeBotAPI",
    "TelegramHTMLError",
    "html_plain_text",
    "utf16_len",
]
