"""What a release's rows hold, worked out apart from writing them: its chunks, what each embeds, the FTS5
tokens and the cabinet agenda, in worker processes while the build writes the rows of the releases before.

Why: chunking the whole archive took ~12 min of a ~2 h build with one of the two cores idle (the main process
was busy 1.2 cores: counting tokens and splitting Thai words, then SQLite). The work of one release does not
depend on any other, so :func:`prepared` hands releases to worker processes in order and the build writes
their results in that same order: the chunk ids, rows and vectors are those of a run without workers (tested).
Workers are started (``spawn``: the caller may hold model threads, which ``fork`` would copy half-made) only
for :data:`PARALLEL_FROM` releases or more, where their start-up (~3 s each) is small against the work.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from corpus.agenda import Agenda, parse_agenda
from corpus.release import Release
from index.build.chunking import Chunk, TokenCounter, chunk_release, passage_text, token_counter
from index.build.embedding import load_tokenizer
from index.build.embedding_cache import text_sha
from index.build.fts import fts_text

log = logging.getLogger(__name__)

#: Releases from which a build prepares them in worker processes (fewer: in the build's own process).
PARALLEL_FROM = 2_000
#: Releases a worker prepares per task, and tasks in flight per worker: enough to keep the workers busy
#: while the build writes, few enough that prepared rows do not pile up in memory (~1 MB a task).
TASK_RELEASES = 16
TASKS_AHEAD = 8


@dataclass(frozen=True)
class PreparedChunk:
    """One chunk, what its vector embeds (``passage``) and its SHA-1 (the embedding cache's key), and its
    body's FTS5 tokens."""

    chunk: Chunk
    passage: str
    sha: str
    fts_body: str


@dataclass(frozen=True)
class Prepared:
    """A release's rows before they get chunk ids: its chunks in order, its title's FTS5 tokens and its
    cabinet agenda (None for a release without one)."""

    chunks: tuple[PreparedChunk, ...]
    fts_title: str
    agenda: Agenda | None


def prepare(release: Release, count: TokenCounter) -> Prepared:
    """Everything the rows of ``release`` hold but their ids (pure: the same release gives the same rows)."""
    chunks = []
    for chunk in chunk_release(release, count):
        passage = passage_text(release.title, release.date, chunk.text)
        chunks.append(PreparedChunk(chunk, passage, text_sha(passage), fts_text(chunk.text)))
    return Prepared(tuple(chunks), fts_text(release.title), parse_agenda(release))


def workers_for(n_releases: int) -> int:
    """Worker processes for a build of ``n_releases`` (0: prepare them in the build's own process)."""
    if n_releases < PARALLEL_FROM:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores > 1 else 0


def prepared(
    releases: Sequence[Release], tokenizer: object, model: str, workers: int | None = None
) -> Iterator[Prepared]:
    """Each release prepared, in order: in ``workers`` processes (by default :func:`workers_for` the
    releases; each loads ``model``'s tokenizer), or here with ``tokenizer`` when there are none."""
    workers = workers_for(len(releases)) if workers is None else workers
    if not workers:
        count = token_counter(tokenizer)
        for release in releases:
            yield prepare(release, count)
        return
    log.info("preparing %d releases in %d worker processes", len(releases), workers)
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(model,)
    ) as pool:
        tasks = (releases[i : i + TASK_RELEASES] for i in range(0, len(releases), TASK_RELEASES))
        ahead: deque[Future[list[Prepared]]] = deque()
        for task in tasks:
            ahead.append(pool.submit(_prepare_task, list(task)))
            if len(ahead) >= workers * TASKS_AHEAD:
                yield from ahead.popleft().result()
        while ahead:
            yield from ahead.popleft().result()


_WORKER_COUNT: TokenCounter | None = None


def _start_worker(model: str) -> None:
    """A worker's token counter over ``model``'s tokenizer, made once. Its Rust threads are turned off: the
    workers are the parallelism, and each tokenizer's own pool would oversubscribe the cores."""
    global _WORKER_COUNT
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ["RAYON_NUM_THREADS"] = "1"
    _WORKER_COUNT = token_counter(load_tokenizer(model))


def _prepare_task(releases: list[Release]) -> list[Prepared]:
    assert _WORKER_COUNT is not None, "the worker was started without its tokenizer"
    return [prepare(release, _WORKER_COUNT) for release in releases]
