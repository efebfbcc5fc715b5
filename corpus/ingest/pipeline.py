"""One ingestion pass: fetch the sources → record new releases in the registry → index what is pending.

Feeds (conditional GET, backoff) and watched folders (file stamps, a settle time) are read with their
fetch state (:mod:`corpus.ingest.state`); each new or changed release is recorded through
:func:`corpus.ingest.writer.record`, which lets the caller announce it (the bot queues alerts) before the
registry calls it known. A source read for the first time (``initialised`` unset) is a backlog: its
releases are recorded and indexed, but not announced. Edited releases (same URL, new content hash) are
re-indexed, and re-announced only with ``REALERT_ON_EDIT``.

The index is not this package's business: the pending releases go to an ``indexer`` the caller gives
(``index.build.apply_releases`` in the product). When it raises :class:`IndexBusy` (another writer holds
the index lock) the URLs stay pending and the next pass indexes them; any other failure is reported and
retried the same way, so indexing never stops the caller's own work (the alerts' delivery).

The SQLite steps run in the database's threads (:func:`thaigov_qa.db.off_loop`), never on the caller's
event loop: while another process holds the write lock a write waits, and the bot answers meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.feeds import DEFAULT_TIMEOUT, FeedFetch, backoff_seconds, fetch_feeds, shown_url
from corpus.ingest.state import FetchState
from corpus.ingest.writer import Announce, record
from corpus.registry import Registry
from corpus.release import Release
from corpus.watch import DEFAULT_SETTLE_SECONDS, scan_dir
from thaigov_qa.db import off_loop
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: ``indexer(settings, releases)``: adds or replaces releases in the index.
Indexer = Callable[[Settings, list[Release]], object]


class IndexBusy(Exception):
    """Raised by an indexer when another writer holds the index: the releases wait for the next pass."""


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
class IngestReport:
    """What a pass read and indexed; the alerts' poll report extends it with what it queued and sent."""

    sources: list[SourceReport] = field(default_factory=list)
    alerts_queued: int = 0
    indexed: int = 0
    index_waiting: int = 0
    index_error: str = ""


def _is_feed_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


