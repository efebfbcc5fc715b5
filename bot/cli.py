"""Subcommands of the ``bot`` package: ``bot`` (Telegram) and ``alerts …`` (subscriptions, one poll)."""

from __future__ import annotations

import argparse

from thaigov_qa.cli import register_parts


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    register_parts(sub, ("bot.cli_bot", "bot.alerts_cli", "bot.feedback_cli"))
