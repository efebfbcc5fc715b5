"""The files of a new generation: its FAISS vectors, its BM25 arrays and its manifest.

Why apart from the pipeline: after the rows are written and the passages embedded, a run assembles the
generation's files from them, either incrementally from the live generation's (remove retired chunks,
add new ones) or anew from every live chunk (a full build, or a live generation without them). Each file
is checked against the chunk rows before the manifest is written; the pointer switch stays the
pipeline's last step.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import lexical
from index.build import rows, store
from index.build.chunking import CHUNKER_VERSION
from index.build.embedding import Embedder
from index.build.embedding_cache import EmbeddingCache
from index.build.postings import Postings, compile_generation, token_rows
from index.build.vectors import VectorIndex
from thaigov_qa.schema import INDEX_SCHEMA
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class NewGeneration:
    """What a run changed: the generation it writes beside ``live``, and the chunks retired and added."""

    live: int | None
    number: int
    full: bool
    retired_ids: Sequence[int]
    new_ids: Sequence[tuple[int, str]]  # the new chunks that get a vector
    dense: int = 0  # each release's first N chunks get a vector (0 = all): ``DENSE_PASSAGES``


def write_generation(
    conn: sqlite3.Connection,
    settings: Settings,
    embedder: Embedder,
    cache: EmbeddingCache,
    gen: NewGeneration,
    progress: bool,
    phase: Callable[[str], AbstractContextManager[None]] = lambda _name: nullcontext(),
) -> tuple[int, int]:
    """Write the vectors, BM25 arrays and manifest of ``gen``; returns its (chunks, releases). ``phase``
    times the vector and BM25 parts (:meth:`index.build.report.BuildReport.phase`)."""
    index_dir = settings.index_dir
    with phase("vectors"):
        vectors = _vectors(conn, settings, embedder, cache, gen)
    n_chunks, n_releases = rows.counts(conn, gen.number)
    n_dense = rows.count_dense(conn, gen.number, gen.dense)
    if vectors.ntotal != n_dense:
        raise RuntimeError(
            f"index inconsistent: {vectors.ntotal} vectors for {n_dense} chunks; run index build"
        )
    folder = store.gen_dir(index_dir, gen.number)
    folder.mkdir(parents=True, exist_ok=True)
    vectors.save(folder / store.VECTORS)
    with phase("bm25"):
        postings = generation_postings(conn, index_dir, gen, progress)
    if postings.n_chunks != n_chunks:
        raise RuntimeError(
            f"index inconsistent: BM25 arrays hold {postings.n_chunks} chunks, not {n_chunks};"
            " run index build"
        )
    postings.save(folder)
    hashes = rows.visible_releases(conn, gen.number)
    store.write_manifest(
        index_dir,
        gen.number,
        {
            "generation": gen.number,
            "schema": INDEX_SCHEMA,
            "model": embedder.model_id,
            "backend": embedder.backend,
            "dim": vectors.dim,
            "vector_index": vectors.kind,
            "chunks": n_chunks,
            "releases": n_releases,
            "chunker": CHUNKER_VERSION,
            "dense_passages": gen.dense,
            "lexicon": lexical.lexicon_version(),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "corpus_hash": rows.corpus_hash(hashes),
            "newest_date": rows.newest(conn, gen.number),
        },
    )
    return n_chunks, n_releases


def _vectors(
    conn: sqlite3.Connection,
    settings: Settings,
    embedder: Embedder,
    cache: EmbeddingCache,
    gen: NewGeneration,
) -> VectorIndex:
    """FAISS for the new generation: anew from the cache, or the live one with this run's changes."""
    if gen.full or gen.live is None:
        chunk_rows = rows.dense_chunks(conn, gen.number, gen.dense)
        dim = cache.dim() or embedder.dim
        return build_from_cache(cache, chunk_rows, dim, settings.vector_index)
    vectors = VectorIndex.load(store.gen_dir(settings.index_dir, gen.live) / store.VECTORS)
    vectors.remove(np.asarray(gen.retired_ids, dtype=np.int64))
    add_from_cache(vectors, cache, gen.new_ids, vectors.dim)
    return vectors


def generation_postings(
    conn: sqlite3.Connection, index_dir: Path, gen: NewGeneration, progress: bool
) -> Postings:
    """The new generation's BM25 arrays (:mod:`index.build.postings`): the live ones with this run's
    retired chunks taken out and new ones put in (about a second at full size), or compiled from every
    visible chunk's stored tokens on a full build or when the live generation has none (built before the
    arrays)."""
    old = None
    if not gen.full and gen.live is not None:
        try:
            old = Postings.load(store.gen_dir(index_dir, gen.live))
        except (OSError, ValueError) as exc:
            log.warning("the live generation's BM25 arrays cannot be read (%s): compiling them anew", exc)
    if old is None:
        return compile_generation(conn, gen.number, progress=progress)
    # Every added chunk, not only those with a vector (``gen.new_ids``): BM25 holds a release's every chunk.
    return old.updated(gen.retired_ids, token_rows(conn, rows.added_chunk_ids(conn, gen.number)))


def build_from_cache(
    cache: EmbeddingCache, chunk_rows: Sequence[tuple[int, str]], dim: int, kind: str
) -> VectorIndex:
    """A new index over all (chunk_id, sha) rows' cached vectors; IVF trains on them, so all at once."""
    if kind == "flat" or not chunk_rows:
        vectors = VectorIndex.new(dim)
        add_from_cache(vectors, cache, chunk_rows, dim)
        return vectors
    ids = np.asarray([r[0] for r in chunk_rows], dtype=np.int64)
    matrix = np.empty((len(chunk_rows), dim), dtype=np.float32)
    for i in range(0, len(chunk_rows), 20_000):
        matrix[i : i + 20_000] = cache.get([r[1] for r in chunk_rows[i : i + 20_000]], dim)
    return VectorIndex.build(ids, matrix, kind)


def add_from_cache(
    vectors: VectorIndex, cache: EmbeddingCache, chunk_rows: Sequence[tuple[int, str]], dim: int
) -> None:
    """Add (chunk_id, sha) rows' cached vectors to ``vectors``, in slices to bound memory."""
    for i in range(0, len(chunk_rows), 20_000):
        part = chunk_rows[i : i + 20_000]
        ids = np.asarray([r[0] for r in part], dtype=np.int64)
        vectors.add(ids, cache.get([r[1] for r in part], dim))
