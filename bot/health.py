"""``GET /healthz``: is the bot up, which index generation it serves, when the feeds were last polled.

Why a separate module: the same snapshot is served on the webhook's own port (for the reverse proxy's
and the orchestrator's probes; python-telegram-bot's tornado application gets one more route) and on
``METRICS_PORT`` beside ``/metrics`` (for polling mode, where there is no webhook server). Everything is
read from files and the database at request time, so a probe shows what the bot would use now.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

from telegram.ext import Application

from thaigov_qa.db import query
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def live_generation(index_dir: Path) -> int | None:
    try:
        text = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def last_poll(db_path: Path) -> float | None:
    """When a feed or watched folder was last read successfully (Unix time), from the alerts' state."""
    if not db_path.is_file():
        return None
    rows = query(db_path, "SELECT MAX(last_ok) FROM source_state")
    if not rows:
        return None  # no alerts table yet
    return float(rows[0][0]) if rows[0][0] is not None else None


def _iso(ts: float | None) -> str | None:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds") if ts else None


def snapshot(settings: Settings, started: float, mode: str) -> dict[str, Any]:
    """The ``/healthz`` body. ``started``: ``time.monotonic()`` at start-up."""
    return {
        "status": "ok",
        "mode": mode,
        "uptime_s": round(time.monotonic() - started, 1),
        "generation": live_generation(settings.index_dir),
        "last_poll": _iso(last_poll(settings.db_path)),
    }


def attach_to_webhook(application: Application, settings: Settings, started: float) -> bool:
    """Add ``/healthz`` to the webhook server python-telegram-bot started; False when it cannot.

    Reaches into the updater's server (``Updater._httpd._http_server.request_callback``, a tornado
    application): there is no public hook for extra routes. ``tests/test_ops_bot.py`` asks the real
    bot for it, so a library change that moves these fails a test rather than the probe in production.
    """
    import tornado.web

    server = getattr(getattr(application.updater, "_httpd", None), "_http_server", None)
    app = getattr(server, "request_callback", None)
    if not isinstance(app, tornado.web.Application):
        log.warning("cannot add %s to the webhook server (python-telegram-bot changed?)", HEALTH_PATH)
        return False

    class HealthHandler(tornado.web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            self.write(json.dumps(snapshot(settings, started, "webhook")))

    app.add_handlers(r".*", [(HEALTH_PATH, HealthHandler)])
    return True
