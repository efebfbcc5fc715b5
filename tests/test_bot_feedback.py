"""The answer's buttons and a 👍/👎 press behind a busy database (bot.feedback), with a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import feedback
from bot.feedback import answer_keyboard, stacked
from bot.feedback_store import UP, FeedbackStore, today


def _data(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    assert markup is not None
    return [[str(b.callback_data) for b in row] for row in markup.inline_keyboard]


def _one(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(data, callback_data=data)]])


def test_every_feature_keeps_its_row_on_the_one_keyboard() -> None:
    """A list answer with more than three sources has both "show N more" and "more sources" (the second
    used to replace the first, and the agenda's other items could no longer be reached)."""
    both = answer_keyboard("abcdefgh", stacked(_one("ag:en:1"), _one("more:k")))
    assert _data(both) == [["fb:u:abcdefgh", "fb:d:abcdefgh"], ["ag:en:1"], ["more:k"]]
    assert stacked(None, None) is None and answer_keyboard(None, None) is None
    assert _data(stacked(None, _one("more:k"))) == [["more:k"]]


async def test_a_press_behind_a_busy_database_is_answered_and_counted_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index build holds the write lock: the press is answered within the wait (Telegram drops an
    answer to an old press), and the vote is written once the lock frees."""
    monkeypatch.setattr(feedback, "VOTE_WAIT_SECONDS", 0.3)
    db = tmp_path / "thaigov.sqlite"
    with FeedbackStore(db) as store:
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        outcome = await feedback._vote(store, "abcdefgh", 7, UP)
        waited = time.monotonic() - started
        blocker.execute("COMMIT")
        blocker.close()
        for _ in range(100):  # the pending write goes through when the lock frees
            if store.daily(1) and store.daily(1)[0][1:] == (1, 0):
                break
            await asyncio.sleep(0.05)
        assert outcome == "pending" and waited < 2.0
        assert store.daily(1) == [(today(), 1, 0)]
        assert await feedback._vote(store, "abcdefgh", 7, UP) == "same"  # counted once
