"""/subscribe, /unsubscribe, /subscriptions in the running bot (``bot.app.serve`` → ``bot.alerts.install``).

Real python-telegram-bot long polling against the fake Bot API server; no index is needed for these
commands, so the bot runs over an empty DATA_DIR.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.alerts_store import AlertStore
from corpus.ingest.state import FetchState
from tests.fake_bot_api import FakeBotAPI, html_plain_text
from thaigov_qa.settings import Settings

ADMIN = 4242
USER = 1001
GROUP = -1001234567890
CHANNEL = -1009876543210


class ChannelAwareAPI(FakeBotAPI):
    """The fake server, plus the rights an administrator has in a channel (posting), as Telegram reports."""

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        member = super()._m_getChatMember(params)
        chat = self._chat(params.get("chat_id"))
        if chat["type"] == "channel" and member["status"] == "administrator":
            member.update({"can_post_messages": True, "can_edit_messages": True})
        return member


@pytest.fixture
async def api() -> AsyncIterator[ChannelAwareAPI]:
    server = ChannelAwareAPI()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def bot_settings(tmp_path: Path, model_path: Path, api: ChannelAwareAPI) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "var",
        embedding_model=str(model_path),
        telegram_bot_token=SecretStr(api.token),
        telegram_base_url=api.base_url,
        telegram_admin_ids=[ADMIN],
        _env_file=None,
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[None]:
    from bot.app import serve

    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop, ready=ready, poll_timeout=1))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def _reply(api: FakeBotAPI, chat_id: int, n: int) -> str:
    calls = await api.wait_for("sendMessage", count=n, chat_id=chat_id)
    return html_plain_text(calls[n - 1]["text"])


async def test_users_groups_and_channels_subscribe(api: ChannelAwareAPI, bot_settings: Settings) -> None:
    api.chats[CHANNEL] = {"id": CHANNEL, "type": "channel", "title": "ข่าวทีม"}
    async with running(bot_settings):
        # Anyone may subscribe their own private chat, with keywords and a category.
        api.push(api.private_text('/subscribe ยา "digital economy" category:ด้านสังคม', user_id=USER))
        reply = await _reply(api, USER, 1)
        assert "สมัครรับข่าวใหม่แล้ว" in reply and "ยา, digital economy" in reply and "ด้านสังคม" in reply
        # In a group only a bot admin may subscribe it.
        api.push(api.group_text("/subscribe", user_id=USER, chat_id=GROUP, language_code="en"))
        assert "only the bot's admins" in await _reply(api, GROUP, 1)
        api.push(
            api.group_text("/subscribe@" + api.username, user_id=ADMIN, chat_id=GROUP, language_code="en")
        )
        assert "every release" in await _reply(api, GROUP, 2)
        # A channel, from an admin's private chat: refused until the bot may post there.
        api.push(api.private_text(f"/subscribe {CHANNEL} ภาษี", user_id=ADMIN, language_code="en"))
        assert "cannot post" in await _reply(api, ADMIN, 1)
        api.member_status[(CHANNEL, api.bot_id)] = "administrator"
        api.push(api.private_text(f"/subscribe {CHANNEL} ภาษี", user_id=ADMIN, language_code="en"))
        assert "ข่าวทีม is subscribed" in await _reply(api, ADMIN, 2)
        with AlertStore(bot_settings.db_path) as store:  # its alerts' dates and buttons: the subscriber's
            assert store.subscription(CHANNEL).lang == "en"  # type: ignore[union-attr]
        # A non-admin cannot name another chat.
        api.push(api.private_text(f"/subscribe {CHANNEL}", user_id=USER, language_code="en"))
        assert "only the bot's admins" in await _reply(api, USER, 2)
        # Listing: an admin sees all, a user their own.
        api.push(api.private_text("/subscriptions", user_id=ADMIN, language_code="en"))
        listing = await _reply(api, ADMIN, 3)
        assert all(str(c) in listing for c in (USER, GROUP, CHANNEL))
        api.push(api.private_text("/subscriptions", user_id=USER, language_code="en"))
        own = await _reply(api, USER, 3)
        assert str(USER) in own and str(CHANNEL) not in own
        # Unsubscribing the channel remotely, the group in place.
        api.push(api.private_text(f"/unsubscribe {CHANNEL}", user_id=ADMIN, language_code="en"))
        assert "no longer gets" in await _reply(api, ADMIN, 4)
        api.push(api.group_text("/unsubscribe", user_id=ADMIN, chat_id=GROUP, language_code="en"))
        assert "no longer gets" in await _reply(api, GROUP, 3)
    assert not [c for c in api.calls if c.status == 400], "Telegram would have refused a reply"
    with AlertStore(bot_settings.db_path) as store:
        subs = {s.chat_id: s for s in store.subscriptions()}
    assert set(subs) == {USER}
    assert subs[USER].keywords == ("ยา", "digital economy") and subs[USER].categories == ("ด้านสังคม",)
    assert subs[USER].created_by == USER and subs[USER].lang == "th"


async def test_alert_commands_reply_in_the_lang_choice(api: ChannelAwareAPI, bot_settings: Settings) -> None:
    """A Thai client that chose ``/lang en`` gets the alert commands' replies in English, as every other
    reply of the bot (they followed Telegram's language_code alone; found fuzzing the bot, lab40)."""
    async with running(bot_settings):
        api.push(api.private_text("/lang en", user_id=USER, language_code="th"))
        await _reply(api, USER, 1)
        api.push(api.private_text("/subscriptions", user_id=USER, language_code="th"))
        assert "No subscriptions yet" in await _reply(api, USER, 2)
        api.push(api.private_text("/subscribe", user_id=USER, language_code="th"))
        subscribed = await _reply(api, USER, 3)
        assert "every release" in subscribed and "This chat is subscribed" in subscribed  # not its id
        api.push(api.private_text("/lang auto", user_id=USER, language_code="th"))
        await _reply(api, USER, 4)
        api.push(api.private_text("/unsubscribe", user_id=USER, language_code="th"))
        assert "ยกเลิกการแจ้งข่าวใหม่ของ แชตนี้" in await _reply(api, USER, 5)


async def test_a_long_subscription_list_is_split_under_telegrams_limit(
    api: ChannelAwareAPI, bot_settings: Settings
) -> None:
    """An admin's /subscriptions lists every chat in one message: with a hundred subscribers (or one
    subscription of very long keywords) it passed 4,096 characters, Telegram refused it and the admin got
    "something went wrong" instead of the list (found fuzzing the bot, lab40)."""
    with AlertStore(bot_settings.db_path) as store:
        for n in range(120):
            store.subscribe(700_000 + n, kind="private", keywords=[f"ภาษีที่ดิน {n}", "digital economy"])
    async with running(bot_settings):
        api.push(api.private_text("/subscriptions", user_id=ADMIN, language_code="en"))
        await api.wait_for("sendMessage", chat_id=ADMIN)
        await api.quiet(1.0)
        words = " ".join(f"ภาษี{n}" for n in range(500))  # 4,000 characters, each word a keyword
        api.push(api.private_text(f"/subscribe {words}", user_id=USER, language_code="en"))
        await api.wait_for("sendMessage", chat_id=USER)
        await api.quiet(1.0)
    assert not [c for c in api.calls if c.status == 400], "Telegram would have refused a reply"
    listing = "".join(html_plain_text(c["text"]) for c in api.calls_of("sendMessage", chat_id=ADMIN))
    assert all(str(700_000 + n) in listing for n in range(120))
    subscribed = "".join(html_plain_text(c["text"]) for c in api.calls_of("sendMessage", chat_id=USER))
    assert "subscribed" in subscribed and "ภาษี499" in subscribed


async def test_an_admin_unsubscribes_a_chat_the_bot_was_removed_from(
    api: ChannelAwareAPI, bot_settings: Settings
) -> None:
    """The paused chat of a group that removed the bot: ``/unsubscribe <id>`` asked Telegram for the chat
    first, got "chat not found" and refused, so the subscription could not be removed from Telegram
    (found fuzzing the alert commands, lab40). A chat named by an @username still has to exist."""
    gone = -1005550001
    with AlertStore(bot_settings.db_path) as store:
        store.subscribe(gone, kind="supergroup", title="ex-group")
        store.pause(gone, "Forbidden: bot was kicked from the supergroup chat")
    async with running(bot_settings):
        api.fail("getChat", 400, description="Bad Request: chat not found", times=2)
        api.push(api.private_text(f"/unsubscribe {gone}", user_id=ADMIN, language_code="en"))
        assert "no longer gets" in await _reply(api, ADMIN, 1)
        api.push(api.private_text("/unsubscribe @no_such_channel", user_id=ADMIN, language_code="en"))
        assert "no_such_channel" in await _reply(api, ADMIN, 2)
    with AlertStore(bot_settings.db_path) as store:
        assert store.subscription(gone) is None


async def test_install_adds_the_poll_job(bot_settings: Settings) -> None:
    from bot.alerts import POLL_JOB_NAME
    from bot.app import build_application

    settings = bot_settings.model_copy(update={"alert_poll_minutes": 2.5})
    application = build_application(settings)
    assert application.job_queue is not None
    [job] = application.job_queue.get_jobs_by_name(POLL_JOB_NAME)
    assert job.trigger.interval.total_seconds() == 150  # type: ignore[attr-defined]
    assert "alerts_poller" in application.bot_data


@pytest.mark.slow
async def test_the_bots_poll_job_announces_a_new_release(
    api: ChannelAwareAPI, bot_settings: Settings
) -> None:
    """The production path: the job queue runs the pass inside ``thaigov-qa bot`` (indexes, then alerts)."""
    from tests.feed_server import Entry, Feed, FeedServer

    entry = Entry(
        link="https://www.thaigov.go.th/news/contents/details/90020",
        title="ครม. เห็นชอบมาตรการจัดหายาให้โรงพยาบาลชุมชน",
        body="คณะรัฐมนตรีเห็นชอบมาตรการจัดหายาให้โรงพยาบาลชุมชนทั่วประเทศ",
        category="ด้านสังคม",
    )
    with FeedServer() as server:
        server.feeds["/th.xml"] = feed = Feed(entries=[])
        url = server.url("/th.xml")
        settings = bot_settings.model_copy(update={"alert_poll_minutes": 0.02, "release_feeds": [url]})
        with AlertStore(settings.db_path) as store:
            store.subscribe(GROUP, keywords=["ยา"], lang="en")  # an English-speaking team, a Thai release
            store.subscribe(CHANNEL, keywords=["ภาษี"])
        async with running(settings):
            with FetchState(settings.db_path) as store:
                for _ in range(300):  # the first pass reads the (empty) backlog
                    if store.source(url, "feed").initialised:
                        break
                    await asyncio.sleep(0.1)
                assert store.source(url, "feed").initialised
            feed.entries.append(entry)
            [call] = await api.wait_for("sendMessage", chat_id=GROUP, timeout=120)
        assert entry.title in html_plain_text(call["text"])
        button = call["reply_markup"]["inline_keyboard"][0][0]
        assert button["url"].endswith("?start=r90020") and button["text"] == "Ask about this release"
        assert api.calls_of("sendMessage", chat_id=CHANNEL) == []
        assert (settings.index_dir / "CURRENT").exists()
