"""Conversations, inline mode and feedback with the real bot against the local fake Bot API.

The same set-up as ``tests/test_bot_e2e.py`` (its seven-release index, built once per session, and the
real answer pipeline): a follow-up in a private chat and in a group reply thread, the bot restarted
between two turns (the conversation and a "more sources" button's payload persist in SQLite), an inline
query, a 👎 pressed twice, stored once and exported, and /new, /lang, /help, /forget. Every call is
checked by the fake server against Telegram's HTML rules and the 4,096-character limit.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest

from bot.feedback_cli import export
from bot.feedback_store import FeedbackStore
from bot.service import BotService
from tests import test_bot_e2e as base
from tests.fake_bot_api import FakeBotAPI, html_plain_text
from tests.test_bot_e2e import (
    HUAWEI_QUESTION,
    HUAWEI_URL,
    _assert_no_rejected_sends,
    _bot_settings,
    running_bot,
)
from thaigov_qa.markup import escape_html
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow
#: The seven-release index of tests/test_bot_e2e.py (a session fixture: built once for both files).
bot_index = base.bot_index

FOLLOW_UP_EN = "When was it signed?"
FOLLOW_UP_TH = "แล้วลงนามเมื่อไหร่"
#: A question whose reply lists more than three sources: it has the "more sources" button.
MORE_QUESTION = "ข่าวรัฐบาลเกี่ยวกับความร่วมมือ MOU และเศรษฐกิจดิจิทัล"


def _sent(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c["text"] for c in api.calls_of("sendMessage", chat_id=chat_id)]


async def test_private_follow_up_is_answered_from_the_previous_release(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text(HUAWEI_QUESTION, user_id=1601, language_code="en"))
        await api.wait_for("sendMessage", chat_id=1601)
        api.push(api.private_text(FOLLOW_UP_EN, user_id=1601, language_code="en"))
        [_, follow] = await api.wait_for("sendMessage", chat_id=1601, count=2)
        # /new forgets it: the same question no longer leans on the Huawei release.
        api.push(api.private_text("/new", user_id=1601, language_code="en"))
        await api.wait_for("sendMessage", chat_id=1601, count=3)
        api.push(api.private_text(FOLLOW_UP_EN, user_id=1601, language_code="en"))
        fresh = (await api.wait_for("sendMessage", chat_id=1601, count=4))[3]
    text = follow["text"]
    linked = f'<a href="{escape_html(HUAWEI_URL)}">19 December 2023</a>'
    assert text.startswith(f"<i>From the release of {linked}:</i>")  # the date links the release
    assert ("18 December 2023" in text or "18 ธ.ค. 2566" in text) and HUAWEI_URL in text
    assert "New conversation" in _sent(api, 1601)[2]
    assert "From the release of" not in fresh["text"] and "Which release do you mean" in fresh["text"]
    _assert_no_rejected_sends(api)


async def test_group_reply_thread_follows_up(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    group = -1001600000000
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.group_text(f"/ask@{api.username} {HUAWEI_QUESTION}", chat_id=group, user_id=1602))
        await api.wait_for("sendMessage", chat_id=group)
        answer = api.last_bot_message(group)
        api.push(api.reply_to_bot(FOLLOW_UP_TH, answer, user_id=1603))
        replies = await api.wait_for("sendMessage", chat_id=group, count=2)
    follow = replies[1]["text"]
    assert "จากข่าววันที่" in follow and HUAWEI_URL in follow
    assert "18 ธ.ค. 2566" in html_plain_text(follow) or "18 ธันวาคม 2566" in html_plain_text(follow)
    _assert_no_rejected_sends(api)


async def test_a_pasted_release_link_shows_that_release_and_its_follow_ups(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """A release link sent as a question is that release's card, not a search for the releases that link
    to it; the next question is answered from it (private: the release scope; a group: a reply to the
    card). A link to a release the index lacks is said so."""
    settings, service = bot_index
    api = fake_bot_api
    group = -1001600000001
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text(f" {HUAWEI_URL} ", user_id=1611, language_code="en"))
        [card] = await api.wait_for("sendMessage", chat_id=1611)
        api.push(api.private_text(FOLLOW_UP_EN, user_id=1611, language_code="en"))
        follow = (await api.wait_for("sendMessage", chat_id=1611, count=2))[1]
        missing = HUAWEI_URL.rsplit("/", 1)[0] + "/1"
        api.push(api.private_text(missing, user_id=1612, language_code="en"))
        [unknown] = await api.wait_for("sendMessage", chat_id=1612)
        pasted = HUAWEI_URL.replace("https://www.", "") + "?utm_source=line"  # as apps share it
        api.push(api.group_text(f"@{api.username} {pasted}", chat_id=group, user_id=1613))
        [group_card] = await api.wait_for("sendMessage", chat_id=group)
        api.push(api.reply_to_bot(FOLLOW_UP_TH, api.last_bot_message(group), user_id=1614))
        replies = await api.wait_for("sendMessage", chat_id=group, count=2)
        # A link with a question about it: the question is asked within the linked release.
        api.push(api.private_text(f"When was it signed? {HUAWEI_URL}", user_id=1615, language_code="en"))
        [within] = await api.wait_for("sendMessage", chat_id=1615)
    assert "Huawei" in card["text"] and HUAWEI_URL in card["text"] and "19 December 2023" in card["text"]
    assert follow["text"].count("<a href=") == 1 and HUAWEI_URL in follow["text"]
    assert "18 December 2023" in follow["text"] or "18 ธ.ค. 2566" in follow["text"]
    assert "not in the index" in html_plain_text(unknown["text"]) or "ไม่พบข่าวนี้" in unknown["text"]
    assert HUAWEI_URL in group_card["text"] and "หัวเว่ย" in group_card["text"]
    follow_th = replies[1]["text"]
    assert "จากข่าววันที่" in follow_th and HUAWEI_URL in follow_th
    assert within["text"].count("<a href=") == 1 and HUAWEI_URL in within["text"]
    assert "18 December 2023" in within["text"] or "18 ธ.ค. 2566" in within["text"]
    _assert_no_rejected_sends(api)


def test_a_refusal_within_an_opened_release_lists_that_release_first(
    bot_index: tuple[Settings, BotService],
) -> None:
    """A question the opened release (card, pasted link) does not answer is answered from all releases;
    when they refuse too, the opened release leads the closest ones, wherever the search placed it."""
    _, service = bot_index
    question = "What is the recipe for green curry with chicken?"
    alone = service.ask(question)
    assert not alone.found and len(alone.sources) > 1
    opened = alone.sources[-1].url
    scoped = service.ask(question, within=opened)
    assert not scoped.found and scoped.sources[0].url == opened
    assert [s.url for s in scoped.sources].count(opened) == 1


async def test_conversation_and_more_sources_survive_a_restart(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    bot_settings = _bot_settings(settings, api)
    async with running_bot(bot_settings, service):
        api.push(api.private_text(HUAWEI_QUESTION, user_id=1604, language_code="en"))
        api.push(api.private_text(MORE_QUESTION, user_id=1608, language_code="en"))
        await api.wait_for("sendMessage", chat_id=1604)
        await api.wait_for("sendMessage", chat_id=1608)
    message = api.last_bot_message(1608)
    [more] = [
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("more:")
    ]
    before = message["text"].count("<a href=")
    # Stopped (as on SIGTERM) and started again: a new Application, the same SQLite file.
    async with running_bot(bot_settings, service):
        api.push(api.private_text(FOLLOW_UP_EN, user_id=1604, language_code="en"))
        [_, follow] = await api.wait_for("sendMessage", chat_id=1604, count=2)
        api.push(api.callback_query(message, more, user_id=1608, language_code="en"))
        [edit] = await api.wait_for("editMessageText", chat_id=1608)
        [pressed] = await api.wait_for("answerCallbackQuery")
        api.push(api.callback_query(message, "more:gone", user_id=1608, language_code="en"))
        [_, gone] = await api.wait_for("answerCallbackQuery", count=2)
    assert "From the release of" in follow["text"] and HUAWEI_URL in follow["text"]
    edited = api.messages[(1608, message["message_id"])]
    assert edit["message_id"] == message["message_id"] and edited["text"].count("<a href=") > before
    assert "แหล่งข้อมูลเพิ่มเติม" in html_plain_text(edited["text"]) and not pressed.get("text")
    assert "too old" in gone["text"]
    buttons = [b["callback_data"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons and not [b for b in buttons if b.startswith("more:")]  # 👍 👎 stay
    _assert_no_rejected_sends(api)


async def test_inline_query_is_answered_within_ten_seconds(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        started = time.monotonic()
        api.push(api.inline_query("When was the Huawei MOU signed?", user_id=1605, language_code="en"))
        [call] = await api.wait_for("answerInlineQuery", timeout=10)
        elapsed = time.monotonic() - started
        api.push(api.inline_query("hi", user_id=1605))  # too short: answered, empty
        await api.wait_for("answerInlineQuery", count=2)
        api.push(api.inline_query(HUAWEI_URL, user_id=1605, language_code="th"))  # a link: that release
        linked = (await api.wait_for("answerInlineQuery", count=3))[2]["results"]
    assert elapsed < 10
    [card] = linked
    assert card["url"] == HUAWEI_URL and "19 ธ.ค. 2566" in card["input_message_content"]["message_text"]
    # The card is in its asker's language: not shared through Telegram's cache with other users.
    assert api.calls_of("answerInlineQuery")[2]["is_personal"] in (True, "true")
    results: list[dict[str, Any]] = call["results"]
    assert 1 <= len(results) <= 4 and 0 < int(call["cache_time"]) <= 60
    assert any(HUAWEI_URL in r["input_message_content"]["message_text"] for r in results)
    assert all(r.get("url", "").startswith("https://") for r in results)
    _assert_no_rejected_sends(api)


async def test_inline_query_waits_at_the_answer_gate(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """Every answer worker busy: an inline query is turned away (no results, not cached) instead of taking
    one more thread from the chats' answers; once a slot frees it is answered again."""
    settings, service = bot_index
    api = fake_bot_api
    gate = service.gate
    waited = gate.wait_seconds
    async with running_bot(_bot_settings(settings, api), service):
        gate.wait_seconds = 0.2
        slots = gate.slots()
        try:
            for _ in range(gate.workers):
                await slots.acquire()
            api.push(api.inline_query("When was the Huawei MOU signed?", user_id=1611, language_code="en"))
            [turned] = await api.wait_for("answerInlineQuery", timeout=10)
        finally:
            for _ in range(gate.workers):
                slots.release()
            gate.wait_seconds = waited
        api.push(api.inline_query("When was the Huawei MOU signed?", user_id=1611, language_code="en"))
        answered = (await api.wait_for("answerInlineQuery", count=2, timeout=10))[1]
    assert turned["results"] == [] and int(turned["cache_time"]) == 0
    assert answered["results"] and int(answered["cache_time"]) > 0
    _assert_no_rejected_sends(api)


