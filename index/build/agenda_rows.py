"""The ``agenda_items`` table: each meeting summary's agenda titles, written per generation like chunks.

Why a table of its own (and not re-parsed from the chunks per question): a "what did the cabinet approve
on <date>" question needs every title of one meeting, in order, found by the meeting's date; the chunks
split a 50 k-character summary into ~60 overlapping passages and carry only the publication date. The
rows are written beside the release's chunks (:mod:`index.build.rows`) with the same ``gen_from`` /
``gen_to`` rule, retired with them, and dropped by the same recovery and garbage collection, so a reader
of generation ``g`` sees exactly the agendas of the releases live in ``g``.

The table's definition, recovery and garbage collection are :mod:`index.build.store`'s, with the other
tables'. The rows are only as good as the parser that wrote them: ``agenda_meta`` records its
:data:`corpus.agenda.PARSER_VERSION`, and an index built before the table, or whose rows another version
parsed, has them parsed again from its stored passages (each an exact slice of the body at
``start_char``) the first time a build, update or apply opens it (:func:`refresh`), so a parser fix
reaches an existing index without re-embedding anything.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.agenda import PARSER_VERSION, Agenda, AgendaItem, names_meeting, parse_agenda
from corpus.release import Release
from index.build import store

log = logging.getLogger(__name__)

TABLE = "agenda_items"
#: ``name``/``value`` pairs about the table; ``parser`` is the :data:`PARSER_VERSION` its live rows were
#: parsed with.
META = "agenda_meta"


@dataclass(frozen=True)
class MeetingAgenda:
    """One release's agenda as a reader sees it: the release (url, title, publication date, language),
    the meeting's date, whether its title names a meeting, and its items in order."""

    url: str
    title: str
    date: str
    lang: str
    meeting_date: str
    summary: bool
    items: tuple[AgendaItem, ...]


