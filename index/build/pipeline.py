"""Building and updating the index: chunk → embed (cached) → FAISS generation + FTS5 → switch the pointer.

The writer API (see ``docs/ARCHITECTURE.md``):
- :func:`build_index`: index exactly the releases of a source, re-chunking all of them (the embedding
  cache makes unchanged passages free); releases missing from the source leave the index.
- :func:`update_index`: incremental; only new or changed releases (content hash) are chunked and
  embedded, releases missing from the source leave the index. A rerun over an unchanged source embeds 0.
- :func:`apply_releases`: add or replace the given releases (feeds, watched folders), remove nothing.

Every run holds the writers' lock (:mod:`index.build.lock`), writes generation ``L+1`` beside the live
``L`` and switches ``index/CURRENT`` as its last step (:mod:`index.build.store` explains why that is
crash-safe). Vectors
are committed to the embedding cache batch by batch, so a killed run is resumed by simply running it
again: only what the killed run had not embedded is embedded (``BuildReport.embedded``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from corpus.release import Release
from index import lexical
from index.build import fts, store
from index.build.chunking import CHUNKER_VERSION, chunk_release, passage_text, token_counter
from index.build.embedding import Embedder, EmbeddingCache, embed_missing, text_sha
from index.build.lock import IndexLocked, writer_lock
from index.build.postings import Postings, compile_generation, token_rows
from index.build.vectors import VectorIndex
from thaigov_qa.schema import INDEX_SCHEMA
from thaigov_qa.settings import Settings

__all__ = ["BuildReport", "IndexLocked", "apply_releases", "build_index", "update_index", "index_releases"]

log = logging.getLogger(__name__)

#: Test-only: ``stage`` or ``stage:N`` at which a build stops and waits to be killed (crash-safety tests).
TEST_HOOK_ENV = "THAIGOV_QA_TEST_PAUSE_AT"
#: Test-only: file the build touches when it reaches the pause, so the test knows when to kill it.
TEST_HOOK_FILE_ENV = "THAIGOV_QA_TEST_PAUSE_FILE"
#: Test-only: when set, the build kills itself with SIGKILL at the pause instead of waiting.
TEST_KILL_ENV = "THAIGOV_QA_TEST_KILL"
#: Chunk rows are committed every this many releases (bounds the transaction, not the crash safety).
_COMMIT_RELEASES = 200


@dataclass
class BuildReport:
    """What a build or update did. ``embedded`` counts chunks embedded by this run (not cached ones)."""

    releases: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped: int = 0
    seconds: float = 0.0
    generation: int = 0
    new_urls: list[str] = field(default_factory=list)
    changed_urls: list[str] = field(default_factory=list)
    removed_urls: list[str] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The ``--json`` object: counts only (URL lists can be long)."""
        return {
            "releases": self.releases,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 2),
            "generation": self.generation,
            "new": len(self.new_urls),
            "changed": len(self.changed_urls),
            "removed": len(self.removed_urls),
        }

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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


# --- public API ----------------------------------------------------------------------------------
def _read_source(source: str | os.PathLike[str], only: object, report: BuildReport) -> list[Release]:
    from corpus.sources import read_releases

    def skipped(item: object) -> None:
        path, reason = str(getattr(item, "path", "?")), str(getattr(item, "reason", "?"))
        detail = str(getattr(item, "detail", "") or "")
        report.skipped_files.append((path, f"{reason}: {detail}" if detail else reason))

    return read_releases(source, only=only, on_skip=skipped)  # type: ignore[arg-type]


def build_index(
    settings: Settings, source: str | os.PathLike[str], only: object = None, progress: bool = True
) -> BuildReport:
    """Index exactly the releases of ``source`` (``only``: list file or paths inside it), re-chunking all."""
    started = time.monotonic()
    report = BuildReport()
    releases = _read_source(source, only, report)
    return index_releases(settings, releases, mode="build", report=report, progress=progress, started=started)


