"""One alert pass: fetch sources → record releases → index them → queue alerts → deliver.

Order matters for "never lost, never twice". For each new release the pass first writes, in the alerts'
own tables, its outbox rows (one per matching subscription, ``UNIQUE(chat_id, url)``) and its
``index_pending`` row, and only then upserts it into the registry. A crash in between leaves the registry
without the release, so the next pass sees it as new again and the outbox rows it writes again are
ignored as duplicates. The other order would lose the alert: the registry would call the release "same".

A source read for the first time (``source_state.initialised`` unset) is a backlog: its releases are
recorded and indexed, but nobody is alerted. Edited releases (same URL, new content hash) are re-indexed,
and re-announced only with ``REALERT_ON_EDIT``.

Indexing goes through ``index.build.pipeline.apply_releases``; when another writer holds the index lock the
URLs
stay in ``index_pending`` and the pass goes on to deliver; the next pass indexes them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot

from bot.alerts_delivery import Deliverer, DeliveryPolicy, DeliveryReport
from bot.alerts_message import ReleaseText, matches
from bot.alerts_store import AlertStore
from corpus.feeds import DEFAULT_TIMEOUT, backoff_seconds, fetch_feeds
from corpus.release import Release
from corpus.watch import DEFAULT_SETTLE_SECONDS, scan_dir
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: ``indexer(settings, releases)``: adds or replaces releases in the index (``apply_releases`` by default).
Indexer = Callable[[Settings, list[Release]], Any]


@dataclass
class SourceReport:
    source: str
    kind: str
    status: str  # ok | not_modified | error | waiting (backing off)
    releases: int = 0
    new: int = 0
    changed: int = 0
    backlog: int = 0
    skipped: int = 0
    error: str = ""

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class PollReport:
    sources: list[SourceReport] = field(default_factory=list)
    alerts_queued: int = 0
    indexed: int = 0
    index_waiting: int = 0
    index_error: str = ""
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


def _default_indexer(settings: Settings, releases: list[Release]) -> Any:
    from index.build.pipeline import apply_releases

    return apply_releases(settings, releases)


def _is_index_locked(exc: BaseException) -> bool:
    try:
        from index.build.pipeline import IndexLocked
    except ImportError:  # pragma: no cover - index part not installed
        return False
    return isinstance(exc, IndexLocked)


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

    def _registry(self) -> Any:
        from corpus.registry import Registry

        return Registry(self.settings.db_path)

    async def poll(self, bot: Bot | None, *, deliver: bool = True, index: bool = True) -> PollReport:
        """One whole pass; ``bot`` must be initialised (``async with bot``) for delivery."""
        async with self._lock:  # one pass at a time in this process (the job queue may overlap)
            started = time.monotonic()
            report = PollReport()
            store = AlertStore(self.settings.db_path)
            registry = self._registry()
            try:
                await self._ingest(store, registry, report)
                if index:
                    await self._index(store, registry, report)
                report.index_waiting = len(store.index_pending())
                if deliver and bot is not None:
                    report.delivery = await self.deliver(bot, store=store, registry=registry)
            finally:
                store.close()
                close = getattr(registry, "close", None)
                if close:
                    close()
            report.seconds = time.monotonic() - started
            log.info(
                "alert pass: %d alerts queued, %d indexed, %s sent, %.1f s",
                report.alerts_queued,
                report.indexed,
                report.delivery.sent if report.delivery else "none",
                report.seconds,
            )
            return report

    async def deliver(
        self, bot: Bot, *, store: AlertStore | None = None, registry: Any = None
    ) -> DeliveryReport:
        """Only the delivery step: send what the outbox holds."""
        own_store, own_registry = store is None, registry is None
        store = store or AlertStore(self.settings.db_path)
        registry = registry or self._registry()
        try:
            deliverer = Deliverer(
                store, bot, registry.get, self.settings.telegram_admin_ids, self.policy, self.clock
            )
            return await deliverer.deliver()
        finally:
            if own_store:
                store.close()
            if own_registry and hasattr(registry, "close"):
                registry.close()

    # --- sources --------------------------------------------------------------------------------
    async def _ingest(self, store: AlertStore, registry: Any, report: PollReport) -> None:
        now = self.clock()
        hashes: dict[str, str] = registry.hashes()
        requests = []
        for url in self.settings.release_feeds:
            state = store.source(url, "feed")
            if state.next_try > now:
                report.sources.append(
                    SourceReport(url, "feed", "waiting", error=f"backing off {state.next_try - now:.0f} s")
                )
                continue
            requests.append((url, state.etag, state.last_modified))
        fetches = await fetch_feeds(requests, timeout=self.feed_timeout)
        for fetch in fetches:
            state = store.source(fetch.url, "feed")
            src = SourceReport(fetch.url, "feed", fetch.status, skipped=len(fetch.skipped))
            report.sources.append(src)
            if fetch.status == "error":
                wait = backoff_seconds(state.failures + 1)
                if fetch.retry_after:
                    wait = max(wait, fetch.retry_after)
                failures = store.source_failed(fetch.url, "feed", fetch.error, self.clock() + wait)
                src.error = f"{fetch.error} (failure {failures}; next try in {wait:g} s)"
                log.warning("feed failed: %s", src.error)
                continue
            for skipped in fetch.skipped:
                log.info("feed %s: entry %s skipped: %s", fetch.url, skipped.entry_id, skipped.reason)
            if fetch.status == "ok":
                self._record(store, registry, hashes, fetch.releases, state.initialised, src, report)
            store.source_ok(fetch.url, "feed", fetch.etag, fetch.last_modified)

        for folder in self.settings.watch_dirs:
            key = str(folder)
            state = store.source(key, "watch")
            scan = await asyncio.to_thread(scan_dir, folder, store.watch_stamps(key), settle=self.settle)
            src = SourceReport(key, "watch", "error" if scan.error else "ok", skipped=len(scan.skipped))
            report.sources.append(src)
            if scan.error:
                src.error = scan.error
                store.source_failed(key, "watch", scan.error, 0.0)
                log.warning("watched folder: %s", scan.error)
                continue
            for skipped in scan.skipped:
                log.info("watched file %s skipped: %s", skipped.path, skipped.reason)
            self._record(store, registry, hashes, scan.releases, state.initialised, src, report)
            store.save_watch_stamps(key, scan.stamps, scan.vanished)
            if scan.more:  # a big folder is read over several passes; all of it is backlog
                log.info("watched folder %s: more files next pass", key)
            else:
                store.source_ok(key, "watch")

    def _record(
        self,
        store: AlertStore,
        registry: Any,
        hashes: dict[str, str],
        releases: Sequence[Release],
        initialised: bool,
        src: SourceReport,
        report: PollReport,
    ) -> None:
        """Outbox and index rows first, the registry last (see the module docstring)."""
        subs = store.subscriptions(active_only=True)
        realert = self.settings.realert_on_edit
        for release in releases:
            src.releases += 1
            old = hashes.get(release.url)
            if old == release.hash:
                continue
            if old is not None and self._keeps_fuller_text(registry, release):
                continue
            is_new = old is None
            if is_new:
                src.new += 1
            else:
                src.changed += 1
            alert = initialised and (is_new or realert)
            if not initialised and is_new:
                src.backlog += 1
            with store.transaction():
                store.queue_index([release.url])
                if alert and subs:
                    text = ReleaseText(release)
                    for sub in subs:
                        if not matches(sub, text):
                            continue
                        if store.enqueue(sub, release.url, release.hash, realert=realert):
                            report.alerts_queued += 1
            registry.upsert(release)
            hashes[release.url] = release.hash

    @staticmethod
    def _keeps_fuller_text(registry: Any, release: Release) -> bool:
        """A feed entry never replaces a release read from a corpus file.

        A feed carries a summary; the file the admins synced carries the whole text. Without this, every
        feed entry for a release already indexed from the corpus would count as an edit and shrink it.
        """
        if not release.path.startswith(("http://", "https://")):
            return False
        existing = registry.get(release.url)
        return existing is not None and not existing.path.startswith(("http://", "https://"))

    # --- index ----------------------------------------------------------------------------------
    async def _index(self, store: AlertStore, registry: Any, report: PollReport) -> None:
        urls = store.index_pending()
        if not urls:
            return
        releases = [r for r in (registry.get(u) for u in urls) if r is not None]
        try:
            await asyncio.to_thread(self.indexer, self.settings, releases)
        except Exception as exc:  # noqa: BLE001 - indexing must never stop delivery
            if _is_index_locked(exc):
                report.index_error = f"index busy, {len(urls)} releases wait for the next pass: {exc}"
                log.info("%s", report.index_error)
            else:
                report.index_error = f"indexing failed, will retry next pass: {type(exc).__name__}: {exc}"
                log.exception("alert pass: indexing failed")
            return
        store.index_done(urls)
        report.indexed = len(releases)
