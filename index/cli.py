"""Subcommands of the ``index`` package: ``index …``, ``search``, ``eval``, ``ask``, ``chat``, ``demo``.

Each group lives in its own module (``cli_build``, ``cli_search``, ``cli_ask``) with a ``register``
function; this module only collects them, so the parts can grow independently.
"""

from __future__ import annotations

import argparse
import importlib

_PARTS = ("index.cli_build", "index.cli_search", "index.cli_ask")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in _PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
