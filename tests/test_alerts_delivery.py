"""Alert delivery through real python-telegram-bot against the fake Bot API server (tests/fake_bot_api/).

Covers what Telegram can answer: success, 429 with retry_after, 5xx, 403, a refused message, and the
crash window between Telegram accepting a message and the outbox marking it sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from telegram import Bot

from bot.alerts_delivery import Deliverer, DeliveryPolicy
from bot.alerts_store import AlertStore
from corpus.release import Release
from tests.fake_bot_api import FakeBotAPI

GROUP = -1001234567890
CHANNEL = -1009876543210
ADMIN = 4242
FAST = DeliveryPolicy(retry_base=0.05, requeue_base=60.0, lease=300.0)


def _release(n: int, lang: str = "en") -> Release:
    return Release(
        url=f"https://www.thaigov.go.th/news/contents/details/{n}",
        release_id=str(n),
        title=f"Release number {n}",
        date="2024-01-0" + str(1 + n % 9),
        category="Government News",
        lang=lang,
        body=f"Release {n} says something. It matters.",
    )


RELEASES = {r.url: r for r in (_release(n) for n in (1, 2, 3))}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "thaigov.sqlite"


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI):  # type: ignore[no-untyped-def]
    b = Bot(fake_bot_api.token, base_url=fake_bot_api.base_url)
    async with b:
        yield b


def _queue(db: Path, chats: list[int], urls: list[str]) -> None:
    with AlertStore(db) as store:
        for chat in chats:
            sub, _ = store.subscribe(chat, kind="supergroup", title=f"chat {chat}")
            for url in urls:
                store.enqueue(sub, url, RELEASES[url].hash)


def _deliverer(store: AlertStore, bot: Bot, policy: DeliveryPolicy = FAST, clock=time.time) -> Deliverer:  # type: ignore[no-untyped-def]
    return Deliverer(store, bot, RELEASES.get, [ADMIN], policy, clock)


def _sends(api: FakeBotAPI, chat: int) -> list[str]:
    return [c["text"] for c in api.calls_of("sendMessage", chat_id=chat)]


async def test_send_marks_sent_with_the_message_id(db: Path, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        row = store.outbox_row(GROUP, url)
    assert report.sent == 1 and report.waiting == 0
    [call] = fake_bot_api.calls_of("sendMessage", chat_id=GROUP)
    assert call["parse_mode"] == "HTML" and "Release number 1" in call["text"]
    button = call["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/{fake_bot_api.username}?start=r1"
    sent = fake_bot_api.last_bot_message(GROUP)
    assert row is not None and row.status == "sent" and row.message_id == sent["message_id"]


async def test_429_waits_then_succeeds(db: Path, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])
    fake_bot_api.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        assert store.outbox_row(GROUP, url).status == "sent"  # type: ignore[union-attr]
    assert time.monotonic() - started >= 1.0  # waited what Telegram asked
    statuses = [c.status for c in fake_bot_api.calls if c.method == "sendMessage"]
    assert statuses == [429, 200] and report.sent == 1 and len(_sends(fake_bot_api, GROUP)) == 1


async def test_long_flood_wait_ends_the_pass_and_keeps_alerts(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    _queue(db, [GROUP], list(RELEASES))
    fake_bot_api.fail("sendMessage", 429, retry_after=120)
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        assert "flood" in report.stopped and report.sent == 0 and report.waiting == 3
        rows = store.outbox(GROUP)
        assert [r.status for r in rows] == ["pending"] * 3 and rows[0].next_try > time.time() + 100
        later = await _deliverer(store, bot, clock=lambda: time.time() + 121).deliver()
    assert later.sent == 3 and len(_sends(fake_bot_api, GROUP)) == 3


async def test_500_retries_then_succeeds(db: Path, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])
    fake_bot_api.fail("sendMessage", 500)
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        assert store.outbox_row(GROUP, url).status == "sent"  # type: ignore[union-attr]
    assert report.retried == 1 and report.sent == 1
    assert [c.status for c in fake_bot_api.calls if c.method == "sendMessage"] == [500, 200]


async def test_persistent_5xx_is_left_pending_and_resumed_after_restart(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])
    fake_bot_api.fail("sendMessage", 502, times=3)
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        row = store.outbox_row(GROUP, url)
    assert report.sent == 0 and report.errors and row is not None
    assert row.status == "pending" and row.attempts == 1 and row.next_try >= time.time() + 50
    # A "restart": new store and deliverer; nothing is due before the backoff ends.
    with AlertStore(db) as store:
        assert (await _deliverer(store, bot).deliver()).sent == 0
        resumed = await _deliverer(store, bot, clock=lambda: time.time() + 61).deliver()
        assert store.outbox_row(GROUP, url).status == "sent"  # type: ignore[union-attr]
    assert resumed.sent == 1 and len(_sends(fake_bot_api, GROUP)) == 1


async def test_403_pauses_only_that_chat_and_tells_the_admins(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    urls = list(RELEASES)[:2]
    _queue(db, [CHANNEL, GROUP], urls)  # CHANNEL's rows come first
    fake_bot_api.fail("sendMessage", 403, description="Forbidden: bot was kicked from the channel chat")
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        assert report.paused_chats == [CHANNEL] and report.sent == 2
        sub = store.subscription(CHANNEL)
        assert sub is not None and sub.paused and "kicked" in sub.paused_reason
        assert [r.status for r in store.outbox(CHANNEL)] == ["pending", "pending"]  # waiting, not lost
        assert [r.status for r in store.outbox(GROUP)] == ["sent", "sent"]
        [note] = _sends(fake_bot_api, ADMIN)
        assert str(CHANNEL) in note and "paused" in note
        # Nothing more goes to the paused chat, and admins are not told twice.
        again = await _deliverer(store, bot).deliver()
        assert again.sent == 0 and len(_sends(fake_bot_api, ADMIN)) == 1
        # Subscribing again resumes it; its waiting alerts go out.
        store.subscribe(CHANNEL)
        resumed = await _deliverer(store, bot).deliver()
    assert resumed.sent == 2 and len(_sends(fake_bot_api, CHANNEL)) == 2


async def test_an_admin_notice_telegram_refuses_is_sent_at_a_later_pass(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """The pause and its notice are one write; a notice refused for now (5xx) waits in the database, across
    a restart, and goes out once; an admin who blocked the bot is logged and dropped, the others told."""
    url = next(iter(RELEASES))
    _queue(db, [CHANNEL], [url])
    fake_bot_api.fail("sendMessage", 403, description="Forbidden: bot was kicked from the channel chat")
    fake_bot_api.fail("sendMessage", 502)  # the notice's first try
    with AlertStore(db) as store:
        first = await _deliverer(store, bot).deliver()
        assert first.paused_chats == [CHANNEL] and _sends(fake_bot_api, ADMIN) == []
        assert any(f"admin {ADMIN}" in e for e in first.errors)
        [kept] = store.notices()
        assert kept.admin_id == ADMIN and kept.attempts == 1 and str(CHANNEL) in kept.text
    with AlertStore(db) as store:  # a restart: a new store and deliverer
        later = await _deliverer(store, bot).deliver()
        again = await _deliverer(store, bot).deliver()
        assert store.notices() == [] and later.errors == [] and again.errors == []
    [note] = _sends(fake_bot_api, ADMIN)
    assert str(CHANNEL) in note and "paused" in note
    # Another chat paused, with one admin who blocked the bot: dropped with a log line, the other told.
    _queue(db, [GROUP], [url])
    fake_bot_api.fail("sendMessage", 403, description="Forbidden: bot was kicked from the supergroup chat")
    fake_bot_api.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    with AlertStore(db) as store:
        deliverer = Deliverer(store, bot, RELEASES.get, [777, ADMIN], FAST)
        assert (await deliverer.deliver()).paused_chats == [GROUP]
        assert store.notices() == []
    assert len(_sends(fake_bot_api, ADMIN)) == 2 and _sends(fake_bot_api, 777) == []
    # The log says a notice was dropped, not to whom (a user's id) nor what it said.
    [dropped] = [r.getMessage() for r in caplog.records if "an admin cannot be told" in r.getMessage()]
    assert "dropped" in dropped and "paused" not in dropped and str(GROUP) not in dropped
    assert "777" not in caplog.text


async def test_refused_message_is_failed_not_retried(db: Path, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])
    fake_bot_api.fail("sendMessage", 400, description="Bad Request: can't parse entities")
    with AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        row = store.outbox_row(GROUP, url)
        assert report.failed == 1 and row is not None and row.status == "failed"
        assert (await _deliverer(store, bot).deliver()).sent == 0


class _Crash(BaseException):
    """Stands for the process dying: not an Exception, so no handler in the code under test catches it."""


async def test_crash_between_send_and_mark_does_not_lose_the_alert(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = next(iter(RELEASES))
    _queue(db, [GROUP], [url])

    def die(self: AlertStore, row_id: int, message_id: int) -> None:
        raise _Crash()

    monkeypatch.setattr(AlertStore, "mark_sent", die)
    store = AlertStore(db)
    with pytest.raises(_Crash):
        await _deliverer(store, bot).deliver()
    store.close()
    monkeypatch.undo()
    assert len(_sends(fake_bot_api, GROUP)) == 1  # Telegram has the message...
    with AlertStore(db) as store:
        row = store.outbox_row(GROUP, url)
        assert row is not None and row.status == "sending"  # ...but the outbox never heard back.
        # Restarted within the lease: the claim may belong to a live sender, so nothing is sent.
        assert (await _deliverer(store, bot).deliver()).sent == 0
        # After the lease the alert is resent (the one documented duplicate) and marked, then never again.
        resent = await _deliverer(store, bot, clock=lambda: time.time() + FAST.lease + 1).deliver()
        assert resent.sent == 1 and store.outbox_row(GROUP, url).status == "sent"  # type: ignore[union-attr]
        assert (await _deliverer(store, bot, clock=lambda: time.time() + 10_000).deliver()).sent == 0
    assert len(_sends(fake_bot_api, GROUP)) == 2


async def test_two_senders_at_once_send_each_alert_once(db: Path, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    _queue(db, [GROUP, CHANNEL], list(RELEASES))
    with AlertStore(db) as a, AlertStore(db) as b:
        ra, rb = await asyncio.gather(_deliverer(a, bot).deliver(), _deliverer(b, bot).deliver())
    assert ra.sent + rb.sent == 6
    for chat in (GROUP, CHANNEL):
        texts = _sends(fake_bot_api, chat)
        assert len(texts) == 3 and len(set(texts)) == 3


async def test_long_flood_wait_ends_the_pass_through_the_bots_rate_limiter(
    db: Path, fake_bot_api: FakeBotAPI
) -> None:
    """The bot's own Bot (bot.app: python-telegram-bot's AIORateLimiter with retries) used to sleep out
    any retry_after itself, three times, holding every other request of the bot meanwhile: a 2-minute
    flood wait froze the whole bot for 6 minutes and the pass never requeued (found fuzzing, lab40)."""
    from telegram.ext import ExtBot

    from bot.sending import RetryingRateLimiter

    _queue(db, [GROUP], list(RELEASES))
    fake_bot_api.fail("sendMessage", 429, retry_after=120)
    limited = ExtBot(
        fake_bot_api.token, base_url=fake_bot_api.base_url, rate_limiter=RetryingRateLimiter(max_retries=3)
    )
    async with limited:
        with AlertStore(db) as store:
            report = await asyncio.wait_for(_deliverer(store, limited).deliver(), 10)
            rows = store.outbox(GROUP)
    assert "flood" in report.stopped and report.sent == 0 and report.waiting == 3
    assert [r.status for r in rows] == ["pending"] * 3 and rows[0].next_try > time.time() + 100


async def test_a_private_subscriber_is_not_named_in_the_logs(
    db: Path, bot: Bot, fake_bot_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """A private chat's id is its user's: a blocked bot pauses it with a log line and an error that say
    "a private chat", while a group keeps its id (operators need it)."""
    user = 777000123
    _queue(db, [user], list(RELEASES)[:1])
    fake_bot_api.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO, logger="bot"), AlertStore(db) as store:
        report = await _deliverer(store, bot).deliver()
        assert report.paused_chats == [user]
    assert "paused" in caplog.text and "a private chat" in caplog.text
    assert str(user) not in caplog.text and not any(str(user) in e for e in report.errors)
