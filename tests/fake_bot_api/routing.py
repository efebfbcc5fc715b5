"""The HTTP side of the fake server: decode a Bot API request, route it to its method, answer as Telegram.

Why: python-telegram-bot posts form-encoded (or JSON) requests to ``/bot<TOKEN>/<method>`` and expects
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...,
"parameters": {"retry_after": ...}}``; this module checks the token, applies injected failures (including a
reset connection), dispatches to the ``_m_<method>`` handlers and records every call for the tests.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.fake_bot_api.state import RESET, ApiError, Call, FakeBotState

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


class HttpRoutingMixin(FakeBotState):
    """Request decoding, routing and error replies of :class:`tests.fake_bot_api.FakeBotAPI`."""

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
        except ApiError as exc:
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