async def test_thumbs_down_is_stored_once_and_exported(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    bot_settings = _bot_settings(settings, api, log_questions=True)
    async with running_bot(bot_settings, service):
        api.push(api.private_text(HUAWEI_QUESTION, user_id=1606))
        await api.wait_for("sendMessage", chat_id=1606)
        message = api.last_bot_message(1606)
        [down] = [b for row in message["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "👎"]
        assert len(down["callback_data"].encode()) <= 64
        api.push(api.callback_query(message, down["callback_data"], user_id=1606))
        api.push(api.callback_query(message, down["callback_data"], user_id=1606))  # twice: counted once
        answered = await api.wait_for("answerCallbackQuery", count=2)
    # After the restart (a new application) an old button is still answered.
    async with running_bot(bot_settings, service):
        api.push(api.callback_query(message, down["callback_data"], user_id=1606))
        api.push(api.callback_query(message, "fb:u:gone", user_id=1606))
        api.push(api.private_text("/stats", user_id=4242, language_code="en"))
        later = await api.wait_for("answerCallbackQuery", count=4)
        [stats] = await api.wait_for("sendMessage", chat_id=4242)
    assert {c["text"] for c in answered} == {"ขอบคุณสำหรับความคิดเห็น", "บันทึกความคิดเห็นนี้ไว้แล้ว"}
    after_restart = sorted(c["text"] for c in later[2:])  # concurrent updates: either order
    assert after_restart[0] == "บันทึกความคิดเห็นนี้ไว้แล้ว" and "หมดอายุ" in after_restart[1]
    assert "👎 1" in stats["text"]
    out = io.StringIO()
    assert export(settings, out) >= 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    [mine] = [line for line in lines if line["question"] == HUAWEI_QUESTION and line["verdict"] == "down"]
    assert mine["votes"] == {"up": 0, "down": 1} and mine["gold_urls"] == [] and mine["bot_sources"]
    assert {"qid", "lang", "question", "gold_urls", "answer", "answer_aliases", "type", "evidence"} <= set(
        mine
    )
    with FeedbackStore(settings.db_path) as store:
        assert store.forget(1606) >= 2
    _assert_no_rejected_sends(api)


async def test_help_lang_and_forget(fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api, conversation_minutes=20), service):
        menus = api.calls_of("setMyCommands")
        api.push(api.private_text("/lang en", user_id=1607, language_code="th"))
        await api.wait_for("sendMessage", chat_id=1607)
        api.push(api.private_text("/help", user_id=1607, language_code="th"))
        api.push(api.private_text("/forget", user_id=1607, language_code="th"))
        texts = [c["text"] for c in await api.wait_for("sendMessage", chat_id=1607, count=3)]
    assert {"new", "lang", "forget", "help"} <= {c["command"] for c in menus[0]["commands"]}
    assert "English" in texts[0] and "How to use" in texts[1] and "/new" in texts[1] and "/forget" in texts[1]
    assert "kept 20 minutes" in texts[1]  # CONVERSATION_MINUTES, not a number written in the text
    assert "Deleted" in texts[2]
    _assert_no_rejected_sends(api)
