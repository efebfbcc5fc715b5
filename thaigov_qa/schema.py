"""Schema versions of the database and of index generations: migrate an older one, refuse a newer one.

Why: an operator upgrades the package under a running deployment. The database (``PRAGMA user_version``)
and each generation's ``manifest.json`` (``"schema"``) say which layout wrote them; a newer release
migrates an older database in place (each step in one transaction) and reads older generations as they
are, while a database or generation written by a *newer* release is refused with one line naming the
command that rebuilds, never a traceback from a missing column.

Version 1 is the first versioned layout; a database without a version (0) has exactly its tables (every
part creates its own with ``IF NOT EXISTS``), so its migration only records the version.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from thaigov_qa.db import connect, read_only
from thaigov_qa.settings import Settings, live_manifest

log = logging.getLogger(__name__)

#: The database layout this release writes (``PRAGMA user_version``).
DB_SCHEMA = 1
#: The index generation layout this release writes (``manifest.json`` ``"schema"``; absent = 1).
INDEX_SCHEMA = 1

REBUILD = "`thaigov-qa index build SOURCE` into a fresh DATA_DIR"


class SchemaError(Exception):
    """The data folder was written by a newer release, or a migration failed: one readable line."""


def _stamp_only(conn: sqlite3.Connection) -> None:
    """0 → 1: the unversioned layout is version 1's; nothing to change but the number."""


#: ``MIGRATIONS[v]`` takes a database from version ``v`` to ``v + 1`` (inside one transaction).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _stamp_only}


def db_version(db_path: Path) -> int:
    with read_only(db_path, timeout=30) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate_db(db_path: Path) -> int:
    """Bring ``db_path`` to :data:`DB_SCHEMA`; returns the version it had. Raises :class:`SchemaError`."""
    found = db_version(db_path)
    if found > DB_SCHEMA:
        raise SchemaError(
            f"{db_path} was written by a newer ThaiGov QA (database schema {found}, this release reads up to "
            f"{DB_SCHEMA}): upgrade thaigov-qa, or rebuild with {REBUILD}"
        )
    if found == DB_SCHEMA:
        return found
    conn = connect(db_path, autocommit=False)
    try:
        for version in range(found, DB_SCHEMA):
            with conn:
                MIGRATIONS[version](conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            log.info("database %s migrated from schema %d to %d", db_path, version, version + 1)
    except sqlite3.Error as exc:
        raise SchemaError(
            f"cannot migrate {db_path} to schema {DB_SCHEMA} ({exc}): rebuild with {REBUILD}"
        ) from None
    finally:
        conn.close()
    return found


def check_generation(manifest: dict[str, object], where: str) -> None:
    """Refuse a generation whose manifest names a newer layout than this release reads."""
    raw = manifest.get("schema", 1)
    version = raw if isinstance(raw, int) else 1
    if version > INDEX_SCHEMA:
        raise SchemaError(
            f"the index generation {where} was written by a newer ThaiGov QA (index schema {version}, "
            f"this release reads up to {INDEX_SCHEMA}): upgrade thaigov-qa, or rebuild with {REBUILD}"
        )


def check_schema(settings: Settings) -> None:
    """Migrate the database of ``DATA_DIR`` if older, refuse it or its live generation if newer."""
    db_path = Path(settings.data_dir) / "thaigov.sqlite"
    if db_path.is_file():
        try:
            migrate_db(db_path)
        except sqlite3.DatabaseError as exc:
            # Not a database at all, or unreadable: doctor's integrity check says more.
            log.warning("cannot read the schema version of %s: %s", db_path, exc)
    found = live_manifest(settings.data_dir)
    if found is not None:  # None: no index yet, or one the reader will report as unreadable
        check_generation(found[1], str(found[0]))
