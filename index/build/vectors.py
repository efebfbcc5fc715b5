"""Dense vectors in FAISS, with the chunk ids as FAISS ids: exact (flat) or IVF (``VECTOR_INDEX``).

Why these kinds and not HNSW:
- Incremental updates replace or remove one release's chunks. Flat (behind ``IndexIDMap2``) and IVF
  (with a hashtable direct map, see :mod:`index.build.ann`) both remove ids exactly; HNSW cannot remove at
  all.
- Exact search over the full archive (250k x 384) costs ~95-138 ms per query on the shared 2-core machine
  (``bench/query_latency.py``), most of the ``ask`` budget; ``ivf`` (IVF, nprobe 256 of 2,048 lists)
  answers in ~1.5 ms and finds 0.98 of a real question's exact 100 neighbours (``bench/ivf_recall.py``).
  ``ivf-sq8`` also cuts the vectors' memory by 4 for recall ~0.985. IVF's coarse quantiser is trained
  at every full build; incremental updates reuse it (the next full build retrains).
- Small indexes (the development corpus, tests) stay exact whatever the setting: :func:`index.build.ann.build`
  only trains IVF with enough vectors per list.
- ``reconstruct(id)`` works for every kind, which lets tools copy vectors without re-embedding.
Vectors are unit length, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

# faiss logs every failed attempt to load its AVX2/AVX512 builds at INFO: noise on every command's stderr.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from index.build import ann  # noqa: E402

#: The kinds ``VECTOR_INDEX`` accepts.
KINDS = ("flat", "ivf", "ivf-sq8")


#: OpenMP threads a search uses, once :func:`set_search_threads` chose them (None: FAISS's default).
_search_threads: int | None = None


def set_search_threads(n: int) -> None:
    """FAISS's OpenMP threads for searches (readers use 1: see
    :meth:`index.search.reader.IndexReader.open`).

    Why every search sets them again: OpenMP keeps the thread count per calling thread, so the count set
    where the reader was opened did not reach the threads that search (the bot's answer workers, the
    search's embedding workers): they ran FAISS on 2 OpenMP threads each, which on 2 cores only adds
    contention (dense p95 2.0 → 3.2-4.1 ms over the whole archive, exact search 5x slower)."""
    global _search_threads
    _search_threads = n
    faiss.omp_set_num_threads(n)


class VectorIndex:
    """A FAISS index (``IndexIDMap2(IndexFlatIP)`` or IVF) with the few operations the index needs."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def new(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, kind: str) -> VectorIndex:
        """All vectors at once (a full build): IVF needs them to train its lists; small sets stay flat."""
        if kind not in KINDS:
            raise ValueError(f"unknown vector index kind {kind!r}: use one of {', '.join(KINDS)}")
        return cls(ann.build(ids, vectors, kind))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read a saved index; IVF search parameters (``nprobe``) are not saved, so they are set here."""
        return cls(ann.tune(faiss.read_index(str(path))))

    @property
    def kind(self) -> str:
        """What was actually built: ``flat``, ``ivf`` or ``ivf-sq8`` (small indexes are flat)."""
        ivf = faiss.try_extract_index_ivf(self.index)
        if ivf is None:
            return "flat"
        return "ivf-sq8" if isinstance(faiss.downcast_index(ivf), faiss.IndexIVFScalarQuantizer) else "ivf"

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
        """All ids held (storage order for flat, list order for IVF)."""
        return ann.all_ids(self.index)

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (one row each; IVF-SQ8's are the decoded approximations).

        Raises ``KeyError`` naming an id the index does not hold."""
        held = self.held(ids)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        for row, i in enumerate(ids):
            if int(i) not in held:
                raise KeyError(int(i))
            out[row] = held[int(i)]
        return out

    def held(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those ``ids`` the index holds, by id; the others are left out (a passage
        past its release's ``DENSE_PASSAGES``, or one gone from the live index)."""
        out: dict[int, np.ndarray] = {}
        for i in ids:
            try:
                out[int(i)] = self.index.reconstruct(int(i))
            except RuntimeError:  # FAISS: "key not found"
                continue
        return out

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest, each ``(n, k)``; ids are -1 where fewer than ``k`` exist."""
        query = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        k = max(1, min(k, max(self.ntotal, 1)))
        if _search_threads is not None:
            faiss.omp_set_num_threads(_search_threads)  # this thread's count (see set_search_threads)
        return self.index.search(query, k)

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, fsync, then rename, so a crash never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
