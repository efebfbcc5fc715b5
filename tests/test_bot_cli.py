"""``thaigov-qa bot`` as a user runs it: configuration errors, and a real run stopped by SIGTERM.

Why subprocesses: the command's promises (one line and exit status 2 on a bad token, a clean exit on
SIGTERM, no token anywhere in its logs even at --verbose) are about the whole process, logging set-up
included, which an in-process call would not show.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.cli_bot import NO_TOKEN
from tests.fake_bot_api import FakeBotAPI
from thaigov_app.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_no_token_exits_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert main(["bot"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"thaigov-qa: {NO_TOKEN}"
    assert "TELEGRAM_BOT_TOKEN" in err and "thaigov-qa chat" in err


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(values)
    env["PYTHONPATH"] = str(ROOT)
    return env


async def _run_cli(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "thaigov_app",
        *args,
        "bot",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_rejected_token_is_one_line_without_the_token(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    bad = "987654321:AAWrongTokenWrongTokenWrongToken"
    env = _env(
        tmp_path, TELEGRAM_BOT_TOKEN=bad, TELEGRAM_BASE_URL=fake_bot_api.base_url, DATA_DIR=str(tmp_path)
    )
    proc = await _run_cli(env, tmp_path)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 2, err.decode()
    lines = err.decode().strip().splitlines()
    assert lines[-1] == "thaigov-qa: Telegram refused the bot token: check TELEGRAM_BOT_TOKEN"
    assert bad not in err.decode() and bad.split(":")[1] not in err.decode()


@pytest.mark.slow
async def test_bot_runs_answers_and_stops_on_sigterm(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    """A real ``thaigov-qa --verbose bot``: answers, exits 0 on SIGTERM, logs no secret."""
    api = fake_bot_api
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_BASE_URL=api.base_url,
        DATA_DIR=str(tmp_path / "var"),  # no index: the bot must still start and answer /help
        TELEGRAM_ADMIN_IDS="5",
    )
    proc = await _run_cli(env, tmp_path, "--verbose")
    try:
        await api.wait_for("getUpdates", timeout=120)
        api.push(api.private_text("/help", user_id=5, language_code="en"))
        api.push(api.private_text("What did the government sign with Huawei?", user_id=6, language_code="en"))
        [help_reply] = await api.wait_for("sendMessage", chat_id=5, timeout=60)
        [no_index] = await api.wait_for("sendMessage", chat_id=6, timeout=60)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    log = err.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "/reindex" in help_reply["text"]  # user 5 is an admin
    assert "no index" in no_index["text"]
    assert "receiving updates by long polling" in log and "bot stopped" in log
    assert api.token not in log and api.token.split(":")[1] not in log
    assert "Huawei" not in log, "question texts are not logged by default, even with --verbose"
    assert "id=6" not in log and "'id': 6" not in log, "nor user ids"


async def test_a_damaged_database_is_one_line(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    """A thaigov.sqlite that is not a database stopped the start with a sqlite3 traceback (the chats'
    saved state is read before the index, which says it in one line; found fuzzing the bot, lab40)."""
    (tmp_path / "thaigov.sqlite").write_bytes(b"not a database, a damaged file " * 200)
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=fake_bot_api.token,
        TELEGRAM_BASE_URL=fake_bot_api.base_url,
        DATA_DIR=str(tmp_path),
    )
    proc = await _run_cli(env, tmp_path)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 2, err.decode()
    last = err.decode().strip().splitlines()[-1]
    assert last.startswith("thaigov-qa: the database ") and "restore a backup or rebuild it" in last
    assert "Traceback" not in err.decode()