def exists(conn: sqlite3.Connection) -> bool:
    """Whether the database has the table (an index built before it has not)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone()
    return row is not None


def _rows(url: str, agenda: Agenda, generation: int) -> list[tuple[object, ...]]:
    return [
        (url, agenda.meeting_date, item.number, item.title, item.start, int(agenda.summary), generation)
        for item in agenda.items
    ]


def insert(conn: sqlite3.Connection, release: Release, generation: int) -> int:
    """The agenda rows of ``release`` as generation ``generation`` (none when it has no agenda)."""
    return insert_parsed(conn, release.url, parse_agenda(release), generation)


def insert_parsed(conn: sqlite3.Connection, url: str, agenda: Agenda | None, generation: int) -> int:
    """The rows of an agenda already parsed (:func:`corpus.agenda.parse_agenda`) for the release ``url``."""
    if agenda is None:
        return 0
    rows = _rows(url, agenda, generation)
    conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE}(url, meeting_date, number, title, start_char, summary, gen_from)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def retire(conn: sqlite3.Connection, urls: Sequence[str], generation: int) -> None:
    """End the live agenda rows of ``urls`` at ``generation`` (with their chunks)."""
    for i in range(0, len(urls), 500):
        part = list(urls[i : i + 500])
        marks = ",".join("?" * len(part))
        conn.execute(
            f"UPDATE {TABLE} SET gen_to = ? WHERE gen_to IS NULL AND url IN ({marks})", (generation, *part)
        )


_SELECT = (
    "SELECT a.url, r.title, r.date, r.lang, a.meeting_date, a.summary, a.number, a.title, a.start_char"
    f" FROM {TABLE} AS a JOIN indexed_releases AS r ON r.url = a.url AND {store.visible('r')}"
)


def meetings(conn: sqlite3.Connection, generation: int, dates: Sequence[str]) -> list[MeetingAgenda]:
    """The agendas live in ``generation`` of meetings held on any of ``dates`` (ISO), or, for a date with
    no meeting, of summaries published that day; no ``dates``: the newest meeting's. The table's absence
    (an older index) reads as none."""
    if not exists(conn):
        return []
    if not dates:
        newest = conn.execute(
            f"SELECT MAX(meeting_date) FROM {TABLE} AS a WHERE {store.visible('a')} AND a.summary = 1",
            (generation, generation),
        ).fetchone()[0]
        return meetings(conn, generation, [str(newest)]) if newest else []
    marks = ",".join("?" * len(dates))
    binds = (generation, generation, generation, generation, *dates)
    rows: list[tuple[object, ...]] = []
    for column in ("a.meeting_date", "r.date"):
        rows = conn.execute(
            f"{_SELECT} WHERE {store.visible('a')} AND {column} IN ({marks}) ORDER BY a.url, a.number",
            binds,
        ).fetchall()
        if rows:
            break
    return _group(rows)


def nearest(conn: sqlite3.Connection, generation: int, day: str) -> list[str]:
    """The meeting dates (ISO) with a summary live in ``generation`` nearest before and nearest after
    ``day``, in that order (either may be missing): what a reply offers for a day with no meeting."""
    if not exists(conn):
        return []
    out = []
    for op, pick in (("<", "MAX"), (">", "MIN")):
        found = conn.execute(
            f"SELECT {pick}(meeting_date) FROM {TABLE} AS a WHERE {store.visible('a')} AND a.summary = 1"
            f" AND a.meeting_date {op} ?",
            (generation, generation, day),
        ).fetchone()[0]
        if found:
            out.append(str(found))
    return out


def of_release(conn: sqlite3.Connection, generation: int, url: str) -> MeetingAgenda | None:
    """The agenda of one release live in ``generation``, or None."""
    if not exists(conn):
        return None
    rows = conn.execute(
        f"{_SELECT} WHERE {store.visible('a')} AND a.url = ? ORDER BY a.number",
        (generation, generation, generation, generation, url),
    ).fetchall()
    found = _group(rows)
    return found[0] if found else None


def _group(rows: Sequence[tuple[object, ...]]) -> list[MeetingAgenda]:
    by_url: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        by_url.setdefault(str(row[0]), []).append(row)
    out = []
    for url, group in by_url.items():
        first = group[0]
        items = tuple(AgendaItem(_int(r[6]), str(r[7]), _int(r[8])) for r in group)
        out.append(
            MeetingAgenda(
                url, str(first[1]), str(first[2]), str(first[3]), str(first[4]), bool(first[5]), items
            )
        )
    return out


def _int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))


def _body_from_chunks(rows: Sequence[tuple[str, int]]) -> str:
    """A release body rebuilt from its passages (exact slices at ``start_char``; gaps were whitespace)."""
    parts: list[str] = []
    end = 0
    for text, start in sorted(rows, key=lambda r: r[1]):
        if start > end:
            parts.append("\n" * (start - end))
            end = start
        if start + len(text) > end:
            parts.append(text[end - start :])
            end = start + len(text)
    return "".join(parts)


def parser_version(conn: sqlite3.Connection) -> int | None:
    """The parser version the live rows were written with (None: an index from before the record)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {META} (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = conn.execute(f"SELECT value FROM {META} WHERE name = 'parser'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else None


def _record_version(conn: sqlite3.Connection) -> None:
    conn.execute(f"INSERT OR REPLACE INTO {META}(name, value) VALUES ('parser', ?)", (str(PARSER_VERSION),))


def refresh(conn: sqlite3.Connection, live: int | None) -> int:
    """Make the agendas of generation ``live`` this parser's: when the rows were written by another
    :data:`PARSER_VERSION` (or before the table), parse every meeting summary and every release that has
    rows again, from its stored passages, in place (same ``gen_from``: the release did not change, its
    reading did), in one transaction, and record the version. Returns the rows written (0: nothing to do).

    In place rather than as a new generation: the rows are derived from bodies that every generation
    since ``gen_from`` shares, and a reader's query sees the old rows or the new ones, never a mix. No
    live generation (a first build): the build parses every release with this parser, so only the
    version is recorded."""
    with conn:
        if parser_version(conn) == PARSER_VERSION:
            return 0
        if live is None:
            _record_version(conn)
            return 0
    written = _reparse(conn, live)
    log.info("agenda rows parsed again with parser version %d: %d rows", PARSER_VERSION, written)
    return written


def _reparse(conn: sqlite3.Connection, live: int) -> int:
    """:func:`refresh`'s work, in one transaction with the version's record."""
    releases = conn.execute(
        "SELECT r.url, r.title, r.date, r.lang, r.gen_from FROM indexed_releases AS r"
        f" WHERE {store.visible('r')}",
        (live, live),
    ).fetchall()
    with_rows = {
        str(u)
        for (u,) in conn.execute(
            f"SELECT DISTINCT url FROM {TABLE} AS a WHERE {store.visible('a')}", (live, live)
        )
    }
    written = 0
    with conn:
        for url, title, date, lang, gen_from in releases:
            if url not in with_rows and not names_meeting(title):
                continue
            conn.execute(f"DELETE FROM {TABLE} WHERE url = ? AND {store.visible(TABLE)}", (url, live, live))
            parts = conn.execute(
                f"SELECT text, start_char FROM chunks AS c WHERE c.url = ? AND {store.visible('c')}",
                (url, live, live),
            ).fetchall()
            body = _body_from_chunks(parts)
            written += insert(conn, Release(url, "", title, date, "", lang, body, hash="-"), int(gen_from))
        _record_version(conn)
    return written
