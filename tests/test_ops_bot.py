"""The running bot's operations side, end to end against the fake Bot API (tests/fake_bot_api/).

The real bot (``bot.app.serve``) runs over real HTTP; no index is needed for what these tests look at
(the send path, the logs, /healthz, /metrics, the busy notice, operator alerts), so each starts in a
second or two: a question is answered "no index yet", which is a reply like any other.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.alerts_store import AlertStore
from bot.logsafe import HIDDEN
from corpus.ingest.state import FetchState
from tests.fake_bot_api import RESET, FakeBotAPI
from tests.test_bot_e2e import running_bot
from thaigov_qa.messages import BUSY_TEXT
from thaigov_qa.settings import SHARED_MODEL, Settings

ADMIN = 77


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(tmp_path: Path, api: FakeBotAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "var",
        "embedding_model": str(SHARED_MODEL),
        "telegram_bot_token": SecretStr(api.token),
        "telegram_base_url": api.base_url,
        "telegram_admin_ids": [ADMIN],
        "log_questions": False,
        "disk_min_free_percent": 0.0,
    }
    values.update(overrides)
    if isinstance(values.get("webhook_secret"), str):
        values["webhook_secret"] = SecretStr(values["webhook_secret"])
    return Settings(_env_file=None, **values)


running = running_bot


def _sent(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c["text"] for c in api.calls_of("sendMessage", chat_id=chat_id)]


@pytest.mark.parametrize("failure", [502, RESET], ids=["502", "connection-reset"])
async def test_reply_delivered_once_after_two_transient_failures(
    fake_bot_api: FakeBotAPI, tmp_path: Path, failure: int
) -> None:
    api = fake_bot_api
    async with running(_settings(tmp_path, api)):
        api.fail("sendMessage", failure, times=2)
        api.push(api.private_text("/help", user_id=31, language_code="en"))
        [reply] = await api.wait_for("sendMessage", chat_id=31, timeout=30)
        await api.quiet(1.0)
    failed = [c for c in api.calls if c.method == "sendMessage" and c.status == failure]
    assert len(failed) == 2
    assert len(_sent(api, 31)) == 1, "delivered exactly once"
    assert "How to use" in reply["text"]


async def test_send_given_up_after_retries_is_logged_and_counted(
    fake_bot_api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api = fake_bot_api
    caplog.set_level(logging.WARNING)
    async with running(_settings(tmp_path, api)) as service:
        api.fail("sendMessage", 502, times=4)  # the first try and 3 retries
        api.push(api.private_text("/help", user_id=32, language_code="en"))
        # The error handler then tells the user something went wrong (a 5th, successful, send).
        [notice] = await api.wait_for("sendMessage", chat_id=32, timeout=30)
    assert "How to use" not in notice["text"]
    assert service.counters.errors == 1
    assert any("giving up" in r.getMessage() for r in caplog.records)


async def test_unparsable_update_is_skipped_and_leaves_no_question_text_in_the_log(
    fake_bot_api: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An update python-telegram-bot cannot parse is skipped by ``bot.polling`` (it used to fail the whole
    batch, again and again); the line that says so names its id and kind, never its text."""
    api = fake_bot_api
    caplog.set_level(logging.DEBUG)
    secret = "SECRET-QUESTION-ลับมาก-42"
    async with running(_settings(tmp_path, api)):
        bad = api.push(
            {"message": {"message_id": 5, "date": "not a date", "chat": {"id": 33}, "text": secret}}
        )
        api.push(api.private_text("/help", user_id=34, language_code="en"))
        await api.wait_for("sendMessage", chat_id=34, timeout=30)
    assert secret not in caplog.text
    [skipped] = [r for r in caplog.records if r.name == "bot.polling"]
    assert f"update {bad['update_id']} (message)" in skipped.getMessage()


