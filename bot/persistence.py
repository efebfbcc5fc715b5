"""python-telegram-bot persistence in the bot's own SQLite file (``DATA_DIR/thaigov.sqlite``).

Why not ``PicklePersistence``: it rewrites one pickle file as a whole and loses everything written since
the last flush when the process is killed; the bot already keeps its state in SQLite (WAL, a busy timeout,
one connection helper). Here each chat's and user's data is one JSON row, written when it changed
(python-telegram-bot calls ``update_*`` every :data:`UPDATE_INTERVAL` seconds and at shutdown), so a
restart (SIGTERM, or even ``kill -9`` a few seconds after the last message) keeps the conversations and
the users' ``/lang`` choice. Only ``chat_data`` and ``user_data`` are persisted: they hold plain dicts
(turns, a language), which is what JSON can carry.

The SQLite work runs in the database's threads (:func:`thaigov_qa.db.off_loop`): another process writing
``thaigov.sqlite`` (an index build, the alerts CLI) makes a write wait up to the 30 s busy timeout, and on
the event loop that wait stopped every handler and polling with it (found holding the lock, lab40); in
asyncio's default threads, one waiting save per changed chat took the threads the answers run in.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from thaigov_qa.db import connect, off_loop

log = logging.getLogger(__name__)

#: Seconds between python-telegram-bot's writes of changed chat and user data.
UPDATE_INTERVAL = 5.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS bot_state (
    kind TEXT NOT NULL,          -- 'chat' or 'user'
    id INTEGER NOT NULL,
    data TEXT NOT NULL,          -- JSON object
    updated_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
)
"""


class SQLitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Chat and user data as JSON rows of the ``bot_state`` table (see the module docstring)."""

    def __init__(self, db_path: Path, update_interval: float = UPDATE_INTERVAL) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.db_path = Path(db_path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.db_path)
            self._conn.execute(_SCHEMA)
        return self._conn

    def _load(self, kind: str) -> dict[int, dict[Any, Any]]:
        with self._lock:
            rows = self._db().execute("SELECT id, data FROM bot_state WHERE kind = ?", (kind,)).fetchall()
        out: dict[int, dict[Any, Any]] = defaultdict(dict)
        for key, data in rows:
            try:
                value = json.loads(data)
            except ValueError:
                log.warning("bot_state: unreadable %s row dropped", kind)
                continue
            if isinstance(value, dict):
                out[int(key)] = value
        return out

    def _save(self, kind: str, key: int, data: dict[Any, Any]) -> None:
        try:
            payload = json.dumps(data, ensure_ascii=False, default=str)
        except (TypeError, ValueError) as exc:
            log.warning("bot_state: %s data not saved (%s)", kind, exc.__class__.__name__)
            return
        with self._lock:
            if data:
                self._db().execute(
                    "INSERT INTO bot_state(kind, id, data, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data,"
                    " updated_at = excluded.updated_at",
                    (kind, int(key), payload, time.time()),
                )
            else:
                self._db().execute("DELETE FROM bot_state WHERE kind = ? AND id = ?", (kind, int(key)))

    def _drop(self, kind: str, key: int) -> None:
        with self._lock:
            self._db().execute("DELETE FROM bot_state WHERE kind = ? AND id = ?", (kind, int(key)))

    # ------------------------------------------------------------------ BasePersistence
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return await off_loop(self._load, "chat")

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return await off_loop(self._load, "user")

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await off_loop(self._save, "chat", chat_id, data)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await off_loop(self._save, "user", user_id, data)

    async def drop_chat_data(self, chat_id: int) -> None:
        await off_loop(self._drop, "chat", chat_id)

    async def drop_user_data(self, user_id: int) -> None:
        await off_loop(self._drop, "user", user_id)

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Nothing to do: this process is the only writer of its rows."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to do: this process is the only writer of its rows."""

    async def flush(self) -> None:
        await off_loop(self._close)

    def _close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # Not persisted (store_data says so); python-telegram-bot still needs the methods.
    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[Any, Any]:
        return {}

    async def update_conversation(self, name: str, key: Any, new_state: object | None) -> None:
        return None