class Ingester:
    """Reads ``settings``' feeds and watched folders into ``registry``, keeping their state in ``state``."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        state: FetchState,
        *,
        feed_timeout: float = DEFAULT_TIMEOUT,
        settle: float = DEFAULT_SETTLE_SECONDS,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.state = state
        self.feed_timeout = feed_timeout
        self.settle = settle
        self.clock = clock

    async def fetch(self, report: IngestReport, announce: Announce | None = None) -> None:
        """Read every source that is due and record what is new or changed (see the module docstring).

        Each SQLite step is awaited before the next: the registry's and the state's connections are used
        by one thread at a time."""
        hashes = await off_loop(self.registry.hashes)
        requests = await off_loop(self._due_feeds, report)
        for fetch in await fetch_feeds(requests, timeout=self.feed_timeout):
            await off_loop(self._feed_read, fetch, report, hashes, announce)
        for folder in self.settings.watch_dirs:
            await off_loop(self._read_folder, folder, report, hashes, announce)

    def _due_feeds(self, report: IngestReport) -> list[tuple[str, str | None, str | None]]:
        """The feeds to ask now (URL and conditional-GET validators); those backing off are reported."""
        now = self.clock()
        requests = []
        for url in self.settings.release_feeds:
            state = self.state.source(url, "feed")
            if state.next_try > now:
                wait = f"backing off {state.next_try - now:.0f} s"
                report.sources.append(SourceReport(shown_url(url), "feed", "waiting", error=wait))
                continue
            requests.append((url, state.etag, state.last_modified))
        return requests

    def _feed_read(
        self, fetch: FeedFetch, report: IngestReport, hashes: dict[str, str], announce: Announce | None
    ) -> None:
        """Record what one feed answered, or its failure and the backoff before the next try."""
        state = self.state.source(fetch.url, "feed")
        src = SourceReport(shown_url(fetch.url), "feed", fetch.status, skipped=len(fetch.skipped))
        report.sources.append(src)
        if fetch.status == "error":
            wait = backoff_seconds(state.failures + 1)
            if fetch.retry_after:
                wait = max(wait, fetch.retry_after)
            failures = self.state.source_failed(fetch.url, "feed", fetch.error, self.clock() + wait)
            src.error = f"{fetch.error} (failure {failures}; next try in {wait:g} s)"
            log.warning("feed failed: %s", src.error)
            return
        for skipped in fetch.skipped:
            log.info("feed %s: entry %s skipped: %s", src.source, skipped.entry_id, skipped.reason)
        if fetch.status == "ok":
            self._record(hashes, fetch.releases, state.initialised, src, report, announce)
        self.state.source_ok(fetch.url, "feed", fetch.etag, fetch.last_modified)

    def _read_folder(
        self, folder: str, report: IngestReport, hashes: dict[str, str], announce: Announce | None
    ) -> None:
        """Scan one watched folder (files changed since the stamps kept) and record its releases."""
        key = str(folder)
        state = self.state.source(key, "watch")
        scan = scan_dir(folder, self.state.watch_stamps(key), settle=self.settle)
        src = SourceReport(key, "watch", "error" if scan.error else "ok", skipped=len(scan.skipped))
        report.sources.append(src)
        if scan.error:
            src.error = scan.error
            self.state.source_failed(key, "watch", scan.error, 0.0)
            log.warning("watched folder: %s", scan.error)
            return
        for skipped in scan.skipped:
            log.info("watched file %s skipped: %s", skipped.path, skipped.reason)
        self._record(hashes, scan.releases, state.initialised, src, report, announce)
        self.state.save_watch_stamps(key, scan.stamps, scan.vanished)
        if scan.more:  # a big folder is read over several passes; all of it is backlog
            log.info("watched folder %s: more files next pass", key)
        else:
            self.state.source_ok(key, "watch")

    def _record(
        self,
        hashes: dict[str, str],
        releases: Sequence[Release],
        initialised: bool,
        src: SourceReport,
        report: IngestReport,
        announce: Announce | None,
    ) -> None:
        realert = self.settings.realert_on_edit
        for release in releases:
            src.releases += 1
            old = hashes.get(release.url)
            if old == release.hash:
                continue
            if old is not None and self._keeps_fuller_text(release):
                continue
            is_new = old is None
            if is_new:
                src.new += 1
            else:
                src.changed += 1
            if not initialised and is_new:
                src.backlog += 1
            alert = initialised and (is_new or realert)
            report.alerts_queued += record(self.registry, self.state, release, announce if alert else None)
            hashes[release.url] = release.hash

    def _keeps_fuller_text(self, release: Release) -> bool:
        """A feed entry never replaces a release read from a corpus file, nor one another feed recorded.

        A feed carries a summary; the file the admins synced carries the whole text. Without this, every
        feed entry for a release already indexed from the corpus would count as an edit and shrink it.
        Two feeds carrying one release with different summaries (a section's feed and the main one) took
        turns replacing each other's copy: an edit each pass, re-indexed, and with ``REALERT_ON_EDIT``
        alerted again each time. The feed that recorded a release first keeps it; its own edits count.
        """
        if not _is_feed_url(release.path):
            return False
        existing = self.registry.get(release.url)
        if existing is None:
            return False
        return not _is_feed_url(existing.path) or existing.path != release.path

    async def index(self, report: IngestReport, indexer: Indexer | None) -> None:
        """Hand the pending releases to ``indexer`` (none: they wait); once indexed they are not pending."""
        urls, releases = await off_loop(self._pending)
        if urls and indexer is not None:
            try:
                await asyncio.to_thread(indexer, self.settings, releases)
            except IndexBusy as exc:
                report.index_error = f"index busy, {len(urls)} releases wait for the next pass: {exc}"
                log.info("%s", report.index_error)
            except Exception as exc:  # noqa: BLE001 - indexing must never stop the caller's pass
                report.index_error = f"indexing failed, will retry next pass: {type(exc).__name__}: {exc}"
                log.exception("ingestion pass: indexing failed")
            else:
                await off_loop(self.state.index_done, urls)
                report.indexed = len(releases)
        report.index_waiting = len(await off_loop(self.state.index_pending))

    def _pending(self) -> tuple[list[str], list[Release]]:
        """The URLs waiting for the index, and those of their releases the registry still holds."""
        urls = self.state.index_pending()
        return urls, [r for r in (self.registry.get(u) for u in urls) if r is not None]
