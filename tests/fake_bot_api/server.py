"""The fake server as tests use it: every part (state, HTTP routing, Bot API methods, test controls and
update builders) put together in one object, with starting and stopping its aiohttp site.

Why here: the site listens on 127.0.0.1 on a random free port, so tests can run side by side; the bound
port is only known once started, hence :attr:`FakeBotAPI.base_url` is read after :meth:`FakeBotAPI.start`.
"""

from __future__ import annotations

from aiohttp import web

from tests.fake_bot_api.bot_methods import BotMethodsMixin
from tests.fake_bot_api.controls import ControlsMixin
from tests.fake_bot_api.message_methods import MessageMethodsMixin
from tests.fake_bot_api.routing import HttpRoutingMixin
from tests.fake_bot_api.updates import UpdateBuildersMixin


class FakeBotAPI(ControlsMixin, UpdateBuildersMixin, HttpRoutingMixin, MessageMethodsMixin, BotMethodsMixin):
    """The fake server. Start it with :meth:`start`, point python-telegram-bot at :attr:`base_url`."""

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` (and ``TELEGRAM_BASE_URL``) should be."""
        return f"http://127.0.0.1:{self.port}/bot"

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
