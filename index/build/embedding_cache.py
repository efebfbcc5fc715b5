"""The embedding cache that makes builds resumable, and the build's embedding loop over it.

:class:`EmbeddingCache` keeps every vector computed, keyed by (model, SHA-1 of the embedded text), in the
SQLite database, committed batch by batch while a build runs. Why: a build killed at any point keeps what
it embedded, the next run embeds only what is missing (a resumable build), and an ``update`` over an
unchanged source embeds nothing. :func:`embed_missing` is that loop (kept apart from the engines of
:mod:`index.build.embedding`, which questions use too).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Callable, Sequence

import numpy as np

from index.build.embedding import Embedder, batch_size_for

CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedding_cache (
    model TEXT NOT NULL,
    sha TEXT NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, sha)
) WITHOUT ROWID;
"""


def text_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model key, text SHA-1) in ``embedding_cache``; float32 bytes, dimension from the blob."""

    def __init__(self, conn: sqlite3.Connection, key: str) -> None:
        self.conn = conn
        self.key = key
        conn.executescript(CACHE_SCHEMA)

    def missing(self, shas: Sequence[str]) -> set[str]:
        """Which of ``shas`` have no vector yet (queried in slices: SQLite limits bound parameters)."""
        want = set(shas)
        have: set[str] = set()
        items = list(want)
        for i in range(0, len(items), 900):
            part = items[i : i + 900]
            marks = ",".join("?" * len(part))
            have.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT sha FROM embedding_cache WHERE model = ? AND sha IN ({marks})", (self.key, *part)
                )
            )
        return want - have

    def dim(self) -> int:
        """The dimension of the cached vectors of this model (0 if none), read without loading the model."""
        row = self.conn.execute(
            "SELECT vec FROM embedding_cache WHERE model = ? LIMIT 1", (self.key,)
        ).fetchone()
        return len(row[0]) // 4 if row else 0

    def get(self, shas: Sequence[str], dim: int) -> np.ndarray:
        """Vectors for ``shas`` in order; raises KeyError if one is missing."""
        out = np.zeros((len(shas), dim), dtype=np.float32)
        index: dict[str, list[int]] = {}
        for i, sha in enumerate(shas):
            index.setdefault(sha, []).append(i)
        items = list(index)
        for i in range(0, len(items), 900):
            part = items[i : i + 900]
            marks = ",".join("?" * len(part))
            for sha, blob in self.conn.execute(
                f"SELECT sha, vec FROM embedding_cache WHERE model = ? AND sha IN ({marks})",
                (self.key, *part),
            ):
                vec = np.frombuffer(blob, dtype=np.float32)
                for row in index.pop(sha):
                    out[row] = vec
        if index:
            raise KeyError(f"{len(index)} vectors missing from the embedding cache")
        return out

    def put(self, shas: Sequence[str], vectors: np.ndarray) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO embedding_cache(model, sha, vec) VALUES (?, ?, ?)",
            [
                (self.key, sha, np.asarray(v, dtype=np.float32).tobytes())
                for sha, v in zip(shas, vectors, strict=True)
            ],
        )


#: Batches embedded per call and per commit to the cache. Why several: the int8 engine returns its memory
#: arena after each call, which cost ~7% of a build's CPU when done after every batch; a killed build
#: loses at most this many batches.
COMMIT_BATCHES = 8


def embed_missing(
    embedder: Embedder,
    cache: EmbeddingCache,
    texts: dict[str, str],
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Embed the texts (sha → text) that the cache lacks, committing after every batch; returns how many.

    Longest first, in batches of :func:`batch_size_for` the passages' device (``EMBEDDING_BATCH_SIZE``):
    texts of similar length share a batch, which cuts padding; every :data:`COMMIT_BATCHES` batches are
    committed, which is what makes a killed build resumable. ``on_batch`` is called with the number
    embedded so far after each commit (progress and the crash-test hook).
    """
    todo = sorted(cache.missing(list(texts)), key=lambda s: (-len(texts[s]), s))
    if not todo:
        return 0
    from tqdm import tqdm

    batch = batch_size_for(embedder.settings, embedder.device) * COMMIT_BATCHES
    done = 0
    with tqdm(total=len(todo), desc="embedding", unit="chunk", disable=not progress, file=sys.stderr) as bar:
        for start in range(0, len(todo), batch):
            shas = todo[start : start + batch]
            vectors = embedder.encode_passages([texts[s] for s in shas])
            with cache.conn:
                cache.put(shas, vectors)
            done += len(shas)
            bar.update(len(shas))
            if on_batch is not None:
                on_batch(done)
    return done
