"""Which release each chunk belongs to, held in memory for a generation that serves many questions.

Why: fusion ranks releases, so every question asks the release of each chunk its candidate lists hold
(~260 over the whole archive); one SQLite query for them took 1-2.5 ms a question there (stop 50: 1.0 ms
replayed with a warm page cache, 2.5 ms in the first pass), two sorted arrays 0.1 ms. Read when a process
warms up (the bot at start: ~0.2 s and ~7 MB for the whole archive's 249k chunks), never by a one-shot
command, which asks SQLite as before.
"""

from __future__ import annotations

import logging
import sqlite3
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.build import store

log = logging.getLogger(__name__)


class ChunkUrls:
    """Chunk id → release URL for every chunk row at the time it was read (the live generation's among
    them; a later generation's are read again when it goes live)."""

    def __init__(self, ids: np.ndarray, url_index: np.ndarray, urls: list[str]) -> None:
        self._ids = ids  # sorted chunk ids
        self._url_index = url_index  # each id's position in ``urls``
        self._urls = urls

    @classmethod
    def read(cls, db_path: Path) -> ChunkUrls | None:
        """Every chunk's release, read on a connection of its own (the reader's serves questions meanwhile)
        into typed arrays (8 + 4 bytes a chunk, not a Python list of rows), then sorted by chunk id (asking
        SQLite for that order reads the whole table, texts and all: 2.4 s against 0.3 s from the url index
        at full size); None, logged, when the database cannot be read: the reader then asks SQLite per
        question, as before."""
        urls: list[str] = []
        position: dict[str, int] = {}
        ids, index = array("q"), array("i")
        try:
            conn = store.connect(db_path, readonly=True)
            try:
                for chunk_id, url in conn.execute("SELECT chunk_id, url FROM chunks"):
                    at = position.get(url)
                    if at is None:
                        at = position[url] = len(urls)
                        urls.append(url)
                    ids.append(chunk_id)
                    index.append(at)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.warning("chunks' releases not held in memory (%s): read from the database per question", exc)
            return None
        chunk_ids = np.frombuffer(ids, dtype=np.int64)
        order = np.argsort(chunk_ids, kind="stable")
        return cls(chunk_ids[order], np.frombuffer(index, dtype=np.int32)[order], urls)

    def __len__(self) -> int:
        return len(self._ids)

    def of(self, ids: Sequence[int]) -> dict[int, str]:
        """The release URL of each of ``ids`` that is a chunk (unknown ids are left out), as the SQL did."""
        if not len(ids) or not len(self._ids):
            return {}
        wanted = np.asarray(ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids, wanted), len(self._ids) - 1)
        found = np.flatnonzero(self._ids[at] == wanted)
        urls = [self._urls[i] for i in self._url_index[at[found]].tolist()]
        return dict(zip(wanted[found].tolist(), urls, strict=True))
