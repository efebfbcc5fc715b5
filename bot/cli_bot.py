"""``thaigov-qa bot``: run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3

from thaigov_qa.errors import UserError
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

NO_TOKEN = (
    "no Telegram bot token: set TELEGRAM_BOT_TOKEN (from @BotFather) in the environment or .env, "
    "or use `thaigov-qa chat` to ask questions in the console"
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "bot",
        help="run the Telegram bot",
        description=(
            "Run the Telegram bot: long polling by default, a webhook when WEBHOOK_URL is set "
            "(WEBHOOK_LISTEN, WEBHOOK_PORT, WEBHOOK_SECRET). Needs TELEGRAM_BOT_TOKEN and a built index "
            "(`thaigov-qa index build`); stop it with Ctrl-C."
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Check the configuration, then serve until SIGINT or SIGTERM."""
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise UserError(NO_TOKEN)
    from bot.app import webhook_secret

    try:
        webhook_secret(settings)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    asyncio.run(_main(settings))
    return 0


async def _main(settings: Settings) -> None:
    from telegram.error import InvalidToken, NetworkError

    from bot.app import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await serve(settings, stop)
    except InvalidToken:
        # python-telegram-bot's message repeats the token: never print it.
        raise UserError("Telegram refused the bot token: check TELEGRAM_BOT_TOKEN") from None
    except NetworkError as exc:
        host = settings.telegram_base_url.split("/bot")[0]
        raise UserError(f"cannot reach the Telegram Bot API at {host}: {exc.__class__.__name__}") from None
    except sqlite3.DatabaseError as exc:
        # At start-up the chats' saved state is read before the index opens (which says the same).
        raise UserError(
            f"the database {settings.db_path} cannot be used ({exc}): if another process holds it, start "
            "the bot when it is done; if it is damaged, restore a backup or rebuild it"
        ) from None
    log.info("bot stopped")
