"""End-to-end tests of the Telegram bot: real python-telegram-bot, real HTTP, real answers.

The bot (``bot.app.serve``, the same code path as ``thaigov-qa bot``) talks over HTTP to the local fake
Bot API server (tests/fake_bot_api.py), which validates every HTML text the way Telegram does. Answers
come from the real pipeline (``index.answer.Answerer``) over a tiny real index of seven small releases
(the Huawei MOU release and six from ../shared/corpus/sample), built once per session with the shared
model. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import serve
from bot.service import BotService
from corpus.release import URL_PREFIX
from tests.fake_bot_api import FakeBotAPI, html_plain_text
from thaigov_qa.settings import SHARED_MODEL, Settings

pytestmark = pytest.mark.slow

DEMO_RELEASE = Path(__file__).resolve().parent.parent / "corpus" / "demo" / "76362.txt"
HUAWEI_URL = URL_PREFIX + "76362"
#: Small releases of the sample (a few kB each), Thai and English.
SAMPLE_FILES = [
    "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt",
    "data/2022/11/05/Government News_440_d04b137b-348e-4701-ae26-c0d9089484d3.txt",
    "data/2025/01/03/Government News _4_ea6ff99e-0541-4d25-88b2-a33946dd0b3b.txt",
    "data/2025/01/02/ด้านการศึกษาฯ _1_2d1e4ece-37ab-40d2-ab09-b5fc27a422fd.txt",
    "data/2022/11/05/ด้านเศรษฐกิจ_2001_8732e9a8-d7f7-4591-81c8-03f1b76d62a5.txt",
    "data/2021/01/12/ด้านสังคม_4.txt",
]
#: Added by the /reindex test (must not be in the first build).
EXTRA_FILE = "data/2022/11/06/Government News_44_4e0d8aca-3286-4e7b-a80e-e987a9da5332.txt"
HUAWEI_QUESTION = "รัฐบาลร่วมมือกับ Huawei ในด้านใดบ้าง"
ADMIN_ID = 4242


def _link_corpus(folder: Path, sample_dir: Path, files: list[str]) -> Path:
    """A source folder of symlinks (no corpus file is copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "76362.txt").symlink_to(DEMO_RELEASE)
    for n, rel in enumerate(files):
        (folder / f"{n}_{Path(rel).name}").symlink_to(sample_dir / rel)
    return folder


@pytest.fixture(scope="session")
def bot_index(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> tuple[Settings, BotService]:
    """A real index of seven small releases and a loaded QA service, shared by every bot test."""
    from index.build.pipeline import build_index

    root = tmp_path_factory.mktemp("bot_index")
    source = _link_corpus(root / "corpus", sample_dir, SAMPLE_FILES)
    settings = Settings(data_dir=root / "var", embedding_model=str(SHARED_MODEL), _env_file=None)
    report = build_index(settings, source, progress=False)
    assert report.releases == len(SAMPLE_FILES) + 1
    service = BotService(settings)
    service.warm_up()
    return settings, service


def _bot_settings(base: Settings, api: FakeBotAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": api.token,
        "telegram_base_url": api.base_url,
        "telegram_admin_ids": [ADMIN_ID],
        "rate_limit_per_minute": 30,
        "log_questions": False,
    }
    values.update(overrides)
    for key in ("telegram_bot_token", "webhook_secret"):
        if isinstance(values.get(key), str):
            values[key] = SecretStr(values[key])
    return base.model_copy(update=values)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, service: BotService | None = None) -> AsyncIterator[BotService]:
    """Run ``bot.app.serve`` (polling or webhook per settings) for the ``with`` block; yields its service."""
    service = service or BotService(settings)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop, service=service, ready=ready, poll_timeout=1))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()  # raises what went wrong at start-up
    assert ready.is_set(), "the bot did not start within 60 s"
    try:
        yield service
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def _texts(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c["text"] for c in api.calls_of("sendMessage", chat_id=chat_id)]


