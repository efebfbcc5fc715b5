"""The SQLite rows of a generation: which releases are live, retiring a release's rows, inserting new
chunks (into ``chunks``, FTS5 and ``indexed_releases``), and counting what a generation holds.

Why apart from the pipeline: these are the statements every run issues against the index database; the
pipeline decides which releases to write and when to switch, this module only how rows are written. A
row is live in generation ``g`` when ``gen_from <= g < gen_to`` (see :mod:`index.build.store`).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Sequence
from itertools import islice

from corpus.release import Release
from index.build import agenda_rows, fts, store
from index.build.chunking import passage_text
from index.build.embedding import Embedder
from index.build.prepare import Prepared, prepared

#: Chunk rows are committed every this many releases (bounds the transaction, not the crash safety).
COMMIT_RELEASES = 200

#: One ``chunks`` row: chunk_id, url, position, text, start_char, end_char, n_tokens, sha, gen_from.
ChunkRow = tuple[int, str, int, str, int, int, int, str, int]


def corpus_hash(hashes: dict[str, str]) -> str:
    """A short digest of (url, content hash) pairs: the manifest's fingerprint of what is indexed."""
    digest = hashlib.sha256()
    for url in sorted(hashes):
        digest.update(f"{url}\t{hashes[url]}\n".encode())
    return digest.hexdigest()[:32]


