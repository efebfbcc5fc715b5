"""Subcommands of the ``index`` package: ``index …``, ``search``, ``eval``, ``ask``, ``chat``, ``demo``.

Each group lives in its own module (``cli_build``, ``cli_search``, ``cli_ask``) with a ``register``
function; this module only collects them, so the parts can grow independently.
"""

from __future__ import annotations

import argparse

from thaigov_qa.cli import register_parts


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    register_parts(sub, ("index.cli_build", "index.cli_search", "index.cli_ask", "index.cli_reader"))
