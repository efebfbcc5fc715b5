"""End-to-end tests of the Telegram bot: real python-telegram-bot, real HTTP, real answers.

The bot (``bot.app.serve``, the same code path as ``thaigov-qa bot``) talks over HTTP to the local fake
Bot API server (tests/fake_bot_api/), which validates every HTML text the way Telegram does. Answers
come from the real pipeline (``index.answer.Answerer``) over a tiny real index of seven small releases
(the Huawei MOU release and six from ../shared/corpus/sample), built once per session with the shared
model. Nothing is mocked.

This file covers what users see: the start-up menus and help, answers in private chats and groups, the
"more sources" button, hostile input, stickers and release cards, concurrent users. Admin commands,
limits, Telegram errors, the webhook and index updates are in ``test_bot_e2e_operations.py``; the
shared set-up is in ``bot_e2e_fixtures.py`` (its names are imported from here by other bot tests).
"""

from __future__ import annotations

import time

import pytest

from bot.service import BotService
from tests import bot_e2e_fixtures as fixtures
from tests.bot_e2e_fixtures import (
    HUAWEI_QUESTION,
    HUAWEI_URL,
    _assert_no_rejected_sends,
    _bot_settings,
    _link_corpus,  # noqa: F401 (imported from here by tests/test_ops_cli.py)
    _texts,
    running_bot,
)
from tests.fake_bot_api import FakeBotAPI, html_plain_text
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow
#: The seven-release index (a session fixture); tests/test_bot_conversation_e2e.py takes it from here too.
bot_index = fixtures.bot_index