def update_index(
    settings: Settings,
    source: str | os.PathLike[str] | Sequence[str] | None = None,
    progress: bool = True,
    only: object = None,
) -> BuildReport:
    """Bring the index in line with ``source`` (default: ``settings.corpus_sources``), embedding only changes.

    Several sources are read in turn and deduplicated by URL (the later crawl wins).
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
    for one in sources:
        releases.extend(_read_source(one, only, report))
    if len(sources) > 1:
        from corpus.sources import dedupe

        releases = dedupe(releases)
    return index_releases(
        settings, releases, mode="update", report=report, progress=progress, started=started
    )


def apply_releases(
    settings: Settings, releases: Iterable[Release], remove_missing: bool = False
) -> BuildReport:
    """Add or replace ``releases`` (feeds, watched folders); with ``remove_missing`` drop all others."""
    return index_releases(
        settings, list(releases), mode="update" if remove_missing else "apply", progress=False
    )


# --- the work ------------------------------------------------------------------------------------
def _corpus_hash(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for url in sorted(hashes):
        digest.update(f"{url}\t{hashes[url]}\n".encode())
    return digest.hexdigest()[:32]


def _visible_releases(conn: sqlite3.Connection, generation: int) -> dict[str, str]:
    rows = conn.execute(
        f"SELECT url, hash FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    )
    return dict(rows.fetchall())


def _retire(conn: sqlite3.Connection, urls: Sequence[str], generation: int) -> list[int]:
    """Mark the live rows of ``urls`` as ending at ``generation``; returns the retired chunk ids."""
    ids: list[int] = []
    for i in range(0, len(urls), 500):
        part = list(urls[i : i + 500])
        marks = ",".join("?" * len(part))
        ids.extend(
            r[0]
            for r in conn.execute(
                f"SELECT chunk_id FROM chunks WHERE gen_to IS NULL AND url IN ({marks})", part
            )
        )
        conn.execute(
            f"UPDATE chunks SET gen_to = ? WHERE gen_to IS NULL AND url IN ({marks})", (generation, *part)
        )
        conn.execute(
            f"UPDATE indexed_releases SET gen_to = ? WHERE gen_to IS NULL AND url IN ({marks})",
            (generation, *part),
        )
    return ids


def _insert_chunks(
    conn: sqlite3.Connection,
    embedder: Embedder,
    releases: Sequence[Release],
    generation: int,
    progress: bool,
) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Chunk ``releases`` and insert their rows (chunks, FTS, indexed_releases) as generation ``generation``.

    Returns the passages to embed (sha → text) and the new (chunk_id, sha) pairs.
    """
    from tqdm import tqdm

    count = token_counter(embedder.tokenizer)
    next_id = (conn.execute("SELECT MAX(chunk_id) FROM chunks").fetchone()[0] or 0) + 1
    texts: dict[str, str] = {}
    new_ids: list[tuple[int, str]] = []
    bar = tqdm(total=len(releases), desc="chunking", unit="release", disable=not progress, file=sys.stderr)
    try:
        for start in range(0, len(releases), _COMMIT_RELEASES):
            with conn:
                for release in releases[start : start + _COMMIT_RELEASES]:
                    chunks = chunk_release(release, count)
                    rows = []
                    fts_rows = []
                    for chunk in chunks:
                        passage = passage_text(release.title, release.date, chunk.text)
                        sha = text_sha(passage)
                        texts[sha] = passage
                        rows.append(
                            (
                                next_id,
                                release.url,
                                chunk.position,
                                chunk.text,
                                chunk.start,
                                chunk.end,
                                chunk.n_tokens,
                                sha,
                                generation,
                            )
                        )
                        fts_rows.append((next_id, release.title, chunk.text))
                        new_ids.append((next_id, sha))
                        next_id += 1
                    conn.executemany(
                        "INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char,"
                        " n_tokens, sha, gen_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                    fts.insert_rows(conn, fts_rows)
                    conn.execute(
                        "INSERT INTO indexed_releases(url, hash, release_id, title, date, category, lang,"
                        " n_chunks, gen_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            release.url,
                            release.hash,
                            release.release_id,
                            release.title,
                            release.date,
                            release.category,
                            release.lang,
                            len(chunks),
                            generation,
                        ),
                    )
                    bar.update(1)
                    bar.set_postfix(chunks=len(new_ids), refresh=False)
    finally:
        bar.close()
    return texts, new_ids


