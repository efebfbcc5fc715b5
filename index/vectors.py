"""Dense vectors in FAISS: exact inner-product search with the chunk ids as FAISS ids.

Why ``IndexIDMap2`` over ``IndexFlatIP`` and not HNSW or IVF:
- Incremental updates replace or remove one release's chunks. Flat (behind an id map) removes ids
  exactly; HNSW cannot remove at all (it would need tombstones and periodic rebuilds), and IVF needs
  training data and re-training as the corpus drifts.
- The full archive is ~150k-250k chunks: 250k × 384 float32 = 384 MB, and an exact search over it is a
  single matrix-vector product (~25 ms on one core) inside the 40 ms ``ask`` budget, with no recall loss.
  The development corpus (~10k chunks) searches in well under a millisecond.
- ``IndexIDMap2`` (not ``IndexIDMap``) keeps a reverse map so ``reconstruct(id)`` works, which lets an
  incremental update copy the previous generation's vectors without re-embedding.
Vectors are unit length, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

# faiss logs every failed attempt to load its AVX2/AVX512 builds at INFO: noise on every command's stderr.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402


class VectorIndex:
    """A FAISS ``IndexIDMap2(IndexFlatIP)`` with the few operations the index needs."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def new(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        self.index.add_with_ids(
            np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64)
        )

    def remove(self, ids: np.ndarray) -> int:
        """Remove ``ids`` (absent ones are ignored); returns how many were removed."""
        if len(ids) == 0:
            return 0
        return int(self.index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))

    def ids(self) -> np.ndarray:
        """All ids held, in storage order."""
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest, each ``(n, k)``; ids are -1 where fewer than ``k`` exist."""
        query = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        k = max(1, min(k, max(self.ntotal, 1)))
        return self.index.search(query, k)

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, fsync, then rename, so a crash never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
