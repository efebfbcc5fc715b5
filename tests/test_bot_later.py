"""Replies held by Telegram's flood control when the bot stops (bot.later): cancelled and said in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram import Message
from telegram.error import RetryAfter

from bot.later import HeldReplies


async def test_replies_still_held_at_stop_are_said_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    held = HeldReplies()
    message = Message.de_json({"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}, None)
    held.hold(message, ["the rest of a reply"], False, None, {}, RetryAfter(600))
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="bot.later"):
        assert held.close() == 1
    await asyncio.sleep(0)
    assert "1 held replies were not sent" in caplog.text
    assert held.close() == 0  # the cancelled one is no longer counted
