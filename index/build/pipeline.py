"""Building and updating the index: chunk → embed (cached) → FAISS generation + FTS5 → switch the pointer.

The writer API (see ``docs/ARCHITECTURE.md``):
- :func:`build_index`: index exactly the releases of a source, re-chunking all of them (the embedding
  cache makes unchanged passages free); releases missing from the source leave the index.
- :func:`update_index`: incremental; only new or changed releases (content hash) are chunked and
  embedded, releases missing from the source leave the index. A rerun over an unchanged source embeds 0.
- :func:`apply_releases`: add or replace the given releases (feeds, watched folders), remove nothing.

Every run holds the writers' lock (:mod:`index.build.lock`), writes generation ``L+1`` beside the live
``L`` and switches ``index/CURRENT`` as its last step (:mod:`index.build.store` explains why that is
crash-safe). A source that was not read whole (a damaged archive) or holds no release is refused before
anything is written (:class:`SourceRefused`): indexing it would remove every release it did not yield.
Vectors are committed to the embedding cache batch by batch, so a killed run is resumed by
simply running it again: only what the killed run had not embedded is embedded (``BuildReport.embedded``).
How rows are written is :mod:`index.build.rows`; the generation's files, :mod:`index.build.generation`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.release import Release
from index import lexical
from index.build import agenda_rows, rows, store
from index.build.chunking import CHUNKER_VERSION
from index.build.embedding import Embedder, vector_kind
from index.build.embedding_cache import EmbeddingCache, embed_missing
from index.build.generation import NewGeneration, write_generation
from index.build.lock import IndexLocked, writer_lock
from index.build.report import BuildReport
from index.build.unread import keep_unread
from thaigov_qa.settings import Settings

if TYPE_CHECKING:  # pragma: no cover - read_releases is imported where a source is read
    from corpus.sources import OnlyList, Skipped

__all__ = [
    "BuildReport",
    "IndexLocked",
    "SourceRefused",
    "apply_releases",
    "build_index",
    "update_index",
    "index_releases",
]

log = logging.getLogger(__name__)

#: Test-only: ``stage`` or ``stage:N`` at which a build stops and waits to be killed (crash-safety tests).
TEST_HOOK_ENV = "THAIGOV_QA_TEST_PAUSE_AT"
#: Test-only: file the build touches when it reaches the pause, so the test knows when to kill it.
TEST_HOOK_FILE_ENV = "THAIGOV_QA_TEST_PAUSE_FILE"
#: Test-only: when set, the build kills itself with SIGKILL at the pause instead of waiting.
TEST_KILL_ENV = "THAIGOV_QA_TEST_KILL"


def _test_pause(stage: str, count: int | None = None) -> None:
    """Stop here forever when the crash-safety test asks for it (never set outside tests)."""
    want = os.environ.get(TEST_HOOK_ENV)
    if not want:
        return
    name, _, threshold = want.partition(":")
    if name != stage or (threshold and (count is None or count < int(threshold))):
        return
    marker = os.environ.get(TEST_HOOK_FILE_ENV)
    if marker:
        Path(marker).write_text(f"{os.getpid()} {stage} {count}\n", encoding="utf-8")
    log.warning("test hook: paused at %s (%s); waiting to be killed", stage, count)
    if os.environ.get(TEST_KILL_ENV):
        os.kill(os.getpid(), signal.SIGKILL)
    while True:  # pragma: no cover - killed by the test
        time.sleep(1)


class SourceRefused(ValueError):
    """What was read cannot become the index without losing releases: nothing was written, the live
    generation serves on. ``report`` holds the skipped files, so the caller can still show why."""

    def __init__(self, message: str, report: BuildReport) -> None:
        super().__init__(message)
        self.report = report


# --- public API ----------------------------------------------------------------------------------
def _read_source(source: str | os.PathLike[str], only: OnlyList, report: BuildReport) -> list[Release]:
    from corpus.sources import read_releases

    def skipped(item: Skipped) -> None:
        reason = f"{item.reason}: {item.detail}" if item.detail else item.reason
        report.skipped_files.append((item.path, reason))

    return read_releases(source, only=only, on_skip=skipped, on_duplicate=_duplicate_to(report))


def _duplicate_to(report: BuildReport) -> Callable[[Release, Release], None]:
    def duplicate(dropped: Release, kept: Release) -> None:
        report.duplicates.append((dropped.path, kept.path))

    return duplicate


def _refuse_partial(releases: Sequence[Release], report: BuildReport) -> None:
    """:class:`SourceRefused` before anything is written, when the releases read are not the source's
    (checked under the writers' lock, so a second writer is still told that first).

    Why: a build indexes exactly what it read, and an update drops what it did not read. A truncated
    archive (a download cut short) or a source with no release at all (an empty or wrong folder, an
    ``--only`` list that matches nothing) made a generation without the missing releases and switched to
    it, exit status 0: the bot then answered from a fraction of the archive, or from nothing.
    """
    damaged = [(path, why) for path, why in report.skipped_files if why.startswith("bad_archive")]
    where = ", ".join(report.sources) or "the source"
    if damaged:
        path, why = damaged[0]
        raise SourceRefused(
            f"{path} is damaged ({why.partition(': ')[2]}): nothing was indexed, the live index is "
            "unchanged; replace the archive and run again",
            report,
        )
    if releases and report.empty_sources:
        raise SourceRefused(
            f"no releases in {', '.join(report.empty_sources)}: nothing was indexed, the live index is "
            "unchanged (an update drops what it does not read: every release only that source holds); "
            "mount or fix it, or leave it out of CORPUS_SOURCES",
            report,
        )
    if not releases:
        n = len(report.skipped_files)
        found = f"{n} files skipped, listed above" if n else "no release files found"
        raise SourceRefused(
            f"no releases in {where} ({found}): nothing was indexed, the live index is unchanged", report
        )


def _found_elsewhere(skipped: list[tuple[str, str]], releases: Sequence[Release]) -> list[tuple[str, str]]:
    """``skipped`` less the listed paths one source did not have and another read (each source of a
    several-source update reports every listed path it lacks), each path reported once."""
    read = {r.path for r in releases}
    out: list[tuple[str, str]] = []
    missing: set[str] = set()
    for path, why in skipped:
        if why.startswith("not_found"):
            if path in read or path in missing:
                continue
            missing.add(path)
        out.append((path, why))
    return out


def build_index(
    settings: Settings,
    source: str | os.PathLike[str],
    only: OnlyList = None,
    progress: bool = True,
    bulk: bool = False,
) -> BuildReport:
    """Index exactly the releases of ``source`` (``only``: list file or paths inside it), re-chunking all.
    ``bulk``: this process answers no questions meanwhile (the command line), so the passages' engine may keep
    its threads spinning (:class:`index.build.embedding.Embedder`)."""
    started = time.monotonic()
    report = BuildReport()
    with report.phase("read"):
        releases = _read_source(source, only, report)
    report.sources = [str(source)]
    return index_releases(settings, releases, "build", report, progress, started, bulk)


def update_index(
    settings: Settings,
    source: str | os.PathLike[str] | Sequence[str] | None = None,
    progress: bool = True,
    only: OnlyList = None,
    bulk: bool = False,
) -> BuildReport:
    """Bring the index in line with ``source`` (default: ``settings.corpus_sources``), embedding only changes.

    Several sources are read in turn and deduplicated by URL (the later crawl wins). ``bulk``: as
    :func:`build_index`'s.
    """
    started = time.monotonic()
    report = BuildReport()
    if source is None:
        sources: list[str] = list(settings.corpus_sources)
    elif isinstance(source, str | os.PathLike):
        sources = [str(source)]
    else:
        sources = [str(s) for s in source]
    if not sources:
        raise ValueError("no source given and CORPUS_SOURCES is empty")
    releases: list[Release] = []
    with report.phase("read"):
        for one in sources:
            got = _read_source(one, only, report)
            if not got and only is None:  # with a list, a source may hold none of it
                report.empty_sources.append(one)
            releases.extend(got)
        if len(sources) > 1:
            from corpus.sources import dedupe

            releases = dedupe(releases)  # overlapping sources (an archive, a newer crawl) are no news
            if only is not None:
                report.skipped_files = _found_elsewhere(report.skipped_files, releases)
    report.sources = sources
    return index_releases(settings, releases, "update", report, progress, started, bulk)


def apply_releases(
    settings: Settings, releases: Iterable[Release], remove_missing: bool = False
) -> BuildReport:
    """Add or replace ``releases`` (feeds, watched folders); with ``remove_missing`` drop all others."""
    return index_releases(
        settings, list(releases), mode="update" if remove_missing else "apply", progress=False
    )


# --- the work ------------------------------------------------------------------------------------
def _sync_registry(
    settings: Settings, releases: Sequence[Release], removed: Sequence[str], mode: str
) -> None:
    """Mirror the live index's releases into the corpus registry (after the switch: it shows what is live).

    Compares hashes rather than trusting this run's diff, so a run killed between the switch and this
    step (or a registry written by an older version) is repaired by the next run: a build's or update's
    releases are all the live ones, and the registry is made to hold exactly them.
    """
    from corpus.ingest.writer import mirror_live

    mirror_live(settings.db_path, releases, removed, exact=mode != "apply")


def index_releases(
    settings: Settings,
    releases: Sequence[Release],
    mode: str = "update",
    report: BuildReport | None = None,
    progress: bool = True,
    started: float | None = None,
    bulk: bool = False,
) -> BuildReport:
    """Write a new generation holding ``releases`` (``mode``: build | update | apply); see the module doc.
    ``bulk``: as :func:`build_index`'s."""
    started = time.monotonic() if started is None else started
    report = report or BuildReport()
    report.skipped = len(report.skipped_files)
    index_dir = settings.index_dir
    with writer_lock(index_dir):
        if mode != "apply":  # a build or update removes what it did not read: it must have read it all
            _refuse_partial(releases, report)
            releases, report.kept_unread = keep_unread(settings, releases, report.skipped_files)
        conn = store.connect(settings.db_path)
        try:
            store.create_schema(conn)
            # Agenda rows of an older parser (or an index from before them) are parsed again here.
            agenda_rows.refresh(conn, store.read_current(index_dir))
            return _index_locked(conn, settings, releases, mode, report, progress, started, bulk)
        finally:
            conn.close()


@dataclass
class _Plan:
    """What a run will do, decided from the live generation's manifest and the incoming releases."""

    live: int | None
    generation: int
    full: bool  # re-index every incoming release (a build, a first run, another model/chunker/lexicon)
    incoming: dict[str, Release]
    to_index: list[Release]
    retire: list[str]
    dense: int  # each release's first N passages get a vector (0 = all): the setting on a full build,
    # else what the live generation was built with (an update never mixes two rules in one generation)
    fingerprint: str = ""  # what this run writes (see _fingerprint)
    reuse: bool = False  # a stopped run asked the same wrote all of this generation's rows: keep them


def _plan(
    conn: sqlite3.Connection,
    settings: Settings,
    embedder: Embedder,
    releases: Sequence[Release],
    mode: str,
    report: BuildReport,
) -> _Plan:
    """Recover from an interrupted run, then decide which releases to (re)index and which to retire;
    fills the report's new, changed and removed URLs."""
    index_dir = settings.index_dir
    live = store.read_current(index_dir)
    base = live or 0
    manifest = _live_manifest(index_dir, live) if live else {}
    if live is not None and manifest is None:
        if mode == "apply":
            raise RuntimeError(
                f"the live index generation {live} cannot be read: rebuild it with "
                "`thaigov-qa index build SOURCE`"
            )
        manifest = {}  # unreadable: everything is indexed again, as by a build
    assert manifest is not None
    full = (
        mode == "build"
        or live is None
        or manifest.get("model") != embedder.model_id
        or vector_kind(str(manifest.get("backend", embedder.backend))) != vector_kind(embedder.backend)
        or manifest.get("chunker") != CHUNKER_VERSION
        or manifest.get("lexicon", lexical.lexicon_version()) != lexical.lexicon_version()
    )
    if mode == "apply" and live is not None and full:
        raise RuntimeError(
            f"the index was built with {manifest.get('model')} ({manifest.get('backend')}, "
            f"{manifest.get('chunker')}), not {embedder.model_id} ({embedder.backend}, {CHUNKER_VERSION}): "
            "rebuild it with `thaigov-qa index build SOURCE`"
        )
    if mode != "build" and live is not None and full:
        log.info("the live index was built with another model or chunker: re-indexing everything")

    visible = rows.visible_releases(conn, base)
    incoming = {r.url: r for r in releases}
    report.new_urls = [u for u in incoming if u not in visible]
    report.changed_urls = [u for u in incoming if u in visible and visible[u] != incoming[u].hash]
    report.removed_urls = [u for u in visible if u not in incoming] if mode != "apply" else []
    if full:
        to_index = list(incoming.values())
        retire = list(visible) if mode != "apply" else [u for u in visible if u in incoming]
    else:
        to_index = [incoming[u] for u in report.new_urls + report.changed_urls]
        retire = report.changed_urls + report.removed_urls
    dense = settings.dense_passages if full else int(manifest.get("dense_passages", 0))
    plan = _Plan(live, base + 1, full, incoming, to_index, retire, dense)
    # Read above: the rows a stopped run left are not visible in the live generation. Kept when that run
    # was asked the same and wrote them all (index.build.store.chunked), else dropped.
    plan.fingerprint = _fingerprint(plan, embedder)
    plan.reuse = store.chunked(conn, plan.generation) == plan.fingerprint
    dropped = store.recover(conn, index_dir, base, keep_rows=plan.reuse)
    if dropped:
        log.info("removed %d chunk rows left by an interrupted build", dropped)
    if plan.reuse:
        log.info("the rows of the interrupted run's generation %d are complete: reused", plan.generation)
    return plan


def _live_manifest(index_dir: Path, live: int) -> dict[str, object] | None:
    """The live generation's manifest, or None (logged) when it or the generation's vectors cannot be read:
    the next run then re-indexes everything, which is what the readers' "rebuild it" asks for (an update
    over a damaged generation would start from what it cannot read)."""
    try:
        manifest = store.read_manifest(index_dir, live)
        if not (store.gen_dir(index_dir, live) / store.VECTORS).is_file():
            raise FileNotFoundError(f"no {store.VECTORS}")
    except (OSError, ValueError) as exc:
        log.warning("the live index generation %d cannot be read (%s): re-indexing everything", live, exc)
        return None
    return manifest if isinstance(manifest, dict) else None


def _fingerprint(plan: _Plan, embedder: Embedder) -> str:
    """What a run writes: its generation over which live one, the releases it (re)indexes and retires,
    the model, the chunker, the word splitter and the vector rule. Two runs with one fingerprint write
    the same rows."""
    what = {
        "live": plan.live,
        "generation": plan.generation,
        "full": plan.full,
        "dense": plan.dense,
        "model": embedder.model_id,
        "chunker": CHUNKER_VERSION,
        "lexicon": lexical.lexicon_version(),
        "index": [(r.url, r.hash) for r in plan.to_index],
        "retire": sorted(plan.retire),
    }
    return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()


def _index_locked(
    conn: sqlite3.Connection,
    settings: Settings,
    releases: Sequence[Release],
    mode: str,
    report: BuildReport,
    progress: bool,
    started: float,
    bulk: bool = False,
) -> BuildReport:
    index_dir = settings.index_dir
    embedder = Embedder(settings, bulk=bulk)
    cache = EmbeddingCache(conn, embedder.cache_key)
    plan = _plan(conn, settings, embedder, releases, mode, report)
    live, generation = plan.live, plan.generation

    if live is not None and not plan.full and not plan.to_index and not plan.retire:
        # Nothing changed: keep the live generation (readers need not reload), only repair the registry.
        _sync_registry(settings, list(plan.incoming.values()), [], mode)
        report.generation = live
        report.chunks, report.releases = rows.counts(conn, live)
        report.seconds = time.monotonic() - started
        return report

    with report.phase("chunk"):
        if plan.reuse:
            texts, new_ids, retired_ids = rows.written_passages(conn, generation, plan.dense)
        else:
            with conn:
                retired_ids = rows.retire(conn, plan.retire, generation)
            texts, new_ids = rows.insert_chunks(
                conn, embedder, plan.to_index, generation, progress, plan.dense
            )
            store.mark_chunked(conn, generation, plan.fingerprint)
    report.chunks_reused = plan.reuse
    _test_pause("chunked", len(new_ids))

    with report.phase("embed"):
        report.embedded = embed_missing(
            embedder, cache, texts, progress=progress, on_batch=lambda n: _test_pause("embedded", n)
        )
    new = NewGeneration(live, generation, plan.full, retired_ids, new_ids, plan.dense)
    n_chunks, n_releases = write_generation(conn, settings, embedder, cache, new, progress, report.phase)
    _test_pause("before_switch")
    store.sync_to_disk(settings.db_path, store.gen_dir(index_dir, generation))
    store.write_current(index_dir, generation)
    log.info("generation %d is live: %d releases, %d chunks", generation, n_releases, n_chunks)

    with report.phase("registry"):
        _sync_registry(settings, list(plan.incoming.values()), report.removed_urls, mode)
    store.collect_garbage(conn, index_dir, generation, live)

    report.generation = generation
    report.releases = n_releases
    report.chunks = n_chunks
    report.seconds = time.monotonic() - started
    return report