def _assert_no_rejected_sends(api: FakeBotAPI) -> None:
    rejected = [
        (c.method, c.status, str(c.params.get("text", ""))[:80]) for c in api.calls if c.status == 400
    ]
    assert not rejected, f"Telegram would have refused: {rejected}"


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
        await api.wait_for("sendMessage", chat_id=31)
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
    _assert_no_rejected_sends(api)


async def test_admin_commands_refused_for_others(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], caplog: pytest.LogCaptureFixture
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    caplog.set_level(logging.INFO)
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text("/reindex", user_id=51, language_code="en"))
        api.push(api.private_text("/stats", user_id=ADMIN_ID, language_code="en"))
        [refusal] = await api.wait_for("sendMessage", chat_id=51)
        [stats] = await api.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "admins only" in refusal["text"]
    assert "Releases: 7" in stats["text"] or "Releases:" in stats["text"]
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused and all("51" not in m for m in refused), "user ids are not logged by default"
    assert not api.calls_of("editMessageText")
    _assert_no_rejected_sends(api)


async def test_reindex_refused_while_another_writer_holds_the_lock(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], tmp_path: Path
) -> None:
    from index.build.lock import writer_lock

    settings, service = bot_index
    api = fake_bot_api
    bot_settings = _bot_settings(settings, api, corpus_sources=[str(tmp_path)])
    async with running_bot(bot_settings, service):
        with writer_lock(settings.index_dir):
            api.push(api.private_text("/reindex", user_id=ADMIN_ID, language_code="en"))
            [edit] = await api.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert "Another index build is running" in edit["text"]
    _assert_no_rejected_sends(api)


async def test_retry_after_is_honoured(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.fail("sendMessage", 429, retry_after=1)
        api.push(api.private_text("/help", user_id=61))
        [ok] = await api.wait_for("sendMessage", chat_id=61)
    attempts = [c for c in api.calls if c.method == "sendMessage" and c.params.get("chat_id") == 61]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # waited as told
    assert "ThaiGov QA" in ok["text"]


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
        api.push(api.private_text("/start r76362", user_id=84, language_code="en"))
        api.push(api.private_text("/latest 3", user_id=85))
        api.push(api.private_text("/about", user_id=86, language_code="en"))
        sticker = (await api.wait_for("sendMessage", chat_id=81))[0]["text"]
        voice = (await api.wait_for("sendMessage", chat_id=82))[0]["text"]
        hello = (await api.wait_for("sendMessage", chat_id=83))[0]["text"]
        card = (await api.wait_for("sendMessage", chat_id=84))[0]["text"]
        latest = (await api.wait_for("sendMessage", chat_id=85))[0]["text"]
        about = (await api.wait_for("sendMessage", chat_id=86))[0]["text"]
    assert "/help" in sticker and "Hello" in voice and "/help" in hello
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
    assert "do not answer" in wider and wider.count("<a href=") > 1
    assert "18 December 2023" not in unscoped or unscoped.count("<a href=") > 1
    assert service.counters.questions - asked_before == 3  # the fallback is not a second question
    _assert_no_rejected_sends(api)


async def test_per_user_rate_limit(fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]) -> None:
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api, rate_limit_per_minute=2), service):
        for n in range(4):
            api.push(api.private_text(f"Huawei MOU คำถามที่ {n}", user_id=91))
        await api.wait_for("sendMessage", chat_id=91, count=3)
        api.push(api.private_text(HUAWEI_QUESTION, user_id=92))  # someone else is not affected
        await api.wait_for("sendMessage", chat_id=92)
        await api.quiet(0.5)
    texts = _texts(api, 91)
    notices = [t for t in texts if "ถามถี่เกินไป" in t]
    assert len(texts) == 3 and len(notices) == 1, texts  # two answers, one notice, the 4th ignored


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
    # Served concurrently: every user saw "typing…" before the first answer went out.
    typing = [api.calls_of("sendChatAction", chat_id=300 + n)[0] for n in range(4)]
    assert max(c.at for c in typing) < min(c.at for c in replies)
    _assert_no_rejected_sends(api)


