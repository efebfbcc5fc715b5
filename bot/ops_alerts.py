"""Operator alerts: the admins (``TELEGRAM_ADMIN_IDS``) hear in Telegram when something needs them.

Three conditions, checked every ``OPS_CHECK_MINUTES``:

* a feed (or watched folder) has failed for ``FEED_ALERT_HOURS``: new releases are not coming in;
* the newest indexed release is older than ``INDEX_STALE_DAYS`` (only when feeds, watched folders or
  ``CORPUS_SOURCES`` are meant to keep it fresh): the ``index update`` timer or the poller is stuck;
* less than ``DISK_MIN_FREE_PERCENT`` is free under ``DATA_DIR``: the next build may fail half-way.

Why in Telegram: it is the one channel every deployment of this bot already has. Each condition is
sent once, then again at most every ``OPS_REALERT_HOURS`` while it lasts; once it clears it is
forgotten, so a new occurrence is told at once. Admins' languages are unknown: Thai and English both.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot

from bot.format import esc
from bot.health import live_generation
from corpus.feeds import shown_url
from thaigov_qa.db import query
from thaigov_qa.messages import OPS_TEXTS
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One condition: ``key`` identifies it across checks, the texts say it (HTML-escaped already)."""

    key: str
    th: str
    en: str

    def html(self) -> str:
        return f"⚠️ <b>ThaiGov QA</b>\n{self.th}\n\n{self.en}"


def _ops(key: str, **values: object) -> tuple[str, str]:
    """An operators' alert text (``thaigov_qa.messages.OPS_TEXTS``) in Thai and English, filled in."""
    th, en = OPS_TEXTS[key]
    return th.format(**values), en.format(**values)


def failing_sources(db_path: Path, hours: float, now: float, seen: dict[str, float]) -> list[Problem]:
    """Sources whose last success (or, never successful, our first sight of their failing) is older
    than ``hours`` while they still fail. ``seen`` remembers first sightings between checks."""
    rows = query(db_path, "SELECT source, failures, last_ok, last_error FROM source_state")
    if rows is None:
        return []
    problems = []
    failing = {source for source, failures, _, _ in rows if failures}
    for gone in set(seen) - failing:
        del seen[gone]
    for source, failures, last_ok, error in rows:
        if not failures:
            continue
        since = float(last_ok) if last_ok else seen.setdefault(source, now)
        if now - since < hours * 3600:
            continue
        n = round((now - since) / 3600, 1)
        reason = esc(str(error or "?")[:200])
        problems.append(
            Problem(
                f"feed:{source}",
                *_ops("feed_failing", source=esc(shown_url(source)), n=n, failures=failures, reason=reason),
            )
        )
    return problems


def stale_index(settings: Settings, now: float) -> list[Problem]:
    """The newest indexed release is older than ``INDEX_STALE_DAYS`` while sources should add more."""
    fed = settings.release_feeds or settings.watch_dirs or settings.corpus_sources
    if not settings.index_stale_days or not fed:
        return []
    live = live_generation(settings.index_dir)
    if live is None:
        return []
    try:
        manifest = json.loads((settings.index_dir / f"{live:06d}" / "manifest.json").read_text("utf-8"))
        newest = dt.date.fromisoformat(str(manifest.get("newest_date") or "")[:10])
    except (OSError, ValueError):
        return []
    age = (dt.datetime.fromtimestamp(now, dt.UTC).date() - newest).days
    if age <= settings.index_stale_days:
        return []
    return [
        Problem(
            "stale-index",
            *_ops("stale_index", newest=newest, age=age),
        )
    ]


def disk_nearly_full(settings: Settings) -> list[Problem]:
    folder = Path(settings.data_dir)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    free = 100.0 * usage.free / usage.total if usage.total else 100.0
    if free >= settings.disk_min_free_percent:
        return []
    gb = usage.free / 1e9
    return [
        Problem(
            "disk",
            *_ops("disk", folder=esc(settings.data_dir), free=free, gb=gb),
        )
    ]


class OpsAlerts:
    """The periodic check and what was already told (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.told: dict[str, float] = {}
        self.first_failing: dict[str, float] = {}

    def problems(self, now: float | None = None) -> list[Problem]:
        now = time.time() if now is None else now
        s = self.settings
        found = failing_sources(s.db_path, s.feed_alert_hours, now, self.first_failing)
        found += stale_index(s, now)
        found += disk_nearly_full(s)
        return found

    def due(self, problems: list[Problem], now: float) -> list[Problem]:
        """The problems to send now; cleared ones are forgotten."""
        current = {p.key for p in problems}
        for key in set(self.told) - current:
            del self.told[key]
        again = self.settings.ops_realert_hours * 3600
        out = [p for p in problems if now - self.told.get(p.key, -again) >= again]
        for p in out:
            self.told[p.key] = now
        return out

    async def check(self, bot: Bot) -> list[Problem]:
        """One check: send what is due to every admin; returns what reached at least one of them.

        A problem no admin could be told (Telegram or the network down, after the sender's retries) is not
        counted as told: the next check, ``OPS_CHECK_MINUTES`` later, tries again, instead of
        ``OPS_REALERT_HOURS`` later (a disk filling up went unsaid for a day after one failed send).
        """
        import asyncio

        now = time.time()
        problems = await asyncio.to_thread(self.problems, now)
        sent = []
        for problem in self.due(problems, now):
            log.warning("operator alert: %s", problem.key)
            if await self._tell_admins(bot, problem):
                sent.append(problem)
            else:
                self.told.pop(problem.key, None)
                log.warning("operator alert %s reached no admin: tried again at the next check", problem.key)
        return sent

    async def _tell_admins(self, bot: Bot, problem: Problem) -> bool:
        """Send ``problem`` to every admin; whether at least one got it."""
        from telegram.error import TelegramError

        told = False
        for admin in self.settings.telegram_admin_ids:
            try:
                await bot.send_message(admin, problem.html(), parse_mode="HTML")
                told = True
            except TelegramError as exc:
                log.warning("could not alert an admin: %s", type(exc).__name__)
        return told
