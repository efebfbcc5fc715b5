"""A local fake Telegram Bot API server for end-to-end tests of the bot and the alerts.

Why a fake server rather than mocks: the tests must exercise the real python-telegram-bot stack (HTTP
client, JSON (de)serialisation, rate limiter, retries, polling and webhook loops) exactly as it runs in
production; only the far end of the wire is ours. The server speaks the real protocol on
``http://127.0.0.1:PORT/bot<TOKEN>/<method>`` (form-encoded requests, ``{"ok": ..., "result": ...}``
replies, real error codes with ``parameters.retry_after``), records every call for assertions, feeds
queued updates to long polling, delivers updates to a webhook with the secret-token header, and lets a
test inject failures per method (429, 500, 403 "bot was blocked by the user"...).

It is also stricter than nothing: HTML parse-mode texts are validated the way Telegram does (only the
allowed tags, balanced, only ``&lt; &gt; &amp; &quot;`` and numeric entities, no stray ``<``/``&``) and
texts over 4,096 characters (UTF-16 units, after entity parsing) are refused, so a test fails when the
bot would send something Telegram rejects.

Usage (the ``fake_bot_api`` fixture in ``tests/conftest.py`` does this)::

    api = FakeBotAPI()
    await api.start()
    app = ApplicationBuilder().token(api.token).base_url(api.base_url)...
    api.push(api.private_text("hello", user_id=7))
    [call] = await api.wait_for("sendMessage", count=1)
    await api.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

#: Default token: the same shape as a real one ("<bot id>:<secret>").
DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"

#: Parameters that are plain strings on the wire (everything else is JSON-decoded when possible).
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "action",
        "callback_query_id",
        "inline_message_id",
        "description",
        "short_description",
        "name",
        "language_code",
        "ip_address",
        "title",
        "query",
    }
)

#: Tags Telegram accepts in HTML parse mode, with the attributes each may carry.
_ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64


class TelegramHTMLError(ValueError):
    """The text is not valid Telegram HTML; the message mimics Telegram's "can't parse entities"."""


class _TelegramHTMLParser(HTMLParser):
    """Checks a text against Telegram's HTML subset and collects its plain text (to measure its length)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise TelegramHTMLError(f"unsupported start tag {tag!r}")
        for name, _value in attrs:
            if name not in _ALLOWED_TAGS[tag]:
                raise TelegramHTMLError(f"unsupported attribute {name!r} in tag {tag!r}")
        if tag == "a" and not dict(attrs).get("href"):
            raise TelegramHTMLError("tag 'a' without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise TelegramHTMLError(f"unsupported self-closing tag {tag!r}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHTMLError(f"unexpected end tag {tag!r} (open: {self.stack})")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                raise TelegramHTMLError(f"unescaped {ch!r} in text near {data[:40]!r}")
        self.plain.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            raise TelegramHTMLError(f"unsupported entity &{name};")
        self.plain.append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        try:
            self.plain.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except ValueError as exc:
            raise TelegramHTMLError(f"bad character reference &#{name};") from exc

    def handle_comment(self, data: str) -> None:
        raise TelegramHTMLError("comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        raise TelegramHTMLError("declarations are not allowed")

    def handle_pi(self, data: str) -> None:
        raise TelegramHTMLError("processing instructions are not allowed")

    def unknown_decl(self, data: str) -> None:
        raise TelegramHTMLError("declarations are not allowed")


def html_plain_text(text: str) -> str:
    """Validate ``text`` as Telegram HTML and return its plain text; raises :class:`TelegramHTMLError`."""
    parser = _TelegramHTMLParser()
    parser.feed(text)
    parser.close()
    # HTMLParser keeps an unterminated "<tag" or "&name" in its buffer instead of reporting it.
    if parser.rawdata:
        raise TelegramHTMLError(f"unterminated markup at end: {parser.rawdata[:40]!r}")
    if parser.stack:
        raise TelegramHTMLError(f"unclosed tags {parser.stack}")
    return "".join(parser.plain)


def utf16_len(text: str) -> int:
    """Telegram measures lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


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
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


#: ``FakeBotAPI.fail(method, RESET)``: drop the connection without answering.
RESET = 0