def visible_releases(conn: sqlite3.Connection, generation: int) -> dict[str, str]:
    """url → content hash of the releases live in ``generation``."""
    rows = conn.execute(
        f"SELECT url, hash FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    )
    return dict(rows.fetchall())


def added_chunk_ids(conn: sqlite3.Connection, generation: int) -> list[int]:
    """Every chunk ``generation`` added (those past a release's ``DENSE_PASSAGES`` included), ascending."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT chunk_id FROM chunks WHERE gen_from = ? ORDER BY chunk_id", (generation,)
        )
    ]


def retire(conn: sqlite3.Connection, urls: Sequence[str], generation: int) -> list[int]:
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
    agenda_rows.retire(conn, urls, generation)
    return ids


def _insert_release(
    conn: sqlite3.Connection,
    release: Release,
    prep: Prepared,
    generation: int,
    next_id: int,
    texts: dict[str, str],
    new_ids: list[tuple[int, str]],
    dense: int,
) -> int:
    """One prepared release's rows, its chunks numbered from ``next_id``; records the passages that get a
    vector (its first ``dense``, all when 0) in ``texts`` and ``new_ids``; returns the next free id."""
    rows: list[ChunkRow] = []
    fts_rows = []
    for item in prep.chunks:
        chunk = item.chunk
        rows.append(
            (
                next_id,
                release.url,
                chunk.position,
                chunk.text,
                chunk.start,
                chunk.end,
                chunk.n_tokens,
                item.sha,
                generation,
            )
        )
        fts_rows.append((next_id, prep.fts_title, item.fts_body))
        if has_vector(chunk.position, dense):
            texts[item.sha] = item.passage
            new_ids.append((next_id, item.sha))
        next_id += 1
    conn.executemany(
        "INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char,"
        " n_tokens, sha, gen_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    fts.insert_tokens(conn, fts_rows)
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
            len(prep.chunks),
            generation,
        ),
    )
    agenda_rows.insert_parsed(conn, release.url, prep.agenda, generation)
    return next_id


def insert_chunks(
    conn: sqlite3.Connection,
    embedder: Embedder,
    releases: Sequence[Release],
    generation: int,
    progress: bool,
    dense: int = 0,
) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Chunk ``releases`` and insert their rows (chunks, FTS, indexed_releases) as generation ``generation``.

    Returns the passages to embed (sha → text) and the new (chunk_id, sha) pairs that get a vector: each
    release's first ``dense`` chunks (``DENSE_PASSAGES``; 0 = all). A large build prepares the releases in
    worker processes (:mod:`index.build.prepare`); rows are written here, in the releases' order.
    """
    from tqdm import tqdm

    next_id = (conn.execute("SELECT MAX(chunk_id) FROM chunks").fetchone()[0] or 0) + 1
    texts: dict[str, str] = {}
    new_ids: list[tuple[int, str]] = []
    bar = tqdm(total=len(releases), desc="chunking", unit="release", disable=not progress, file=sys.stderr)
    preps = prepared(releases, embedder.tokenizer, embedder.settings.embedding_model)
    work = zip(releases, preps, strict=True)
    try:
        while batch := list(islice(work, COMMIT_RELEASES)):
            with conn:
                for release, prep in batch:
                    next_id = _insert_release(conn, release, prep, generation, next_id, texts, new_ids, dense)
                    bar.update(1)
                    bar.set_postfix(chunks=len(new_ids), refresh=False)
    finally:
        bar.close()
    return texts, new_ids


def written_passages(
    conn: sqlite3.Connection, generation: int, dense: int
) -> tuple[dict[str, str], list[tuple[int, str]], list[int]]:
    """What :func:`insert_chunks` and :func:`retire` returned for ``generation``, read back from its rows
    (a rerun that keeps the rows of the run that stopped): the passages to embed (sha → text), the new
    (chunk_id, sha) pairs that get a vector, and the chunk ids the generation retires."""
    texts: dict[str, str] = {}
    new_ids: list[tuple[int, str]] = []
    rows = conn.execute(
        "SELECT c.chunk_id, c.position, c.text, c.sha, r.title, r.date FROM chunks AS c"
        " JOIN indexed_releases AS r ON r.url = c.url AND r.gen_from = c.gen_from"
        " WHERE c.gen_from = ? ORDER BY c.chunk_id",
        (generation,),
    )
    for chunk_id, position, text, sha, title, date in rows:
        if has_vector(position, dense):
            texts[sha] = passage_text(title, date, text)
            new_ids.append((chunk_id, sha))
    retired = [r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE gen_to = ?", (generation,))]
    return texts, new_ids, retired


def has_vector(position: int, dense: int) -> bool:
    """Whether the chunk at ``position`` of its release gets an e5 vector (``DENSE_PASSAGES``)."""
    return dense <= 0 or position < dense


#: :func:`has_vector` in SQL (parameters: ``dense``, ``dense``).
HAS_VECTOR_SQL = "(? <= 0 OR c.position < ?)"


def dense_chunks(conn: sqlite3.Connection, generation: int, dense: int) -> list[tuple[int, str]]:
    """(chunk_id, sha) of the chunks live in ``generation`` that get a vector, by chunk id."""
    return conn.execute(
        f"SELECT chunk_id, sha FROM chunks AS c WHERE {store.visible('c')} AND {HAS_VECTOR_SQL}"
        " ORDER BY chunk_id",
        (generation, generation, dense, dense),
    ).fetchall()


def count_dense(conn: sqlite3.Connection, generation: int, dense: int) -> int:
    """How many chunks live in ``generation`` get a vector (what its FAISS index must hold)."""
    return int(
        conn.execute(
            f"SELECT COUNT(*) FROM chunks AS c WHERE {store.visible('c')} AND {HAS_VECTOR_SQL}",
            (generation, generation, dense, dense),
        ).fetchone()[0]
    )


def counts(conn: sqlite3.Connection, generation: int) -> tuple[int, int]:
    """(chunks, releases) live in ``generation``."""
    n_chunks = conn.execute(
        f"SELECT COUNT(*) FROM chunks AS c WHERE {store.visible('c')}", (generation, generation)
    ).fetchone()[0]
    n_releases = conn.execute(
        f"SELECT COUNT(*) FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    ).fetchone()[0]
    return int(n_chunks), int(n_releases)


def newest(conn: sqlite3.Connection, generation: int) -> str:
    """The newest release date live in ``generation`` ("" when empty)."""
    row = conn.execute(
        f"SELECT MAX(date) FROM indexed_releases AS r WHERE {store.visible('r')}", (generation, generation)
    ).fetchone()
    return str(row[0] or "")