async def test_startup_sets_commands_and_help_in_both_languages(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    async with running_bot(_bot_settings(settings, fake_bot_api), service):
        menus = fake_bot_api.calls_of("setMyCommands")
        assert len(menus) == 2
        names = {c["command"] for c in menus[0]["commands"]}
        assert {"ask", "latest", "about", "help"} <= names
        assert menus[1]["language_code"] == "en"
        fake_bot_api.push(fake_bot_api.private_text("/start", user_id=11, language_code="th"))
        fake_bot_api.push(fake_bot_api.private_text("/help", user_id=12, language_code="en-GB"))
        [th] = await fake_bot_api.wait_for("sendMessage", chat_id=11)
        [en] = await fake_bot_api.wait_for("sendMessage", chat_id=12)
    assert "วิธีใช้" in th["text"] and "/latest" in th["text"]
    assert "How to use" in en["text"] and "Privacy" in en["text"]
    # The list answers for a cabinet meeting's decisions, one line in each language.
    assert "ครม. อนุมัติอะไรบ้าง" in th["text"] and "ดูอีก N เรื่อง" in th["text"]
    assert "What did the cabinet approve on" in en["text"] and "Show N more" in en["text"]
    assert "/reindex" not in en["text"]  # admin commands are listed to admins only
    _assert_no_rejected_sends(fake_bot_api)


async def test_private_question_gets_answer_with_source_link(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    async with running_bot(_bot_settings(settings, fake_bot_api), service):
        fake_bot_api.push(fake_bot_api.private_text(HUAWEI_QUESTION, user_id=21))
        [reply] = await fake_bot_api.wait_for("sendMessage", chat_id=21)
    assert reply["parse_mode"] == "HTML"
    assert f'href="{HUAWEI_URL}"' in reply["text"].split("\n\n")[-1]  # a numbered source links the release
    assert html_plain_text(reply["text"]).strip()
    typing = fake_bot_api.calls_of("sendChatAction", chat_id=21, action="typing")
    assert typing and typing[0].at <= reply.at
    _assert_no_rejected_sends(fake_bot_api)


async def test_group_messages_only_when_addressed(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    group = -1001111111111
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.group_text(f"คุยกันเรื่อง {HUAWEI_QUESTION}", chat_id=group))
        await api.wait_idle()
        await api.quiet(1.0)
        assert _texts(api, group) == [], "a group message without mention must be ignored"

        ask = api.group_text(f"/ask@{api.username} {HUAWEI_QUESTION}", chat_id=group)
        api.push(ask)
        [reply] = await api.wait_for("sendMessage", chat_id=group)
        assert HUAWEI_URL in reply["text"]
        assert reply["reply_parameters"]["message_id"] == ask["message"]["message_id"]  # quotes the question

        api.push(api.group_text(f"@{api.username} {HUAWEI_QUESTION}", chat_id=group))
        await api.wait_for("sendMessage", chat_id=group, count=2)

        bot_message = api.last_bot_message(group)
        api.push(api.reply_to_bot("แล้วลงนามวันไหน", bot_message))
        replies = await api.wait_for("sendMessage", chat_id=group, count=3)
        assert len(replies) == 3
    _assert_no_rejected_sends(api)


async def test_more_sources_button_edits_the_message(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text("ข่าวรัฐบาลเกี่ยวกับความร่วมมือ MOU และเศรษฐกิจดิจิทัล", user_id=31))
        # A Thai Telegram user asking in English: an English reply, and its button says so too.
        api.push(api.private_text("Government news on MOU cooperation and the digital economy", user_id=32))
        await api.wait_for("sendMessage", chat_id=31)
        await api.wait_for("sendMessage", chat_id=32)
        english = api.last_bot_message(32)["reply_markup"]["inline_keyboard"]
        message = api.last_bot_message(31)
        markup = message.get("reply_markup")
        assert markup, "an answer with more than three sources offers the button"
        [button] = [
            b for row in markup["inline_keyboard"] for b in row if b["callback_data"].startswith("more:")
        ]
        before = message["text"].count("<a href=")
        api.push(api.callback_query(message, button["callback_data"], user_id=31))
        [edit] = await api.wait_for("editMessageText", chat_id=31)
        await api.wait_for("answerCallbackQuery")
    edited = api.messages[(31, message["message_id"])]
    assert edit["message_id"] == message["message_id"]
    assert edited["text"].count("<a href=") > before
    buttons = [
        b["callback_data"] for row in edited.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]
    assert buttons and not [b for b in buttons if b.startswith("more:")]  # gone once used; 👍 👎 stay
    assert "📚 More sources" in [b["text"] for row in english for b in row]
    _assert_no_rejected_sends(api)


HOSTILE = {
    "empty": "",
    "blank": "   \n\t ",
    "huge": "ภาษี " + "x" * 10_240,
    "html": '<b>bold</b><script>alert(1)</script> & &amp; </blockquote><a href="javascript:x">Huawei</a>',
    "markdown": "*Huawei* _MOU_ [link](http://evil.example) `code` ```pre```",
    "control": "\x00\x01\x07\x1b[31mHuawei\u202e\u200b\ufeff MOU\x7f",
    "emoji": "😀🎉🇹🇭👍🏽",
}


async def test_hostile_input_gets_a_valid_reply(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    users = {name: 700 + n for n, name in enumerate(HOSTILE)}
    async with running_bot(_bot_settings(settings, api), service):
        for name, value in HOSTILE.items():
            api.push(api.private_text(value, user_id=users[name]))
        for name in HOSTILE:
            [reply] = await api.wait_for("sendMessage", chat_id=users[name], timeout=30)
            assert html_plain_text(reply["text"]).strip(), name
            assert "<script>" not in reply["text"]
    _assert_no_rejected_sends(api)
    assert not [c for c in api.calls if c.status != 200 and c.method == "sendMessage"]


async def test_stickers_greetings_and_deep_link(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.sticker(user_id=81))
        api.push(api.voice(user_id=82, language_code="en"))
        api.push(api.private_text("สวัสดีครับ", user_id=83))
        api.push(api.private_text("ขอบคุณมากครับ 🙏", user_id=87))
        api.push(api.group_text(f"/start@{api.username}", chat_id=-1001555555555, user_id=88))
        api.push(api.group_text(f"thanks bot @{api.username}", chat_id=-1001555555556, user_id=89))
        api.push(api.private_text("/start r76362", user_id=84, language_code="en"))
        api.push(api.private_text("/latest 3", user_id=85))
        api.push(api.private_text("/about", user_id=86, language_code="en"))
        sticker = (await api.wait_for("sendMessage", chat_id=81))[0]["text"]
        voice = (await api.wait_for("sendMessage", chat_id=82))[0]["text"]
        hello = (await api.wait_for("sendMessage", chat_id=83))[0]["text"]
        card = (await api.wait_for("sendMessage", chat_id=84))[0]["text"]
        latest = (await api.wait_for("sendMessage", chat_id=85))[0]["text"]
        about = (await api.wait_for("sendMessage", chat_id=86))[0]["text"]
        thanks = (await api.wait_for("sendMessage", chat_id=87))[0]["text"]
        group_start = (await api.wait_for("sendMessage", chat_id=-1001555555555))[0]["text"]
        group_thanks = (await api.wait_for("sendMessage", chat_id=-1001555555556))[0]["text"]
    assert "/help" in sticker and "Hello" in voice and "/help" in hello
    assert "ยินดี" in thanks and "สวัสดี" not in thanks  # a thank-you is not greeted
    assert "/ask" in group_start  # /start@bot in a group: the help, not silence
    assert "welcome" in group_thanks  # the bot thanked by name is not searched for "bot"
    assert not api.calls_of("sendChatAction", chat_id=-1001555555556)
    assert not api.calls_of("sendChatAction", chat_id=83), "a greeting is not searched"
    assert "Huawei" in card and HUAWEI_URL in card and "19 December 2023" in card
    assert latest.count("<a href=") == 3 and "2025" in html_plain_text(latest) or "2568" in latest
    assert "Releases: 7" in about and "multilingual-e5-small" in about
    _assert_no_rejected_sends(api)


async def test_questions_after_a_release_card_are_answered_from_that_release(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    asked_before = service.counters.questions
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text("/start r76362", user_id=91, language_code="en"))
        await api.wait_for("sendMessage", chat_id=91)
        api.push(api.private_text("When was it signed?", user_id=91, language_code="en"))
        scoped = (await api.wait_for("sendMessage", chat_id=91, count=2))[1]["text"]
        # Off-topic for the release: not refused on its account, answered (here refused) from all releases.
        api.push(api.private_text("What is the recipe for green curry with chicken?", user_id=91))
        wider = (await api.wait_for("sendMessage", chat_id=91, count=3))[2]["text"]
        # A plain /start ends the scope; another user never had one.
        api.push(api.private_text("/start", user_id=91, language_code="en"))
        await api.wait_for("sendMessage", chat_id=91, count=4)
        api.push(api.private_text("When was it signed?", user_id=91, language_code="en"))
        unscoped = (await api.wait_for("sendMessage", chat_id=91, count=5))[4]["text"]
    assert scoped.count("<a href=") == 1 and HUAWEI_URL in scoped  # answered from that release alone
    assert "clearly answers" in wider and wider.count("<a href=") > 1
    assert wider.split('<a href="', 1)[1].startswith(HUAWEI_URL + '"')  # the opened release leads
    assert "18 December 2023" not in unscoped or unscoped.count("<a href=") > 1
    assert service.counters.questions - asked_before == 3  # the fallback is not a second question
    _assert_no_rejected_sends(api)


async def test_concurrent_users_are_served(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    questions = [
        HUAWEI_QUESTION,
        "PM pleased with IP applications",
        "ธอส. เตือนเรื่อง SMS",
        "gems and jewelry export",
    ]
    async with running_bot(_bot_settings(settings, api), service):
        started = time.monotonic()
        for n, question in enumerate(questions):
            api.push(api.private_text(question, user_id=300 + n))
        replies = [(await api.wait_for("sendMessage", chat_id=300 + n, timeout=30))[0] for n in range(4)]
        elapsed = time.monotonic() - started
    assert elapsed < 30
    # Served concurrently: several users saw "typing…" before the first answer went out (a bot answering one
    # question at a time would send each "typing…" only after the previous reply). Not all four: under load
    # the fourth update can reach the bot after a ~40 ms answer has gone out (a CI run saw it 0.2 ms late),
    # and an answer that is done before the typing task first runs sends none (another CI run).
    typing = [calls[0] for n in range(4) if (calls := api.calls_of("sendChatAction", chat_id=300 + n))]
    first_reply = min(c.at for c in replies)
    assert sum(c.at < first_reply for c in typing) >= 2
    _assert_no_rejected_sends(api)
