"""The fake Bot API server itself, driven by the real python-telegram-bot client.

Why: every bot and alert end-to-end test trusts this server to behave like Telegram (error codes,
retry_after, HTML validation, long polling, webhook delivery); these tests pin that behaviour down.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fake_bot_api import FakeBotAPI, TelegramHTMLError, html_plain_text


def _bot(api: FakeBotAPI) -> Bot:
    return Bot(api.token, base_url=api.base_url)


async def test_get_me_and_send_message_recorded(fake_bot_api: FakeBotAPI) -> None:
    async with _bot(fake_bot_api) as bot:
        me = await bot.get_me()
        assert me.username == fake_bot_api.username
        msg = await bot.send_message(42, "<b>hi</b> &amp; bye", parse_mode="HTML")
        assert msg.message_id in {m["message_id"] for m in fake_bot_api.messages.values()}
    [call] = fake_bot_api.calls_of("sendMessage")
    assert call["chat_id"] == 42 and call["text"] == "<b>hi</b> &amp; bye"


async def test_wrong_token_is_unauthorized(fake_bot_api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake_bot_api.base_url):
            pass
    assert fake_bot_api.calls[-1].status == 401


@pytest.mark.parametrize(
    "text",
    ["<b>open", "<script>x</script>", "a < b", "Tom & Jerry", "<a>no href</a>", "<b><i>x</b></i>", "&nbsp;"],
)
def test_html_validator_rejects(text: str) -> None:
    with pytest.raises(TelegramHTMLError):
        html_plain_text(text)


def test_html_validator_accepts_telegram_subset() -> None:
    text = '<b>x</b> <a href="https://a.b/?q=1&amp;r=2">l</a> &lt;&gt;&quot;&#39; <blockquote>q</blockquote>'
    assert html_plain_text(text) == "x l <>\"' q"


async def test_invalid_html_and_too_long_refused(fake_bot_api: FakeBotAPI) -> None:
    async with _bot(fake_bot_api) as bot:
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(1, "<b>unclosed", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)too long"):
            await bot.send_message(1, "x" * 4097)
        await bot.send_message(1, "ก" * 4096)  # exactly at the limit is fine
        with pytest.raises(BadRequest, match="(?i)empty"):
            await bot.send_message(1, "   ")
        bad_button = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(1, "t", reply_markup=bad_button)


async def test_injected_failures(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail("sendMessage", 429, retry_after=3)
    fake_bot_api.fail("sendMessage", 403)
    fake_bot_api.fail("sendMessage", 500)
    async with _bot(fake_bot_api) as bot:
        with pytest.raises(RetryAfter, match="3"):
            await bot.send_message(1, "a")
        with pytest.raises(Forbidden, match="(?i)blocked"):
            await bot.send_message(1, "a")
        with pytest.raises(NetworkError):
            await bot.send_message(1, "a")
        await bot.send_message(1, "a")  # failures are used up
    assert [c.status for c in fake_bot_api.calls if c.method == "sendMessage"] == [429, 403, 500, 200]


async def test_edit_message_and_not_modified(fake_bot_api: FakeBotAPI) -> None:
    async with _bot(fake_bot_api) as bot:
        msg = await bot.send_message(5, "one")
        await bot.edit_message_text("two", chat_id=5, message_id=msg.message_id)
        assert fake_bot_api.messages[(5, msg.message_id)]["text"] == "two"
        with pytest.raises(BadRequest, match="(?i)not modified"):
            await bot.edit_message_text("two", chat_id=5, message_id=msg.message_id)


async def test_polling_application_receives_and_replies(fake_bot_api: FakeBotAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo {update.effective_message.text}")

    app = Application.builder().token(fake_bot_api.token).base_url(fake_bot_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        fake_bot_api.push(fake_bot_api.private_text("สวัสดี", user_id=77))
        [call] = await fake_bot_api.wait_for("sendMessage", chat_id=77)
        assert call["text"] == "echo สวัสดี"
        await app.updater.stop()
        await app.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_delivery_with_secret(fake_bot_api: FakeBotAPI) -> None:
    received: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        received.append(update.effective_message.text)

    app = Application.builder().token(fake_bot_api.token).base_url(fake_bot_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, record))
    port = _free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        assert fake_bot_api.webhook == {"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret"}
        assert (
            await fake_bot_api.deliver_webhook(fake_bot_api.private_text("bad"), secret_token="nope") == 403
        )
        assert await fake_bot_api.deliver_webhook(fake_bot_api.private_text("good")) == 200
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received == ["good"]
        await app.updater.stop()
        await app.stop()


def test_update_builders_have_entities() -> None:
    api = FakeBotAPI()
    upd = api.group_text("/ask@thaigov_qa_test_bot ภาษี @thaigov_qa_test_bot")
    entities = upd["message"]["entities"]
    assert entities[0] == {"type": "bot_command", "offset": 0, "length": len("/ask@thaigov_qa_test_bot")}
    assert entities[1]["type"] == "mention"
    parsed = Update.de_json({**upd, "update_id": 1}, None)
    assert parsed.message is not None and parsed.message.chat.type == "supergroup"
