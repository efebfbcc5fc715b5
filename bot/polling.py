"""Long polling that survives an update python-telegram-bot cannot read.

Why: python-telegram-bot parses a ``getUpdates`` batch as a whole. When one update in it fails to parse
(a field the library requires that the server did not send, e.g. a poll from a self-hosted Bot API server
older than the library, or a new kind of object), it logs CRITICAL and returns nothing, so the offset is
never confirmed: the next poll fetches the same batch, fails again, and so on, at full speed. Every later
update, from every user, waits behind it until Telegram drops it a day later (seen with a poll message in
the fuzzing of lab40; another Bot API client had the same outage with a poll in production).

:class:`SkippingUpdatesRequest` is the HTTP request object of ``getUpdates`` only: it tries each update of
a successful answer on its own and replaces one that cannot be read by a bare ``{"update_id": …}``, which
python-telegram-bot reads as an empty update that no handler takes. The offset moves past it and the
rest of the batch is handled. The update's content is not logged (it may hold a question).
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


def skip_unreadable(payload: bytes) -> bytes:
    """A ``getUpdates`` answer with each update python-telegram-bot cannot parse reduced to its id."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        return payload
    changed = False
    for n, raw in enumerate(result):
        if _readable(raw):
            continue
        kinds = sorted(k for k in raw if k != "update_id") if isinstance(raw, dict) else []
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.error(
            "update %s (%s) could not be read by python-telegram-bot and is skipped",
            update_id,
            ", ".join(kinds) or "?",
        )
        if not isinstance(update_id, int):
            return payload  # nothing to move the offset past: leave it to python-telegram-bot
        result[n] = {"update_id": update_id}
        changed = True
    return json.dumps(body).encode() if changed else payload


def _readable(raw: Any) -> bool:
    """Whether python-telegram-bot can parse this one update (on a copy: parsing changes the dicts)."""
    try:
        Update.de_json(copy.deepcopy(raw), None)
    except Exception:  # noqa: BLE001 - any failure there is what makes the whole batch fail
        return False
    return True


class SkippingUpdatesRequest(HTTPXRequest):
    """The ``getUpdates`` request (one connection, as python-telegram-bot's default for it) that skips
    unreadable updates (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 200:
            payload = skip_unreadable(payload)
        return code, payload