async def test_error_handler_tells_the_user_and_hides_the_token(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], caplog: pytest.LogCaptureFixture
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    caplog.set_level(logging.DEBUG)
    async with running_bot(_bot_settings(settings, api), service):
        api.fail("sendMessage", 400, description=f"Bad Request: broken for {api.token}")
        api.push(api.private_text("/about", user_id=101, language_code="en"))
        [notice] = await api.wait_for("sendMessage", chat_id=101)
    assert "something went wrong" in notice["text"]
    assert "error while handling an update" in caplog.text
    assert api.token not in caplog.text
    secret = api.token.split(":", 1)[1]
    assert secret not in caplog.text


async def test_no_index_gives_a_clear_message(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    api = fake_bot_api
    base = Settings(data_dir=tmp_path / "empty", embedding_model=str(SHARED_MODEL), _env_file=None)
    async with running_bot(_bot_settings(base, api)):
        api.push(api.private_text(HUAWEI_QUESTION, user_id=111, language_code="en"))
        api.push(api.private_text(HUAWEI_QUESTION, user_id=ADMIN_ID, language_code="en"))
        [user] = await api.wait_for("sendMessage", chat_id=111)
        [admin] = await api.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "no index" in user["text"] and "index build" not in user["text"]
    assert "thaigov-qa index build" in admin["text"]
    _assert_no_rejected_sends(api)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_checks_the_secret(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    settings, service = bot_index
    api = fake_bot_api
    port = _free_port()
    hook = _bot_settings(
        settings,
        api,
        webhook_url=f"http://127.0.0.1:{port}/tg-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-Token_1",
    )
    async with running_bot(hook, service):
        assert api.webhook == {"url": f"http://127.0.0.1:{port}/tg-hook", "secret_token": "s3cret-Token_1"}
        assert not api.calls_of("getUpdates")
        assert await api.deliver_webhook(api.private_text("/help", user_id=121), secret_token="wrong") == 403
        assert await api.deliver_webhook(api.private_text("/help", user_id=121), secret_token="") == 403
        await api.quiet(0.5)
        assert not _texts(api, 121)
        assert await api.deliver_webhook(api.private_text(HUAWEI_QUESTION, user_id=121)) == 200
        [reply] = await api.wait_for("sendMessage", chat_id=121)
    assert HUAWEI_URL in reply["text"]


async def test_new_generation_picked_up_without_restart_and_admin_reindex(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], tmp_path: Path, sample_dir: Path
) -> None:
    """Last on purpose: it adds one release to the shared index (other tests do not depend on the count).

    First an update outside the bot (as ``thaigov-qa index update`` from a shell would) moves the pointer
    and the running bot answers from the new generation; then an admin's /reindex over the same sources
    finds nothing new and reports it in the edited progress message.
    """
    from index.build.pipeline import update_index

    settings, service = bot_index
    api = fake_bot_api
    source = _link_corpus(tmp_path / "corpus", sample_dir, [*SAMPLE_FILES, EXTRA_FILE])
    async with running_bot(_bot_settings(settings, api, corpus_sources=[str(source)]), service):
        api.push(api.private_text("/latest 10", user_id=131, language_code="en"))
        [before] = await api.wait_for("sendMessage", chat_id=131)
        assert "COVID-19 new cases" not in before["text"]
        report = await asyncio.to_thread(update_index, settings, str(source), False)
        assert len(report.new_urls) == 1
        api.push(api.private_text("/latest 10", user_id=131, language_code="en"))
        after = await api.wait_for("sendMessage", chat_id=131, count=2)
        assert "COVID-19 new cases" in after[-1]["text"]

        api.push(api.private_text("/reindex", user_id=ADMIN_ID, language_code="en"))
        done = await api.wait_for("editMessageText", chat_id=ADMIN_ID, where=lambda c: "✅" in c["text"])
        assert "new 0" in done[-1]["text"] and "releases 8" in done[-1]["text"]
    _assert_no_rejected_sends(api)