def _sync_registry(settings: Settings, releases: Sequence[Release], removed: Sequence[str]) -> None:
    """Mirror the live index's releases into the corpus registry (after the switch: it shows what is live).

    Compares hashes rather than trusting this run's diff, so a run killed between the switch and this
    step (or a registry written by an older version) is repaired by the next run.
    """
    try:
        from corpus.registry import Registry
    except ImportError:  # pragma: no cover - the corpus part may not have it yet
        log.warning("corpus.registry is not available: releases table not updated")
        return
    registry = Registry(settings.db_path)
    try:
        known = registry.hashes()
        batch = getattr(registry, "batch", None)
        with batch() if callable(batch) else contextlib.nullcontext():
            for release in releases:
                if known.get(release.url) != release.hash:
                    registry.upsert(release)
            for url in removed:
                if url in known:
                    registry.remove(url)
    finally:
        close = getattr(registry, "close", None)
        if callable(close):
            close()


def index_releases(
    settings: Settings,
    releases: Sequence[Release],
    mode: str = "update",
    report: BuildReport | None = None,
    progress: bool = True,
    started: float | None = None,
) -> BuildReport:
    """Write a new generation holding ``releases`` (``mode``: build | update | apply); see the module doc."""
    started = time.monotonic() if started is None else started
    report = report or BuildReport()
    report.skipped = len(report.skipped_files)
    index_dir = settings.index_dir
    with writer_lock(index_dir):
        conn = store.connect(settings.db_path)
        try:
            store.create_schema(conn)
            return _index_locked(conn, settings, releases, mode, report, progress, started)
        finally:
            conn.close()


def _index_locked(
    conn: sqlite3.Connection,
    settings: Settings,
    releases: Sequence[Release],
    mode: str,
    report: BuildReport,
    progress: bool,
    started: float,
) -> BuildReport:
    index_dir = settings.index_dir
    live = store.read_current(index_dir)
    base = live or 0
    dropped = store.recover(conn, index_dir, base)
    if dropped:
        log.info("removed %d chunk rows left by an interrupted build", dropped)
    generation = base + 1
    embedder = Embedder(settings)
    cache = EmbeddingCache(conn, embedder.cache_key)

    manifest: dict[str, object] = store.read_manifest(index_dir, live) if live else {}
    full = (
        mode == "build"
        or live is None
        or manifest.get("model") != embedder.model_id
        or manifest.get("chunker") != CHUNKER_VERSION
        or manifest.get("lexicon", lexical.lexicon_version()) != lexical.lexicon_version()
    )
    if mode == "apply" and live is not None and full:
        raise RuntimeError(
            f"the index was built with {manifest.get('model')} ({manifest.get('chunker')}), not "
            f"{embedder.model_id} ({CHUNKER_VERSION}): rebuild it with `thaigov-qa index build SOURCE`"
        )
    if mode != "build" and live is not None and full:
        log.info("the live index was built with another model or chunker: re-indexing everything")

    visible = _visible_releases(conn, base)
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

    if live is not None and not full and not to_index and not retire:
        # Nothing changed: keep the live generation (readers need not reload), only repair the registry.
        _sync_registry(settings, list(incoming.values()), [])
        report.generation = live
        report.chunks, report.releases = _counts(conn, live)
        report.seconds = time.monotonic() - started
        return report

    with conn:
        retired_ids = _retire(conn, retire, generation)
    texts, new_ids = _insert_chunks(conn, embedder, to_index, generation, progress)
    _test_pause("chunked", len(new_ids))

    report.embedded = embed_missing(
        embedder, cache, texts, progress=progress, on_batch=lambda n: _test_pause("embedded", n)
    )

    # FAISS for the new generation.
    if full or live is None:
        rows = conn.execute(
            f"SELECT chunk_id, sha FROM chunks AS c WHERE {store.visible('c')} ORDER BY chunk_id",
            (generation, generation),
        ).fetchall()
        dim = cache.dim() or embedder.dim
        vectors = _build_from_cache(cache, rows, dim, settings.vector_index)
    else:
        vectors = VectorIndex.load(store.gen_dir(index_dir, live) / store.VECTORS)
        vectors.remove(np.asarray(retired_ids, dtype=np.int64))
        _add_from_cache(vectors, cache, new_ids, vectors.dim)

    n_chunks, n_releases = _counts(conn, generation)
    if vectors.ntotal != n_chunks:
        raise RuntimeError(
            f"index inconsistent: {vectors.ntotal} vectors for {n_chunks} chunks; run index build"
        )
    folder = store.gen_dir(index_dir, generation)
    folder.mkdir(parents=True, exist_ok=True)
    vectors.save(folder / store.VECTORS)
    postings = _postings(conn, index_dir, live, generation, full, retired_ids, new_ids, progress)
    if postings.n_chunks != n_chunks:
        raise RuntimeError(
            f"index inconsistent: BM25 arrays hold {postings.n_chunks} chunks, not {n_chunks};"
            " run index build"
        )
    postings.save(folder)
    hashes = _visible_releases(conn, generation)
    store.write_manifest(
        index_dir,
        generation,
        {
            "generation": generation,
            "schema": INDEX_SCHEMA,
            "model": embedder.model_id,
            "backend": embedder.backend,
            "dim": vectors.dim,
            "vector_index": vectors.kind,
            "chunks": n_chunks,
            "releases": n_releases,
            "chunker": CHUNKER_VERSION,
            "lexicon": lexical.lexicon_version(),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "corpus_hash": _corpus_hash(hashes),
            "newest_date": _newest(conn, generation),
        },
    )
    _test_pause("before_switch")
    store.write_current(index_dir, generation)
    log.info("generation %d is live: %d releases, %d chunks", generation, n_releases, n_chunks)

    _sync_registry(settings, list(incoming.values()), report.removed_urls)
    store.collect_garbage(conn, index_dir, generation, live)

    report.generation = generation
    report.releases = n_releases
    report.chunks = n_chunks
    report.seconds = time.monotonic() - started
    return report


