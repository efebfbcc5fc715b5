"""One BM25 postings array on disk (``bm25-rows.npy``, ``bm25-freqs.npy``), read by slices with ``os.preadv``.

Why not the memory map the arrays are loaded as: every page a search touches through a map stays in the
process's resident memory (after the 131 development questions the maps held 123 MB of the bot's RSS). Read
this way, the pages live in the OS's file cache (reclaimable, shared) and the process holds only what the
question reads; common words' postings are large (``และ``: 231k chunks).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np


class PostingsFile:
    """An ``.npy`` file of one dtype read by slices with ``os.preadv`` (see :meth:`Postings._slice_into`)."""

    def __init__(self, path: Path, mapped: np.memmap) -> None:
        self.dtype = mapped.dtype
        self.offset = int(mapped.offset)  # where the data starts, after the .npy header
        self.fd = os.open(path, os.O_RDONLY)

    def read_into(self, lo: int, out: np.ndarray) -> None:
        """Items ``lo`` to ``lo + len(out)`` read straight into ``out`` (contiguous, of this file's dtype)."""
        if out.dtype != self.dtype:
            raise TypeError(f"postings of {self.dtype} cannot be read into an array of {out.dtype}")
        want = out.nbytes
        got = os.preadv(self.fd, [memoryview(out).cast("B")], self.offset + lo * self.dtype.itemsize)
        if got != want:
            raise OSError(f"short read of BM25 postings ({got} of {want} bytes): rebuild the index")

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)
