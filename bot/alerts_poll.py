"""One alert pass: ingest (fetch sources → record releases → index them) → queue alerts → deliver.

Ingestion is :mod:`corpus.ingest`'s: it reads the feeds and watched folders, records each new release in
the registry and hands the pending ones to the index. This module adds what is the alerts' own: while a
new release is recorded, before the registry calls it known, :meth:`Poller._announcer` writes its outbox
rows (one per matching subscription, ``UNIQUE(chat_id, url)``), so that a crash in between is repaired by
the next pass (see :mod:`corpus.ingest.writer`); then the outbox is delivered.

Indexing goes through ``index.build.pipeline.apply_releases``; when another writer holds the index lock
the URLs stay pending and the pass goes on to deliver; the next pass indexes them.

A pass runs inside the bot's event loop, but none of its SQLite work does: opening the stores, recording,
queueing and delivering run in the database's threads (:func:`thaigov_qa.db.off_loop`), one step at a
time, so while an ``index build`` holds the write lock the pass waits and every chat is still answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot

from bot.alerts_delivery import Deliverer, DeliveryPolicy, DeliveryReport
from bot.alerts_message import ReleaseText, matches
from bot.alerts_store import AlertStore, Subscription
from corpus.feeds import DEFAULT_TIMEOUT
from corpus.ingest.pipeline import IndexBusy, Indexer, Ingester, IngestReport, SourceReport
from corpus.ingest.state import FetchState
from corpus.ingest.writer import Announce
from corpus.registry import Registry
from corpus.release import Release
from corpus.watch import DEFAULT_SETTLE_SECONDS
from thaigov_qa.db import off_loop
from thaigov_qa.settings import Settings

__all__ = ["Indexer", "PollReport", "Poller", "SourceReport"]

log = logging.getLogger(__name__)


@dataclass
class PollReport(IngestReport):
    delivery: DeliveryReport | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[str]:
        out = [s.error for s in self.sources if s.status == "error"]
        if self.index_error:
            out.append(self.index_error)
        if self.delivery:
            out.extend(self.delivery.errors)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "sources": [s.to_dict() for s in self.sources],
            "alerts_queued": self.alerts_queued,
            "indexed": self.indexed,
            "index_waiting": self.index_waiting,
            "index_error": self.index_error,
            "delivery": self.delivery.to_dict() if self.delivery else None,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Stores:
    """The connections of one pass, opened and closed in a database thread (a fresh file's schema is a
    write)."""

    alerts: AlertStore
    state: FetchState
    registry: Registry

    @classmethod
    def open(cls, db: Path) -> _Stores:
        with contextlib.ExitStack() as opened:  # one that fails closes those already open
            alerts = opened.enter_context(AlertStore(db))
            state = opened.enter_context(FetchState(db))
            registry = opened.enter_context(Registry(db))
            opened.pop_all()
        return cls(alerts, state, registry)

    def close(self) -> None:
        self.alerts.close()
        self.state.close()
        self.registry.close()


def _default_indexer(settings: Settings, releases: list[Release]) -> object:
    """``apply_releases``, its lock error turned into ingestion's :class:`IndexBusy` (the URLs wait).

    Imported here, not at the top: the alerts' CLI and handlers load without the index's libraries.
    """
    from index.build.pipeline import IndexLocked, apply_releases

    try:
        return apply_releases(settings, releases)
    except IndexLocked as exc:
        raise IndexBusy(str(exc)) from exc


class Poller:
    """Runs alert passes for one ``settings``. ``indexer`` and ``policy`` are for tests and tuning."""

    def __init__(
        self,
        settings: Settings,
        *,
        feed_timeout: float = DEFAULT_TIMEOUT,
        indexer: Indexer | None = None,
        policy: DeliveryPolicy | None = None,
        settle: float = DEFAULT_SETTLE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.feed_timeout = feed_timeout
        self.indexer = indexer or _default_indexer
        self.policy = policy or DeliveryPolicy()
        self.settle = settle
        self.clock = clock
        self._lock = asyncio.Lock()

    async def poll(self, bot: Bot | None, *, deliver: bool = True, index: bool = True) -> PollReport:
        """One whole pass; ``bot`` must be initialised (``async with bot``) for delivery."""
        async with self._lock:  # one pass at a time: its connections are never used by two threads at once
            started = time.monotonic()
            report = PollReport()
            stores = await off_loop(_Stores.open, self.settings.db_path)
            try:
                ingester = Ingester(
                    self.settings,
                    stores.registry,
                    stores.state,
                    feed_timeout=self.feed_timeout,
                    settle=self.settle,
                    clock=self.clock,
                )
                await ingester.fetch(report, self._announcer(stores.alerts))
                await ingester.index(report, self.indexer if index else None)
                if deliver and bot is not None:
                    report.delivery = await self._deliver(bot, stores.alerts, stores.registry)
            finally:
                await off_loop(stores.close)
            report.seconds = time.monotonic() - started
            log.info(
                "alert pass: %d alerts queued, %d indexed, %s sent, %.1f s",
                report.alerts_queued,
                report.indexed,
                report.delivery.sent if report.delivery else "none",
                report.seconds,
            )
            return report

    def _announcer(self, store: AlertStore) -> Announce:
        """Queue a new release's alerts for the active subscriptions it matches (read once a pass, at the
        first release to announce). Called by the ingester's recording step, in a database thread."""
        subs: list[Subscription] = []
        loaded = False
        realert = self.settings.realert_on_edit

        def announce(release: Release) -> int:
            nonlocal subs, loaded
            if not loaded:
                subs, loaded = store.subscriptions(active_only=True), True
            if not subs:
                return 0
            text = ReleaseText(release)
            with store.transaction():
                return sum(
                    store.enqueue(sub, release.url, release.hash, realert=realert)
                    for sub in subs
                    if matches(sub, text)
                )

        return announce

    async def deliver(self, bot: Bot) -> DeliveryReport:
        """Only the delivery step: send what the outbox holds (the alerts CLI's ``poll`` after its pass)."""
        stores = await off_loop(_Stores.open, self.settings.db_path)
        try:
            return await self._deliver(bot, stores.alerts, stores.registry)
        finally:
            await off_loop(stores.close)

    async def _deliver(self, bot: Bot, store: AlertStore, registry: Registry) -> DeliveryReport:
        deliverer = Deliverer(
            store, bot, registry.get, self.settings.telegram_admin_ids, self.policy, self.clock
        )
        return await deliverer.deliver()
