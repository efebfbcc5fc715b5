"""Subcommands of the ``index`` package: ``index …``, ``search``, ``eval``, ``ask``, ``chat``, ``demo``,
``reader train``, ``rerank train``, ``adapter train``, ``tower train``.

Each group lives in its own module (``build``, ``search``, ``ask``, ``reader``) with a
``register`` function; this module only collects them, so the parts can grow independently. The modules
import their heavy dependencies inside the handlers, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse

from index.cli import adapter, ask, build, reader, rerank, search, tower


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for part in (build, search, ask, reader, rerank, adapter, tower):
        part.register(sub)