def _postings(
    conn: sqlite3.Connection,
    index_dir: Path,
    live: int | None,
    generation: int,
    full: bool,
    retired_ids: Sequence[int],
    new_ids: Sequence[tuple[int, str]],
    progress: bool,
) -> Postings:
    """The new generation's BM25 arrays (:mod:`index.build.postings`): the live ones with this run's retired
    chunks taken out and new ones put in (about a second at full size), or compiled from every visible
    chunk's stored tokens on a full build or when the live generation has none (built before the arrays)."""
    old = None
    if not full and live is not None:
        try:
            old = Postings.load(store.gen_dir(index_dir, live))
        except (OSError, ValueError) as exc:
            log.warning("the live generation's BM25 arrays cannot be read (%s): compiling them anew", exc)
    if old is None:
        return compile_generation(conn, generation, progress=progress)
    return old.updated(retired_ids, token_rows(conn, [cid for cid, _ in new_ids]))


def _build_from_cache(
    cache: EmbeddingCache, rows: Sequence[tuple[int, str]], dim: int, kind: str
) -> VectorIndex:
    """A new index over all (chunk_id, sha) rows' cached vectors; IVF trains on them, so all at once."""
    if kind == "flat" or not rows:
        vectors = VectorIndex.new(dim)
        _add_from_cache(vectors, cache, rows, dim)
        return vectors
    ids = np.asarray([r[0] for r in rows], dtype=np.int64)
    matrix = np.empty((len(rows), dim), dtype=np.float32)
    for i in range(0, len(rows), 20_000):
        matrix[i : i + 20_000] = cache.get([r[1] for r in rows[i : i + 20_000]], dim)
    return VectorIndex.build(ids, matrix, kind)


def _add_from_cache(
    vectors: VectorIndex, cache: EmbeddingCache, rows: Sequence[tuple[int, str]], dim: int
) -> None:
    """Add (chunk_id, sha) rows' cached vectors to ``vectors``, in slices to bound memory."""
    for i in range(0, len(rows), 20_000):
        part = rows[i : i + 20_000]
        ids = np.asarray([r[0] for r in part], dtype=np.int64)
        vectors.add(ids, cache.get([r[1] for r in part], dim))


def _counts(conn: sqlite3.Connection, generation: int) -> tuple[int, int]:
    n_chunks = conn.execute(
        f"SELECT COUNT(*) FROM chunks AS c WHERE {store.visible('c')}", (generation, generation)
    ).fetchone()[0]
    n_releases = conn.execute(
        f"SELECT COUNT(*) FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    ).fetchone()[0]
    return int(n_chunks), int(n_releases)


def _newest(conn: sqlite3.Connection, generation: int) -> str:
    row = conn.execute(
        f"SELECT MAX(date) FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    ).fetchone()
    return str(row[0] or "")