_DEFAULT_DESCRIPTIONS = {
    RESET: "connection reset",
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeBotAPI:
    """The fake server. Start it with :meth:`start`, point python-telegram-bot at :attr:`base_url`."""

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
        self._failures: dict[str, list[_Failure]] = {}
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

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` (and ``TELEGRAM_BASE_URL``) should be."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only through the asyncio server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ test controls
    def fail(
        self,
        method: str,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (429 gets ``retry_after``).

        ``status=RESET`` (0) closes the connection without a response instead, as a reset connection
        does (the client sees ``httpx.RemoteProtocolError``/``ReadError``: a ``NetworkError``)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        self._failures.setdefault(method, []).append(_Failure(status, text, retry_after, times))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (assigns ``update_id``); returns it."""
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._spawn_notify()
        return update

    async def deliver_webhook(self, update: dict[str, Any], secret_token: str | None = None) -> int:
        """POST an update to the webhook the bot registered, as Telegram does; returns the HTTP status.

        ``secret_token`` defaults to the one given to setWebhook; pass another to test a refusal.
        """
        url = self.webhook.get("url")
        assert url, "the bot has not called setWebhook"
        update = dict(update)
        update["update_id"] = next(self._update_ids)
        token = self.webhook.get("secret_token") if secret_token is None else secret_token
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as resp,
        ):
            return resp.status

    def calls_of(self, method: str, **match: Any) -> list[Call]:
        """Recorded successful calls of ``method`` whose params equal ``match`` (chat_id=..., ...)."""
        return [
            c
            for c in self.calls
            if c.method == method and c.status == 200 and all(c.params.get(k) == v for k, v in match.items())
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30.0,
        where: Callable[[Call], bool] | None = None,
        **match: Any,
    ) -> list[Call]:
        """Wait until at least ``count`` matching successful calls were made; returns them all."""

        def found() -> list[Call]:
            calls = self.calls_of(method, **match)
            return [c for c in calls if where(c)] if where else calls

        async def until() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(found()) >= count)
            return found()

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            seen = [(c.method, c.status, c.params.get("text", "")[:60]) for c in self.calls[-10:]]
            raise AssertionError(
                f"no {count} x {method} {match} within {timeout}s; last calls: {seen}"
            ) from None

    async def quiet(self, seconds: float = 0.5) -> None:
        """Wait a moment (to assert that nothing was sent, after the bot had time to react)."""
        await asyncio.sleep(seconds)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every queued update was fetched by getUpdates (acknowledged or in flight)."""
        deadline = time.monotonic() + timeout
        while self._updates and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ update builders
    def user(
        self, user_id: int = 1001, first_name: str = "Somchai", language_code: str | None = "th"
    ) -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def private_chat(self, user_id: int = 1001) -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": "Somchai"}
        self.chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int = -1001234567890, title: str = "Test group") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup" if chat_id < -1000000000000 else "group", "title": title}
        self.chats[chat_id] = chat
        return chat

    def entities_for(self, text: str) -> list[dict[str, Any]]:
        """The entities Telegram would attach: a leading /command and @mentions (UTF-16 offsets)."""
        entities = []
        match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if match:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))})
        for mention in re.finditer(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}", text):
            if match and mention.start() < match.end():
                continue
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[: mention.start()]),
                    "length": utf16_len(mention.group(0)),
                }
            )
        return entities

    def message(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A Message object from ``user`` in ``chat`` (text, or other content such as ``sticker=...``)."""
        message: dict[str, Any] = {
            "message_id": next(self._user_message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if text is not None:
            message["text"] = text
            entities = self.entities_for(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        return message

    def private_text(
        self, text: str, user_id: int = 1001, language_code: str | None = "th", first_name: str = "Somchai"
    ) -> dict[str, Any]:
        """An update: a private text message (commands get their bot_command entity)."""
        user = self.user(user_id, first_name, language_code)
        return {"message": self.message(self.private_chat(user_id), user, text)}

    def group_text(
        self,
        text: str,
        user_id: int = 1001,
        chat_id: int = -1001234567890,
        language_code: str | None = "th",
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An update: a text message in a supergroup (mentions get their entity; may reply to a message)."""
        user = self.user(user_id, language_code=language_code)
        return {"message": self.message(self.group_chat(chat_id), user, text, reply_to=reply_to)}

    def reply_to_bot(
        self, text: str, bot_message: dict[str, Any], user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: a reply to one of the bot's messages (``bot_message`` as in :attr:`messages`)."""
        chat = bot_message["chat"]
        user = self.user(user_id, language_code=language_code)
        return {"message": self.message(chat, user, text, reply_to=bot_message)}

    def sticker(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        sticker = {
            "file_id": "CAACAgIAAxkBAAEfake",
            "file_unique_id": "AgADfake",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return {"message": self.message(self.private_chat(user_id), user, sticker=sticker)}

    def photo(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        photo = [{"file_id": "AgACfakephoto", "file_unique_id": "AQADfake", "width": 90, "height": 90}]
        return {"message": self.message(self.private_chat(user_id), user, photo=photo)}

    def voice(self, user_id: int = 1001, language_code: str | None = "th") -> dict[str, Any]:
        user = self.user(user_id, language_code=language_code)
        voice = {"file_id": "AwACfakevoice", "file_unique_id": "AgADvoice", "duration": 3}
        return {"message": self.message(self.private_chat(user_id), user, voice=voice)}

    def callback_query(
        self, bot_message: dict[str, Any], data: str, user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: a press on an inline button of ``bot_message`` carrying ``data``."""
        return {
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id, language_code=language_code),
                "message": bot_message,
                "chat_instance": "fake-chat-instance",
                "data": data,
            }
        }

    def inline_query(
        self, query: str, user_id: int = 1001, language_code: str | None = "th"
    ) -> dict[str, Any]:
        """An update: ``@bot query`` typed in some chat (inline mode)."""
        return {
            "inline_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id, language_code=language_code),
                "query": query,
                "offset": "",
            }
        }

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        """The newest message the bot sent to ``chat_id`` (as Telegram stores it, edits applied)."""
        candidates = [m for (c, _), m in self.messages.items() if c == chat_id]
        assert candidates, f"the bot sent nothing to chat {chat_id}"
        return max(candidates, key=lambda m: m["message_id"])

    # ------------------------------------------------------------------ HTTP side
    def _spawn_notify(self) -> None:
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)  # keep a reference until done (asyncio holds tasks only weakly)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @staticmethod
    def _decode(key: str, value: str) -> Any:
        if key in _TEXT_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
                return params
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return {k: self._decode(k, v) if isinstance(v, str) else v for k, v in params.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._error(method, params, 401, "Unauthorized")
        failures = self._failures.get(method)
        if failures:
            failure = failures[0]
            failure.times -= 1
            if failure.times <= 0:
                failures.pop(0)
            if failure.status == RESET:
                self.calls.append(Call(method, params, status=RESET))
                self._spawn_notify()
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)  # never written: the connection is gone
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return self._error(method, params, failure.status, failure.description, extra)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(method, params, 404, "Not Found: method not found")
        try:
            if method == "getUpdates":
                result = await handler(params)
            else:
                result = handler(params)
        except _ApiError as exc:
            return self._error(method, params, exc.status, exc.description)
        await self._record(Call(method, params))
        return web.json_response({"ok": True, "result": result})

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        await self._notify()

    def _error(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> web.Response:
        self.calls.append(Call(method, params, status=status))
        self._spawn_notify()
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    # ------------------------------------------------------------------ methods
    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def ready() -> bool:
            return bool(self._updates) or self._closing

        if not ready() and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(ready), timeout)
        return self._updates[:limit]

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "Group"}

    @staticmethod
    def _check_text(params: dict[str, Any], key: str = "text") -> None:
        text = params.get(key)
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        plain = text
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                plain = html_plain_text(text)
            except TelegramHTMLError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            if not plain.strip():
                raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_MESSAGE_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if markup in (None, ""):
            return
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise _ApiError(400, "Bad Request: inline keyboard button has no action")

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        self._check_text(params)
        self._check_markup(params.get("reply_markup"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        if key not in self.messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        self._check_text(params)
        markup = params.get("reply_markup") or None
        self._check_markup(markup)
        if message["text"] == params["text"] and message.get("reply_markup") == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = params["text"]
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._stored(params)
        markup = params.get("reply_markup") or None
        self._check_markup(markup)
        if message.get("reply_markup") == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        message = self._stored(params)
        del self.messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in {"typing", "upload_photo", "record_voice", "upload_document"}:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise _ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        """Checked as Telegram does: at most 50 results, ids unique and 1-64 bytes, articles with a title
        and a valid message (HTML rules, 4,096 characters), cache_time not negative."""
        if not params.get("inline_query_id"):
            raise _ApiError(400, "Bad Request: QUERY_ID_INVALID")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise _ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") != "article" or not str(result.get("title", "")).strip():
                raise _ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            self._check_text(content, "message_text")
            self._check_markup(result.get("reply_markup"))
        if int(params.get("cache_time") or 0) < 0:
            raise _ApiError(400, "Bad Request: cache_time is negative")
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name, desc = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(desc) <= 256:
                raise _ApiError(400, f"Bad Request: BOT_COMMAND_INVALID ({name!r})")
        self.commands = commands
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = []
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret} if url else {}
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = dict(self._chat(params.get("chat_id")))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        status = self.member_status.get((chat["id"], user_id), "member")
        if user_id == self.bot_id:
            user = self.bot_user
        else:
            user = {"id": user_id, "is_bot": False, "first_name": "User"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        elif status == "restricted":
            raise _ApiError(400, "Bad Request: restricted members are not simulated")
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_leaveChat(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _m_setChatMenuButton(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyDescription(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
