"""End-to-end tests of the Telegram bot's operations side: admins, limits, failures, webhook, new index.

The same set-up as ``test_bot_e2e.py`` (``bot_e2e_fixtures.py``: the real bot over HTTP against the fake
Bot API server, over a real seven-release index built once per session for this file): admin commands
refused to others and /reindex while another writer holds the lock, Telegram's retry_after, the per-user
rate limit, the error handler (which must not log the token), no index at all, webhook mode with its
secret, and a new index generation picked up without a restart. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from bot.service import BotService
from tests import bot_e2e_fixtures as fixtures
from tests.bot_e2e_fixtures import (
    ADMIN_ID,
    EXTRA_FILE,
    HUAWEI_QUESTION,
    HUAWEI_URL,
    SAMPLE_FILES,
    _assert_no_rejected_sends,
    _bot_settings,
    _link_corpus,
    _texts,
    running_bot,
)
from tests.fake_bot_api import FakeBotAPI
from thaigov_qa.settings import SHARED_MODEL, Settings

pytestmark = pytest.mark.slow
#: The seven-release index (a session fixture, built once for this file).
bot_index = fixtures.bot_index


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
