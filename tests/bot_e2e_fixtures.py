"""The set-up the end-to-end bot tests share: a small real index, the bot running over HTTP, checks.

Why a module of its own: ``test_bot_e2e.py``, ``test_bot_e2e_operations.py`` and the other bot tests
(conversations, the agenda, operations) run the same real bot (``bot.app.serve``, the code path of
``thaigov-qa bot``) against the local fake Bot API server (``tests/fake_bot_api/``) over the same tiny
real index of seven small releases (the Huawei MOU release and six from ../shared/corpus/sample), with
the same settings. ``bot_index`` is a session fixture: each test module that names it builds it once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import serve
from bot.service import BotService
from corpus.release import URL_PREFIX
from tests.fake_bot_api import FakeBotAPI
from thaigov_qa.settings import SHARED_MODEL, Settings

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
