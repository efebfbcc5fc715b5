"""The FTS5 table of the lexical store: each chunk's title and body as space-joined tokens.

Why FTS5 stays although questions are scored by the compiled BM25 arrays (:mod:`index.build.postings`):
it is where a build keeps each chunk's tokens, and the arrays are compiled (and updated) from what it
stores. Its ``unicode61`` tokenizer must be told that combining marks (category M: Thai vowels above and
below, tone marks) are token characters: by default it treats them as separators and cuts ``หัวเว่ย`` into
``ห``, ``วเว``, ``ย``, and the arrays count tokens as FTS5 splits them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from index.lexical import tokenize

#: The FTS5 tokenizer for our space-joined tokens; ``M*`` keeps Thai combining marks inside words.
FTS_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
#: Weight of the title column against the body column in BM25 (the arrays reproduce FTS5's ``bm25()``).
TITLE_WEIGHT = 2.0
#: FTS5's ``bm25()`` parameters, reproduced by the compiled arrays.
BM25_K1, BM25_B = 1.2, 0.75

SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(title, body, tokenize="{FTS_TOKENIZER}");
"""


def fts_text(text: str) -> str:
    """What is stored in an FTS5 column: the tokens space-joined."""
    return " ".join(tokenize(text))


def create_schema(conn: sqlite3.Connection) -> None:
    """The FTS5 table; its rowid is the chunk id (rows are filtered by generation through ``chunks``)."""
    conn.executescript(SCHEMA)


def insert_rows(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index ``(chunk_id, title, text)`` rows (tokenized here)."""
    titles: dict[str, str] = {}  # a release's chunks share its title: tokenize it once

    def title_tokens(title: str) -> str:
        if title not in titles:
            titles[title] = fts_text(title)
        return titles[title]

    insert_tokens(conn, [(cid, title_tokens(title), fts_text(text)) for cid, title, text in rows])


def insert_tokens(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index ``(chunk_id, title tokens, body tokens)`` rows already tokenized (:func:`fts_text`)."""
    conn.executemany("INSERT INTO chunk_fts(rowid, title, body) VALUES (?, ?, ?)", rows)


def delete_rows(conn: sqlite3.Connection, chunk_ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM chunk_fts WHERE rowid = ?", [(int(c),) for c in chunk_ids])