def test_update_data_in_telegrams_own_log_lines_is_hidden() -> None:
    """python-telegram-bot logs an update it cannot parse whole (the webhook's CRITICAL "Received data
    was …"); with LOG_QUESTIONS off the filter keeps the line and drops the data."""
    from bot.logsafe import UpdateDataFilter

    secret = "SECRET-QUESTION-ลับมาก-42"
    data = {"update_id": 9, "message": {"text": secret}}
    record = logging.LogRecord(
        "telegram.ext._utils.webhookhandler",
        logging.CRITICAL,
        __file__,
        1,
        "Received data was *not* processed! Received data was: %r",
        (data,),
        None,
    )
    assert UpdateDataFilter().filter(record)
    assert secret not in record.getMessage() and HIDDEN in record.getMessage()


async def test_healthz_and_metrics_from_the_running_bot(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    api = fake_bot_api
    hook_port, metrics_port = _free_port(), _free_port()
    settings = _settings(
        tmp_path,
        api,
        webhook_url=f"http://127.0.0.1:{hook_port}/tg-hook",
        webhook_listen="127.0.0.1",
        webhook_port=hook_port,
        webhook_secret="s3cret",
        metrics_port=metrics_port,
    )
    AlertStore(settings.db_path).close()  # the outbox table exists: its gauge reads 0s
    async with running(settings), httpx.AsyncClient(timeout=10) as http:
        health = (await http.get(f"http://127.0.0.1:{hook_port}/healthz")).json()
        assert await api.deliver_webhook(api.private_text("What was signed?", user_id=35)) == 200
        await api.wait_for("sendMessage", chat_id=35, timeout=30)
        metrics = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
        health2 = (await http.get(f"http://127.0.0.1:{metrics_port}/healthz")).json()
    assert health["status"] == "ok" and health["mode"] == "webhook"
    assert health["generation"] is None and "uptime_s" in health and "last_poll" in health
    assert health2["mode"] == "webhook"
    for name in (
        "thaigov_qa_questions_total",
        "thaigov_qa_answers_not_found_total",
        "thaigov_qa_errors_total",
        'thaigov_qa_alerts{status="pending"} 0.0',
        'thaigov_qa_alerts{status="failed"} 0.0',
        "thaigov_qa_index_generation 0.0",
        "thaigov_qa_last_poll_timestamp_seconds 0.0",
        "thaigov_qa_answer_seconds_count 1.0",
    ):
        assert name in metrics, name


def _listening_ports() -> set[int]:
    """The TCP ports something on this machine listens on (``/proc/net/tcp*``, state 0A)."""
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        ports |= {int(p[1].rsplit(":", 1)[1], 16) for p in (line.split() for line in lines) if p[3] == "0A"}
    return ports


async def test_metrics_are_off_by_default(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    """No METRICS_PORT, no webhook: the running bot opens no port of its own (it polls)."""
    assert Settings(_env_file=None).metrics_port == 0
    before = _listening_ports()
    async with running(_settings(tmp_path, fake_bot_api)):
        during = _listening_ports()
    assert during <= before, f"the bot listens on {sorted(during - before)}"


async def test_busy_when_no_answer_worker_frees_up(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    api = fake_bot_api
    settings = _settings(tmp_path, api, answer_workers=1, busy_seconds=0.3)
    async with running(settings) as service:
        slots = service.gate.slots()
        await slots.acquire()  # the one worker is taken by a long answer
        try:
            api.push(api.private_text("ทำไมช้าจัง", user_id=36, language_code="th"))
            [busy] = await api.wait_for("sendMessage", chat_id=36, timeout=30)
        finally:
            slots.release()
        api.push(api.private_text("What was signed?", user_id=37, language_code="en"))
        [after] = await api.wait_for("sendMessage", chat_id=37, timeout=30)
    assert busy["text"] == BUSY_TEXT["th"]
    assert after["text"] != BUSY_TEXT["en"] and service.gate.busy == 1


async def test_operators_told_of_a_failing_feed_and_a_full_disk_once(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    api = fake_bot_api
    settings = _settings(
        tmp_path, api, disk_min_free_percent=100.0, feed_alert_hours=1.0, ops_check_minutes=0.01
    )
    feed = "https://example.org/feed.xml"
    with FetchState(settings.db_path) as store:
        store.source_ok(feed, "feed")
        store.source_failed(feed, "feed", "HTTP 503", next_try=0)
        store.conn.execute("UPDATE source_state SET last_ok = ?", (time.time() - 3 * 3600,))
        store.source_ok("https://example.org/fine.xml", "feed")
    async with running(settings):
        sent = await api.wait_for("sendMessage", chat_id=ADMIN, count=2, timeout=30)
        await asyncio.sleep(2.0)  # three more checks: nothing new is due
        assert len(_sent(api, ADMIN)) == 2
    texts = " ".join(c["text"] for c in sent)
    assert feed in texts and "3.0 hours" in texts and "HTTP 503" in texts
    assert "nearly full" in texts and "พื้นที่ดิสก์" in texts
    assert "fine.xml" not in texts


def test_stale_index_told_only_when_sources_should_keep_it_fresh(tmp_path: Path) -> None:
    from bot.ops_alerts import OpsAlerts

    gen = tmp_path / "var" / "index" / "000002"
    gen.mkdir(parents=True)
    (gen / "manifest.json").write_text('{"newest_date": "2026-01-01"}')
    (gen.parent / "CURRENT").write_text("2\n")
    now = time.mktime((2026, 1, 10, 12, 0, 0, 0, 0, 0))
    base = {"data_dir": tmp_path / "var", "disk_min_free_percent": 0.0, "_env_file": None}
    assert OpsAlerts(Settings(**base)).problems(now) == []  # nothing should have kept it fresh
    ops = OpsAlerts(Settings(**base, corpus_sources=["/srv/corpus"], ops_realert_hours=1.0))
    [problem] = ops.problems(now)
    assert problem.key == "stale-index" and "2026-01-01" in problem.en and "9 days" in problem.en
    assert ops.due([problem], now) == [problem]
    assert ops.due([problem], now + 60) == []  # not again within OPS_REALERT_HOURS
    assert ops.due([problem], now + 3601) == [problem]
    assert ops.due([], now + 3700) == [] and ops.told == {}  # cleared: forgotten
    assert OpsAlerts(Settings(**base, corpus_sources=["x"], index_stale_days=10)).problems(now) == []


async def test_an_operator_alert_no_admin_got_is_tried_again_at_the_next_check(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    """One failed send (Telegram down for a moment) used to count as told: the alert came again only
    OPS_REALERT_HOURS later (found injecting failures, lab40)."""
    from telegram import Bot

    from bot.ops_alerts import OpsAlerts

    api = fake_bot_api
    ops = OpsAlerts(_settings(tmp_path, api, disk_min_free_percent=100.0))
    async with Bot(api.token, base_url=api.base_url) as bot:
        api.fail("sendMessage", 502)
        assert await ops.check(bot) == []
        [problem] = await ops.check(bot)
        assert await ops.check(bot) == []  # told now: not again before OPS_REALERT_HOURS
    assert problem.key == "disk"
    [sent] = _sent(api, ADMIN)
    assert "nearly full" in sent


async def test_a_locked_database_does_not_freeze_the_bot(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    """Another process writing thaigov.sqlite (an index build, the alerts CLI) holds its write lock; the
    chats' saved state was written on the event loop, which waited there up to the 30 s busy timeout:
    every user's reply, and polling itself, stopped meanwhile (found holding the lock, lab40)."""
    import sqlite3
    import threading

    api = fake_bot_api
    settings = _settings(tmp_path, api)
    async with running(settings):
        api.push(api.private_text("/help", user_id=41, language_code="en"))
        await api.wait_for("sendMessage", chat_id=41)  # chat 41's state is saved within 5 s
        holder = sqlite3.connect(settings.db_path, check_same_thread=False, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(8.0, holder.execute, ("COMMIT",))
        release.start()
        gaps: list[float] = []
        last = time.monotonic()
        try:
            for _ in range(70):  # 7 s: a save of the saved state falls in them
                await asyncio.sleep(0.1)
                gaps.append(time.monotonic() - last)
                last = time.monotonic()
            api.push(api.private_text("/help", user_id=42, language_code="en"))
            await api.wait_for("sendMessage", chat_id=42, timeout=2.0)
        finally:
            release.join()
            holder.close()
    assert max(gaps) < 2.0, f"the event loop stood still {max(gaps):.1f} s"
