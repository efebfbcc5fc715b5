"""Subcommands of the ``bot`` package: ``bot`` (Telegram), ``alerts …`` (subscriptions, one poll) and
``feedback export``."""

from __future__ import annotations

import argparse

from bot import alerts_cli, cli_bot, feedback_cli


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for part in (cli_bot, alerts_cli, feedback_cli):
        part.register(sub)
