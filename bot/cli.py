"""Subcommands of the ``bot`` package: ``bot`` (Telegram) and ``alerts …`` (subscriptions, one poll)."""

from __future__ import annotations

import argparse
import importlib

_PARTS = ("bot.cli_bot", "bot.alerts_cli")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in _PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
