"""The low-level reader of the live index generation: BM25, dense search, chunk rows, releases, stats.

Why it is cheap to query: the FAISS index of the live generation is held in memory, one SQLite connection
(read-only) is kept open, and nothing is recomputed per query except the query itself. Readers never
block writers: a build writes a newer generation beside this one (see :mod:`index.build.store`), and
:meth:`IndexReader.reload_if_changed` (a tiny file read) switches to it when ``index/CURRENT`` moves.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.release import Release
from index import lexical
from index.build import agenda_rows, store
from index.build.agenda_rows import MeetingAgenda
from index.build.embedding import Embedder, model_id
from index.build.postings import Postings
from index.build.rows import has_vector
from index.build.vectors import VectorIndex, set_search_threads
from index.search import concepts
from index.search.abbreviations import Completer
from index.search.chunk_urls import ChunkUrls
from index.search.concepts import Alternative, Coverage
from index.search.query import day_of
from thaigov_qa.schema import SchemaError, check_generation
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)


class NoIndex(RuntimeError):
    """No build has finished yet in this DATA_DIR."""


class IndexCorrupt(NoIndex):
    """The live generation's files cannot be read (truncated, mismatched); the message says to rebuild.

    A :class:`NoIndex` for callers that only need "no usable index", but a command line says what is
    wrong rather than "no index yet"."""


class ModelMismatch(RuntimeError):
    """The live index was built with another embedding model than ``EMBEDDING_MODEL``."""


@dataclass(frozen=True)
class ChunkRow:
    """A passage as stored: ``text`` is an exact slice of the release body (``body[start:end]``)."""

    chunk_id: int
    url: str
    position: int
    text: str
    start: int = 0
    end: int = 0


class _Generation:
    """One opened generation: its number, manifest, vectors and BM25 arrays."""

    def __init__(self, index_dir: Path, generation: int) -> None:
        self.generation = generation
        self.manifest = store.read_manifest(index_dir, generation)
        folder = store.gen_dir(index_dir, generation)
        self.vectors = VectorIndex.load(folder / store.VECTORS)
        postings = Postings.load(folder)
        if postings is None:
            # Written by a version from before the compiled BM25 arrays (searched through FTS5 then).
            raise IndexCorrupt(
                f"the index generation {generation} was built by an older version (it has no BM25 arrays):"
                " rebuild it with `thaigov-qa index build SOURCE`"
            )
        self.postings = postings
        #: Chunk id → release URL in memory, once the process warms up (:meth:`IndexReader.warm_up`).
        self.chunk_urls: ChunkUrls | None = None

    @functools.cached_property
    def completer(self) -> Completer:
        """Completes Thai words cut short with ฯ from this generation's vocabulary (built on first use)."""
        return Completer(self.postings.terms, self.postings.doc_freq)


def _check_model(manifest: dict[str, object], settings: Settings) -> None:
    built_with = str(manifest.get("model", ""))
    wanted = model_id(settings.embedding_model)
    if built_with != wanted:
        raise ModelMismatch(
            f"the index was built with the embedding model {built_with!r}, "
            f"but EMBEDDING_MODEL is {wanted!r}: "
            "set EMBEDDING_MODEL back, or rebuild the index with `thaigov-qa index build SOURCE`"
        )


