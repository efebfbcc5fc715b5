"""What the fake Bot API server records and holds: calls, sent messages, chats, queued updates, failures.

Why a module of its own: the HTTP routing, the Bot API method handlers, the test controls and the update
builders are mixins over this one state (see ``server.FakeBotAPI``), so each reads and changes the same
recorded world; tests assert on these fields (``calls``, ``messages``, ``webhook``...) directly.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

#: Default token: the same shape as a real one ("<bot id>:<secret>").
DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


@dataclass
class Call:
    """One request the bot made: the API method and its decoded parameters."""

    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Failure:
    """A failure injected by ``FakeBotAPI.fail``: answered instead of the next ``times`` calls of a method."""

    status: int
    description: str
    retry_after: int | None
    times: int


#: ``FakeBotAPI.fail(method, RESET)``: drop the connection without answering.
RESET = 0


class ApiError(Exception):
    """Raised by a method handler to refuse a call the way Telegram would (status and description)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class FakeBotState:
    """The recorded world every part of the fake server shares; no behaviour beyond lookups."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "thaigov_qa_test_bot",
        first_name: str = "ThaiGov QA",
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.calls: list[Call] = []
        #: Messages the bot sent, keyed by (chat_id, message_id); edits update them in place.
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        #: Chats seen in updates, so replies carry the right chat type.
        self.chats: dict[int, dict[str, Any]] = {}
        #: Chat member statuses for getChatMember: (chat_id, user_id) -> status ("member" by default).
        self.member_status: dict[tuple[int, int], str] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self._failures: dict[str, list[Failure]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._user_message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        """The chat ``chat_id`` names, as Telegram resolves it (400 "chat not found" if not an id)."""
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    def _spawn_notify(self) -> None:
        """Wake the waiters (``wait_for``, long polling) from synchronous code."""
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)  # keep a reference until done (asyncio holds tasks only weakly)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
