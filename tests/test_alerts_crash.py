"""A real crash: `alerts poll` killed (SIGKILL) after Telegram accepted an alert, before the mark.

The fake Bot API records the sendMessage and then never answers, so the process is killed exactly inside
the window between Telegram having the message and the outbox hearing back. A second ``alerts poll``
must send it again (the documented at-least-once duplicate) and mark it; then nothing is left to send.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.alerts_store import AlertStore
from corpus.release import Release
from tests.fake_bot_api import FakeBotAPI

GROUP = -1001234567890
ROOT = Path(__file__).resolve().parent.parent


class HangingAPI(FakeBotAPI):
    """Records sendMessage as delivered, then holds the answer while ``hang`` is set."""

    hang = True

    async def _handle(self, request: web.Request) -> web.Response:
        response = await super()._handle(request)
        if self.hang and request.match_info["method"] == "sendMessage":
            await asyncio.sleep(600)
        return response


async def _poll(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "thaigov_app.cli",
        "alerts",
        "poll",
        "--no-index",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_killed_poll_resends_after_restart(tmp_path: Path) -> None:
    from corpus.registry import Registry

    release = Release(
        url="https://www.thaigov.go.th/news/contents/details/90010",
        release_id="90010",
        title="ครม. อนุมัติงบประมาณจัดหายา",
        date="2024-02-01",
        category="ด้านสังคม",
        lang="th",
        body="คณะรัฐมนตรีอนุมัติงบประมาณจัดหายาให้โรงพยาบาลชุมชน",
    )
    db = tmp_path / "var" / "thaigov.sqlite"
    with AlertStore(db) as store:
        sub, _ = store.subscribe(GROUP)
        store.enqueue(sub, release.url, release.hash)
    registry: Any = Registry(db)
    registry.upsert(release)
    if hasattr(registry, "close"):
        registry.close()

    api = HangingAPI()
    await api.start()
    try:
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path / "var"),
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "RELEASE_FEEDS": "",
            "WATCH_DIRS": "",
            "PYTHONPATH": str(ROOT),
        }
        proc = await _poll(env, tmp_path)
        await api.wait_for("sendMessage", count=1, chat_id=GROUP, timeout=60)
        proc.kill()
        await proc.wait()
        with AlertStore(db) as store:
            row = store.outbox_row(GROUP, release.url)
            assert row is not None and row.status == "sending"  # Telegram has it; the outbox does not know

        api.hang = False
        proc = await _poll(env, tmp_path)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        assert "1 sent" in out.decode()
    finally:
        await api.stop()
    assert len(api.calls_of("sendMessage", chat_id=GROUP)) == 2  # the one allowed duplicate, no more
    with AlertStore(db) as store:
        row = store.outbox_row(GROUP, release.url)
        assert row is not None and row.status == "sent" and row.attempts == 2
        assert store.due(now=time.time() + 10_000, lease=300) == []  # nothing left to send, ever