class IndexReader:
    """Read access to the live generation. Thread-safe: one lock around the SQLite connection."""

    def __init__(self, settings: Settings, generation: _Generation, conn: sqlite3.Connection) -> None:
        self.settings = settings
        self._gen = generation
        self._conn = conn
        self._lock = threading.RLock()
        self._embedder: Embedder | None = None

    # --- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings) -> IndexReader:
        """Open the live generation; :class:`NoIndex` or :class:`ModelMismatch` with a readable message.

        Sets FAISS to one OpenMP thread for this process: queries come one at a time, and on the shared
        2-core machine two threads made one exact search at 256k x 384 5x slower (p50 146 → 26 ms,
        see the report of issue 7); IVF searches are ~0.4 ms either way.
        """
        set_search_threads(1)
        generation = cls._open_generation(settings)
        conn = store.connect(settings.db_path, readonly=True)
        try:  # a damaged file is said here, once, not as a traceback at the first question
            conn.execute("SELECT 1 FROM chunks LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise IndexCorrupt(
                f"the database {settings.db_path} cannot be read ({exc}): restore a backup or rebuild it"
            ) from None
        lexical.warn_if_split_otherwise(generation.manifest.get("lexicon"), generation.generation)
        return cls(settings, generation, conn)

    @staticmethod
    def _open_generation(settings: Settings) -> _Generation:
        live = store.read_current(settings.index_dir)
        if live is None and (settings.index_dir / store.CURRENT).is_file():
            raise IndexCorrupt(
                f"{settings.index_dir / store.CURRENT} does not name a generation: rebuild the index,"
                " or write the number of a generation folder beside it into it"
            )
        if live is None or not settings.db_path.is_file():
            raise NoIndex(f"no index in {settings.data_dir}: build one with `thaigov-qa index build SOURCE`")
        try:
            generation = _Generation(settings.index_dir, live)
        except IndexCorrupt:
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"the index generation {live} cannot be read ({exc}): rebuild it") from exc
        try:
            check_generation(generation.manifest, str(live))
        except SchemaError as exc:
            raise IndexCorrupt(str(exc)) from None
        _check_model(generation.manifest, settings)
        return generation

    def reload_if_changed(self) -> bool:
        """Switch to a newer generation if ``index/CURRENT`` moved; True when it did."""
        live = store.read_current(self.settings.index_dir)
        if live is None or live == self._gen.generation:
            return False
        generation = self._open_generation(self.settings)
        if self._gen.chunk_urls is not None:  # a warmed-up process keeps its releases in memory
            generation.chunk_urls = ChunkUrls.read(self.settings.db_path)
        with self._lock:
            self._gen = generation
        log.info("index reloaded: generation %d", generation.generation)
        return True

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- properties ------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._gen.generation

    @property
    def manifest(self) -> dict[str, object]:
        return dict(self._gen.manifest)

    @property
    def releases(self) -> int | None:
        """How many releases the live generation holds (its manifest's count; None where it has none)."""
        n = self._gen.manifest.get("releases")
        return n if isinstance(n, int) and n > 0 else None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(self.settings)
        return self._embedder

    # --- search ----------------------------------------------------------------------------------
    def bm25(self, query_text: str, k: int, max_df: float | None = None) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores (higher is better; title weighted) for the words of ``query_text``.

        ``max_df``: leave out words found in more than this share of all chunks (``และ``, ``ที่``, ``การ``...).
        Their BM25 weight is near zero but every chunk they occur in is scored, which dominates the cost
        at full-corpus size. Measured on the development index (131 questions, 9,842 chunks):
        ``max_df=0.1`` halves p50 (6.8 → 3.6 ms) with BM25 Recall@5 0.563 → 0.571; 0.5 changes no top-5.

        The generation's compiled BM25 arrays (:mod:`index.build.postings`) score every word of the question
        in a few milliseconds at full size; they are immutable, so concurrent questions need no lock.
        """
        tokens = lexical.tokenize(query_text)
        if "ฯ" in query_text:
            tokens += self._gen.completer.expansions(query_text, lexical.tokenize)
        postings = self._gen.postings
        if max_df is not None:
            limit = max_df * max(1, postings.n_chunks)
            tokens = [t for t in dict.fromkeys(tokens) if postings.doc_freq(t) <= limit]
        return postings.search(tokens, k)

    def doc_freq(self, term: str) -> int:
        """In how many of the live generation's passages the word ``term`` (a token as BM25 splits text)
        occurs: 0 for a word no release writes."""
        return self._gen.postings.doc_freq(term)

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunk ids and cosine similarities of the ``k`` passages nearest to a query vector."""
        gen = self._gen
        if gen.vectors.ntotal == 0 or k <= 0:
            return []
        scores, ids = gen.vectors.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The live generation's stored vectors of the given chunk ids (``KeyError`` for one it lacks)."""
        return self._gen.vectors.vectors([int(i) for i in ids])

    def release_vectors(self, urls: Sequence[str]) -> dict[str, np.ndarray]:
        """Each release's stored passage vectors, first passage first (those with a vector: the first
        ``DENSE_PASSAGES`` of each); a release with none is left out."""
        gen = self._gen
        return self._vectors_of(gen, self._release_chunks(gen, urls))

    def second_look_reads(
        self, groups: Sequence[Sequence[Alternative]], urls: Sequence[str]
    ) -> tuple[dict[str, np.ndarray], dict[str, Coverage]]:
        """What the second look reads of the releases ``urls``, from one read of their live chunks: each one's
        stored passage vectors (:meth:`release_vectors`) and how much of the question's concepts (its token
        groups, :func:`index.search.concepts.question_groups`) it holds, from the BM25 arrays."""
        gen = self._gen
        chunks = self._release_chunks(gen, urls)
        ids = {url: [cid for cid, _ in chunks.get(url, [])] for url in urls}
        covered = concepts.coverage(gen.postings, ids, concepts.concepts(groups, gen.postings))
        return self._vectors_of(gen, chunks), covered

    @staticmethod
    def _vectors_of(gen: _Generation, chunks: dict[str, list[tuple[int, int]]]) -> dict[str, np.ndarray]:
        """The stored vectors of releases' chunks (url → (chunk id, position), in order), one generation's."""
        # Only the passages that got a vector are asked for: asking FAISS for the others costs a failed
        # lookup each (a cabinet summary has ~200 passages, 6 with a vector).
        dense = int(gen.manifest.get("dense_passages", 0) or 0)
        ids = {url: [cid for cid, pos in rows if has_vector(pos, dense)] for url, rows in chunks.items()}
        held = gen.vectors.held([cid for chunk_ids in ids.values() for cid in chunk_ids])
        out: dict[str, np.ndarray] = {}
        for url, chunk_ids in ids.items():
            rows = [held[cid] for cid in chunk_ids if cid in held]
            if rows:
                out[url] = np.vstack(rows)
        return out

    def _release_chunks(self, gen: _Generation, urls: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Each release's live chunks as (chunk id, position), in order, in batches under SQLite's limit of
        bound parameters; a release without any is left out."""
        out: dict[str, list[tuple[int, int]]] = {}
        with self._lock:
            for i in range(0, len(urls), 900):
                part = list(urls[i : i + 900])
                marks = ",".join("?" * len(part))
                for url, cid, position in self._conn.execute(
                    f"SELECT url, chunk_id, position FROM chunks AS c WHERE url IN ({marks})"
                    f" AND {store.visible('c')} ORDER BY url, position",
                    (*part, gen.generation, gen.generation),
                ):
                    out.setdefault(url, []).append((cid, position))
        return out

    def sample_vectors(self, n: int, seed: int = 0) -> np.ndarray:
        """Up to ``n`` stored vectors drawn at random (``seed``): the archive's passages at large, which the
        query adapter's fitting competes against (:mod:`index.search.adapter_training`)."""
        ids = np.sort(self._gen.vectors.ids())
        if len(ids) > n:
            ids = np.sort(np.random.default_rng(seed).choice(ids, n, replace=False))
        return self._gen.vectors.vectors([int(i) for i in ids]).astype(np.float32)

    def held_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The live generation's stored vectors of those ``ids`` that have one, by chunk id."""
        return self._gen.vectors.held(ids)

    # --- rows ------------------------------------------------------------------------------------
    def chunks(self, ids: Sequence[int]) -> list[ChunkRow]:
        """Rows of the given chunk ids, in the order asked (unknown ids are left out)."""
        wanted = [int(i) for i in ids]
        found = self._by_chunk_id("chunk_id, url, position, text, start_char, end_char", wanted)
        return [ChunkRow(*found[i]) for i in wanted if i in found]

    def chunk_releases(self, ids: Sequence[int]) -> dict[int, str]:
        """The release URL of each given chunk id (unknown ids are left out): what fusion ranks by, without
        reading the texts of the hundreds of chunks it only ranks; from memory once warmed up."""
        held = self._gen.chunk_urls
        if held is not None:
            return held.of(ids)
        return {cid: row[1] for cid, row in self._by_chunk_id("chunk_id, url", [int(i) for i in ids]).items()}

    def warm_up(self) -> None:
        """Every chunk's release in memory (:mod:`index.search.chunk_urls`), for a process that serves many
        questions (the bot warms up at start), not a one-shot ``ask``."""
        gen = self._gen
        if gen.chunk_urls is None:
            gen.chunk_urls = ChunkUrls.read(self.settings.db_path)

    def _by_chunk_id(self, columns: str, ids: list[int]) -> dict[int, tuple]:
        """``columns`` (the chunk id first) of the chunks ``ids``, by chunk id, in batches under SQLite's
        limit of bound parameters."""
        found: dict[int, tuple] = {}
        with self._lock:
            for i in range(0, len(ids), 900):
                part = ids[i : i + 900]
                query = f"SELECT {columns} FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})"
                for row in self._conn.execute(query, part):
                    found[row[0]] = row
        return found

    def release_chunks(self, url: str) -> list[ChunkRow]:
        """All live chunks of one release, in order (the answer part reads neighbours of a passage)."""
        g = self._gen.generation
        with self._lock:
            rows = self._conn.execute(
                "SELECT chunk_id, url, position, text, start_char, end_char FROM chunks AS c"
                f" WHERE url = ? AND {store.visible('c')} ORDER BY position",
                (url, g, g),
            ).fetchall()
        return [ChunkRow(*r) for r in rows]

    def meetings(self, dates: Sequence[str]) -> list[MeetingAgenda]:
        """The agendas of meetings held on ``dates`` (ISO) in the live generation (see
        :mod:`index.build.agenda_rows`)."""
        with self._lock:
            return agenda_rows.meetings(self._conn, self._gen.generation, dates)

    def nearest_meetings(self, day: str) -> list[str]:
        """The meeting dates nearest before and after ``day`` (ISO) in the live generation."""
        with self._lock:
            return agenda_rows.nearest(self._conn, self._gen.generation, day)

    def agenda(self, url: str) -> MeetingAgenda | None:
        """The agenda of one release (the bot's "show the rest" button), or None."""
        with self._lock:
            return agenda_rows.of_release(self._conn, self._gen.generation, url)

    def release(self, url: str) -> Release | None:
        """The release as the corpus registry holds it (full body), or None if unknown."""
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT url, release_id, title, date, category, lang, body, hash, path, crawled"
                    " FROM releases WHERE url = ?",
                    (url,),
                ).fetchone()
            except sqlite3.OperationalError:  # no registry table yet
                row = None
        if row is None:
            return None
        return Release(*row)

    def latest(self, n: int) -> list[Release]:
        """The ``n`` most recently published releases of the live generation, newest first."""
        g = self._gen.generation
        with self._lock:
            urls = [
                r[0]
                for r in self._conn.execute(
                    f"SELECT url FROM indexed_releases AS r WHERE {store.visible('r')}"
                    " ORDER BY date DESC, CAST(release_id AS INTEGER) DESC LIMIT ?",
                    (g, g, n),
                )
            ]
        return [r for r in (self.release(u) for u in urls) if r is not None]

    def publication_days(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """(generation, live chunk ids, their releases' publication days, every live release's day), days as
        ordinals (0: no date), for the searcher's period search (:mod:`index.search.periods`).

        Read over a connection of its own, in batches: ~250k chunks at full size would otherwise hold the
        reader's lock (every search's) for a second and a list of a million Python objects in memory."""
        g = self._gen.generation
        conn = store.connect(self.settings.db_path, readonly=True)
        try:
            return g, *_publication_days(conn, g)
        finally:
            conn.close()

    def release_meta(self) -> list[tuple[str, str, str, str, str, str]]:
        """(url, release_id, title, date, category, lang) of every live release (no bodies: cheap)."""
        g = self._gen.generation
        with self._lock:
            return self._conn.execute(
                "SELECT url, release_id, title, date, category, lang FROM indexed_releases AS r"
                f" WHERE {store.visible('r')}",
                (g, g),
            ).fetchall()

    def stats(self) -> dict[str, object]:
        """releases, chunks, model, generation, bytes (on disk), built_at, newest_date, and more."""
        m = self._gen.manifest
        return {
            "releases": m.get("releases"),
            "chunks": m.get("chunks"),
            "model": m.get("model"),
            "backend": m.get("backend"),
            "dim": m.get("dim"),
            "generation": self._gen.generation,
            "bytes": store.disk_bytes(self.settings.db_path, self.settings.index_dir, self._gen.generation),
            "built_at": m.get("built_at"),
            "newest_date": m.get("newest_date"),
            "corpus_hash": m.get("corpus_hash"),
            "chunker": m.get("chunker"),
        }


def _publication_days(conn: sqlite3.Connection, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chunk ids, their days and every release's day in generation ``g`` (see ``publication_days``)."""
    day_of_url = {
        url: day_of(date)
        for url, date in conn.execute(
            f"SELECT url, date FROM indexed_releases AS r WHERE {store.visible('r')}", (g, g)
        )
    }
    cursor = conn.execute(f"SELECT chunk_id, url FROM chunks AS c WHERE {store.visible('c')}", (g, g))
    ids: list[np.ndarray] = []
    chunk_days: list[np.ndarray] = []
    while rows := cursor.fetchmany(50_000):
        ids.append(np.fromiter((cid for cid, _ in rows), dtype=np.int64, count=len(rows)))
        days = (day_of_url.get(url, 0) for _, url in rows)
        chunk_days.append(np.fromiter(days, dtype=np.int32, count=len(rows)))
    empty = np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(ids) if ids else empty,
        np.concatenate(chunk_days) if chunk_days else empty.astype(np.int32),
        np.fromiter(day_of_url.values(), dtype=np.int32, count=len(day_of_url)),
    )
