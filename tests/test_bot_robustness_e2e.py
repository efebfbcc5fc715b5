"""What an unusual Telegram world does to the running bot: updates it cannot read, failing API calls,
odd command arguments (found by fuzzing the bot paths, lab40); another process holding the database's
write lock (an admin's ``index build``), and a group upgraded to a supergroup (a new chat id).

The same set-up as ``tests/test_bot_e2e.py``: the real bot (``bot.app.serve``) against the local fake
Bot API server, over the seven-release index built once per session.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.alerts_store import AlertStore
from bot.feedback_store import FeedbackStore
from bot.persistence import SQLitePersistence
from bot.service import BotService
from corpus.registry import Registry
from corpus.release import Release
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
from tests.fake_bot_api import RESET, FakeBotAPI, html_plain_text
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow
bot_index = fixtures.bot_index


def _old_server_poll(api: FakeBotAPI, user_id: int) -> dict[str, Any]:
    """A poll in a private chat as a Bot API server older than python-telegram-bot sends it: without the
    fields the library requires (``allows_revoting``, the options' ``persistent_id``)."""
    poll = {
        "id": "5210",
        "question": "ชอบข่าวไหน?",
        "options": [{"text": "ก", "voter_count": 0}, {"text": "ข", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    user = api.user(user_id)
    return {"message": {**api.message(api.private_chat(user_id), user), "poll": poll}}


async def test_an_unreadable_update_does_not_stop_polling(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """python-telegram-bot fails the whole getUpdates batch on one update it cannot parse and never
    confirms it: without the skip, the bot fetched the same batch forever and answered nobody."""
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(_old_server_poll(api, 1901))
        api.push(api.private_text("/help", user_id=1902, language_code="en"))
        [reply] = await api.wait_for("sendMessage", chat_id=1902, timeout=15)
        api.push(api.private_text("/about", user_id=1902, language_code="en"))
        await api.wait_for("sendMessage", chat_id=1902, count=2, timeout=15)
        polls = len(api.calls_of("getUpdates"))
        await api.quiet(1.0)
        assert len(api.calls_of("getUpdates")) - polls < 10, "polling spins on the skipped update"
    assert "How to use" in reply["text"]
    assert _texts(api, 1901) == []  # the poll itself is skipped
    _assert_no_rejected_sends(api)


#: A question whose reply lists more than three sources: it has the "more sources" button.
MORE_QUESTION = "ข่าวรัฐบาลเกี่ยวกับความร่วมมือ MOU และเศรษฐกิจดิจิทัล"
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_more_sources_pressed_too_long_ago_still_extends_the_message(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """A press Telegram no longer lets the bot answer (older than ~15 s: pressed while the bot was
    restarting) used to end the handler at ``query.answer()``: the payload was already taken, the sources
    never shown, and the user got "something went wrong"."""
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text(MORE_QUESTION, user_id=1911))
        await api.wait_for("sendMessage", chat_id=1911)
        message = api.last_bot_message(1911)
        [data] = [
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].startswith("more:")
        ]
        before = message["text"].count("<a href=")
        api.fail("answerCallbackQuery", 400, description=TOO_OLD)
        api.push(api.callback_query(message, data, user_id=1911))
        await api.wait_for("editMessageText", chat_id=1911)
        await api.quiet(0.5)
    assert api.messages[(1911, message["message_id"])]["text"].count("<a href=") > before
    assert len(_texts(api, 1911)) == 1  # no "something went wrong" after it


async def test_latest_with_a_digit_int_cannot_read(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """``/latest ²``: ``"²".isdigit()`` is true but ``int("²")`` fails, and the user got "something went
    wrong"; it now lists the default number, and Thai digits still count."""
    settings, service = bot_index
    api = fake_bot_api
    errors = service.counters.errors
    async with running_bot(_bot_settings(settings, api), service):
        api.push(api.private_text("/latest ²", user_id=1921, language_code="en"))
        api.push(api.private_text("/latest ๒", user_id=1922, language_code="en"))
        [default] = await api.wait_for("sendMessage", chat_id=1921)
        [thai] = await api.wait_for("sendMessage", chat_id=1922)
    assert "The 5 newest releases" in default["text"] and default["text"].count("<a href=") == 5
    assert thai["text"].count("<a href=") == 2
    assert service.counters.errors == errors
    _assert_no_rejected_sends(api)


async def test_reindex_reports_its_result_when_a_progress_edit_fails(
    fake_bot_api: FakeBotAPI,
    bot_index: tuple[Settings, BotService],
    tmp_path: Path,
    sample_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A progress edit that failed with a network error (after the sender's retries) ended /reindex's
    handler: the admin got "something went wrong" while the update went on, and never its result.

    Last in this file: its sources are those the /reindex test of test_bot_e2e_operations.py leaves in the
    shared index (the seven releases and one more), so the index is the same whichever file ran first.
    """
    from bot import admin

    settings, service = bot_index
    api = fake_bot_api
    monkeypatch.setattr(admin, "REINDEX_PROGRESS_SECONDS", 0.05)
    source = _link_corpus(tmp_path / "corpus", sample_dir, [*SAMPLE_FILES, EXTRA_FILE])
    async with running_bot(_bot_settings(settings, api, corpus_sources=[str(source)]), service):
        api.fail("editMessageText", RESET, times=4)  # the first try and the three retries
        api.push(api.private_text("/reindex", user_id=ADMIN_ID, language_code="en"))
        done = await api.wait_for("editMessageText", chat_id=ADMIN_ID, where=lambda c: "✅" in c["text"])
        # Every edit failing, the last one too: the outcome comes as a message of its own.
        api.fail("editMessageText", RESET, times=1000)
        api.push(api.private_text("/reindex", user_id=ADMIN_ID, language_code="en"))
        sent = await api.wait_for("sendMessage", chat_id=ADMIN_ID, where=lambda c: "✅" in c["text"])
    assert "releases 8" in done[-1]["text"] and "releases 8" in sent[-1]["text"]
    assert not [t for t in _texts(api, ADMIN_ID) if "went wrong" in t]


async def test_the_error_notice_goes_to_the_forum_topic_of_the_question(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService]
) -> None:
    """In a forum group, "something went wrong" went to the General topic (a plain sendMessage to the
    chat), not to the topic where the question was asked; the answer itself did reach the topic."""
    settings, service = bot_index
    api = fake_bot_api
    group = -1001919191919
    async with running_bot(_bot_settings(settings, api), service):
        api.fail("sendMessage", 400, description="Bad Request: something Telegram refused")
        question = api.group_text(f"/about@{api.username}", user_id=1941, chat_id=group, language_code="en")
        question["message"].update(message_thread_id=77, is_topic_message=True)
        api.push(question)
        [notice] = await api.wait_for("sendMessage", chat_id=group)
    assert "something went wrong" in notice["text"]
    assert notice.get("message_thread_id") == 77


async def test_a_reply_held_by_a_long_flood_wait_is_sent_after_it(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood wait longer than the rate limiter sleeps out is raised to the caller (bot.sending): the
    reply it hit used to be lost (logged). It is held (bot.later) and sent after the wait, while the bot
    answers others meanwhile. The limit is shortened here so that the test waits 2 s, not a minute."""
    import bot.sending

    monkeypatch.setattr(bot.sending, "MAX_FLOOD_WAIT_SECONDS", 0.5)
    settings, service = bot_index
    api = fake_bot_api
    async with running_bot(_bot_settings(settings, api), service):
        api.fail("sendMessage", 429, retry_after=2)
        api.push(api.private_text("/help", user_id=1931, language_code="en"))
        await api.quiet(0.5)
        assert _texts(api, 1931) == []  # held
        api.push(api.private_text("/about", user_id=1932, language_code="en"))
        await api.wait_for("sendMessage", chat_id=1932, timeout=15)  # not behind the held reply
        assert _texts(api, 1931) == []
        [held] = await api.wait_for("sendMessage", chat_id=1931, timeout=15)
    assert "How to use" in held["text"]
    _assert_no_rejected_sends(api)


class WriteLock:
    """What an ``index build`` in another process does to ``thaigov.sqlite``: the write lock taken
    (``BEGIN IMMEDIATE``) on a connection of its own, from a thread, until :meth:`release` (at most
    ``limit`` seconds, well under the bot's 30 s busy timeout)."""

    def __init__(self, db: Path, limit: float = 20.0) -> None:
        self.db, self.limit = db, limit
        self._taken, self._release, self.released = threading.Event(), threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, name="write-lock", daemon=True)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.db, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._taken.set()
            self._release.wait(self.limit)
            conn.execute("COMMIT")
        finally:
            conn.close()
            self.released.set()

    def __enter__(self) -> WriteLock:
        self._thread.start()
        assert self._taken.wait(10), "could not take the write lock"
        return self

    def release(self) -> None:
        self._release.set()
        assert self.released.wait(10)

    def __exit__(self, *exc: object) -> None:
        self.release()


ALERTED = -1002323232323
ALERT_RELEASE = Release(
    url="https://www.thaigov.go.th/news/contents/details/90031",
    release_id="90031",
    title="ครม. เห็นชอบมาตรการจัดหายาให้โรงพยาบาลชุมชน",
    date="2024-02-01",
    category="ด้านสังคม",
    lang="th",
    body="คณะรัฐมนตรีเห็นชอบมาตรการจัดหายาให้โรงพยาบาลชุมชนทั่วประเทศ",
)


async def _own_database(settings: Settings, data_dir: Path) -> Settings:
    """The bot's settings with a ``thaigov.sqlite`` of this test's own: the shared service still answers
    from the shared index, and nothing this test subscribes or queues reaches another test's bot. The
    tables a first start creates (writes) are made here."""
    copy = settings.model_copy(update={"data_dir": data_dir})
    FeedbackStore(copy.db_path).close()
    persistence = SQLitePersistence(copy.db_path)
    await persistence.get_chat_data()
    await persistence.flush()
    return copy


async def test_the_bot_answers_while_another_process_holds_the_write_lock(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], tmp_path: Path
) -> None:
    """An ``index build`` holds the write lock: the alert pass and a /subscribe wait for it, in the
    database's threads. They used to wait on the event loop (up to the 30 s busy timeout), and every chat
    waited with them. Now the question is answered meanwhile; once the lock is gone, the alert and the
    subscription go through, once each."""
    base, service = bot_index
    api = fake_bot_api
    settings = await _own_database(_bot_settings(base, api, alert_poll_minutes=0.02), tmp_path / "var")
    with AlertStore(settings.db_path) as store, Registry(settings.db_path) as registry:
        registry.upsert(ALERT_RELEASE)
        sub, _ = store.subscribe(ALERTED, kind="supergroup", title="ข่าวทีม")
        store.enqueue(sub, ALERT_RELEASE.url, ALERT_RELEASE.hash)
    with WriteLock(settings.db_path) as lock:
        async with running_bot(settings, service):
            started = time.monotonic()
            await asyncio.sleep(2.0)  # the first alert pass (1.2 s) is waiting for the lock by now
            # A loop blocked by that wait would stand still until SQLite's 30 s busy timeout: anything well
            # under it says the loop ran on (a loaded machine adds seconds of jitter, not tens).
            slept = time.monotonic() - started
            api.push(api.private_text("/subscribe", user_id=1951, language_code="en"))
            api.push(api.private_text(HUAWEI_QUESTION, user_id=1952, language_code="en"))
            asked = time.monotonic()
            # The lock is held until this test lets it go: an answer that had to wait for it would not come
            # before SQLite's 30 s busy timeout.
            [answer] = await api.wait_for("sendMessage", chat_id=1952, timeout=20.0)
            answered = time.monotonic() - asked
            assert not lock.released.is_set(), "answered only once the lock was gone"
            assert _texts(api, 1951) == [] and _texts(api, ALERTED) == []  # both wait for the lock
            await asyncio.to_thread(lock.release)
            [subscribed] = await api.wait_for("sendMessage", chat_id=1951, timeout=10)
            [alert] = await api.wait_for("sendMessage", chat_id=ALERTED, timeout=10)
            await api.quiet(1.5)  # a few more passes: nothing is sent twice
    assert slept < 10.0, f"the event loop stood still for {slept:.1f} s while the alert pass waited"
    assert answered < 20.0 and HUAWEI_URL in answer["text"]
    assert "subscribed" in html_plain_text(subscribed["text"])
    assert ALERT_RELEASE.title in html_plain_text(alert["text"])
    assert len(_texts(api, ALERTED)) == 1
    with AlertStore(settings.db_path) as store:
        assert store.subscription(1951) is not None
        assert store.outbox_row(ALERTED, ALERT_RELEASE.url).status == "sent"  # type: ignore[union-attr]
    _assert_no_rejected_sends(api)


def _subscribed(settings: Settings, chat_id: int) -> bool:
    with AlertStore(settings.db_path) as store:
        return store.subscription(chat_id) is not None


async def _until(check: Any, failure: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, failure
        await asyncio.sleep(0.1)


def _migration(api: FakeBotAPI, old: int, new: int) -> list[dict[str, Any]]:
    """The two service messages of a group's upgrade, as Telegram sends them: one in the old group, one
    in the new supergroup."""
    admin = api.user(ADMIN_ID, language_code="en")
    to = api.message(api.group_chat(old, "ทีมข่าว"), admin, migrate_to_chat_id=new)
    upgraded = api.group_chat(new, "ทีมข่าว")
    return [{"message": to}, {"message": api.message(upgraded, admin, migrate_from_chat_id=old)}]


async def test_a_group_upgraded_to_a_supergroup_keeps_its_threads_and_alerts(
    fake_bot_api: FakeBotAPI, bot_index: tuple[Settings, BotService], tmp_path: Path
) -> None:
    """A group's reply threads (``chat_data``) stayed under the old chat id, lost to the supergroup, and
    its subscription moved only when an alert's send failed with ChatMigrated. Both now move when
    Telegram announces the upgrade, and the persisted chat data with them."""
    base, service = bot_index
    api = fake_bot_api
    old, new = -4001961, -1001001961961
    settings = await _own_database(_bot_settings(base, api), tmp_path / "var")
    async with running_bot(settings, service):
        subscribe = api.group_text(f"/subscribe@{api.username}", user_id=ADMIN_ID, chat_id=old)
        api.push(subscribe)
        await api.wait_for("sendMessage", chat_id=old)
        api.push(api.group_text(f"/ask@{api.username} {HUAWEI_QUESTION}", chat_id=old, user_id=1961))
        await api.wait_for("sendMessage", chat_id=old, count=2)
        answer = api.last_bot_message(old)
        for update in _migration(api, old, new):
            api.push(update)
        await _until(lambda: _subscribed(settings, new), "the subscription did not move")
        # The answer, as the supergroup shows it (the group's history moved with it), replied to.
        moved = {**answer, "chat": api.chats[new]}
        api.push(api.reply_to_bot("แล้วลงนามเมื่อไหร่", moved, user_id=1962))
        [follow] = await api.wait_for("sendMessage", chat_id=new)
    assert "จากข่าววันที่" in follow["text"] and HUAWEI_URL in follow["text"]
    with AlertStore(settings.db_path) as store:
        assert store.subscription(old) is None
        assert store.subscription(new).kind == "supergroup"  # type: ignore[union-attr]
    with sqlite3.connect(settings.db_path) as conn:
        chats = dict(conn.execute("SELECT id, data FROM bot_state WHERE kind = 'chat'").fetchall())
    assert old not in chats and '"threads"' in chats[new]
    _assert_no_rejected_sends(api)
