"""``thaigov-qa alerts …`` through the real top-level CLI: negative chat ids, errors, one poll pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.alerts_store import AlertStore
from thaigov_app.cli import main

CHANNEL = "-1001234567890"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: DATA_DIR in tmp, no .env, no token."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "RELEASE_FEEDS", "WATCH_DIRS", "TELEGRAM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var" / "thaigov.sqlite"


def test_negative_chat_ids_are_positional(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["alerts", "subscribe", CHANNEL, "--keyword", "ยา", "-k", "digital economy", "--category", "ด้านสังคม"]
    )
    assert rc == 0
    assert main(["alerts", "subscribe", "-42", "--json"]) == 0  # a small (old-style) group id
    assert main(["alerts", "subscribe", "12345"]) == 0  # a user's private chat
    capsys.readouterr()
    assert main(["alerts", "list", "--json"]) == 0
    subs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["chat_id"] for s in subs] == [int(CHANNEL), -42, 12345]
    assert subs[0]["keywords"] == ["ยา", "digital economy"] and subs[0]["categories"] == ["ด้านสังคม"]
    assert subs[2]["kind"] == "private"
    assert main(["alerts", "unsubscribe", CHANNEL]) == 0
    with AlertStore(env) as store:
        assert [s.chat_id for s in store.subscriptions()] == [-42, 12345]


def test_bad_input_is_one_clear_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["alerts", "subscribe", "@mychannel"])
    assert exc.value.code == 2
    assert "numeric Telegram chat id" in capsys.readouterr().err
    assert main(["alerts", "unsubscribe", "-100999"]) == 2
    assert "has no subscription" in capsys.readouterr().err
    # Delivery needs the token; refusing up front loses nothing.
    assert main(["alerts", "poll"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
