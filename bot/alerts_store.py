"""The alerts' tables in ``thaigov.sqlite``: subscriptions and the outbox.

The outbox is what makes delivery safe. An alert is a row written *before* anything is sent, keyed
``UNIQUE(chat_id, url)`` so that no pass, restart or second poller can queue it twice. A sender first
*claims* a row (``pending`` → ``sending``, committed), then sends, then marks it ``sent`` with Telegram's
message id. If the process dies between Telegram accepting the message and the mark, the row stays
``sending``; once its claim is older than the lease it is claimed again and resent. That resend is the
only duplicate this design allows (Telegram's sendMessage has no idempotency key, so at-least-once is the
best any sender can do); everything else is exactly once. A claim is an atomic
``UPDATE … WHERE status = 'pending'``, so the bot's job queue and a ``thaigov-qa alerts poll`` running
at the same time never both send one row.

The sources' fetch state (``source_state``, ``watch_files``, ``index_pending``) is ingestion's, in
:mod:`corpus.ingest.state`.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from thaigov_qa.db import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'unknown',
    title TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    categories TEXT NOT NULL DEFAULT '[]',
    paused INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    release_hash TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL DEFAULT 0,
    claimed_at REAL,
    claimed_by TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    message_id INTEGER,
    created_at REAL NOT NULL,
    sent_at REAL,
    UNIQUE (chat_id, url)
);
CREATE INDEX IF NOT EXISTS alert_outbox_status ON alert_outbox (status, next_try);
CREATE TABLE IF NOT EXISTS admin_notices (
    id INTEGER PRIMARY KEY,
    admin_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Subscription:
    """One chat's subscription: no keywords and no categories means every new release."""

    id: int
    chat_id: int
    kind: str
    title: str
    keywords: tuple[str, ...]
    categories: tuple[str, ...]
    paused: bool
    paused_reason: str
    created_by: int | None
    #: The language of the alert's own words (its date, its button): the subscriber's at ``/subscribe``;
    #: empty (a subscription from before, or made from the command line without ``--lang``): each
    #: release's own language.
    lang: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "chat_id": self.chat_id,
            "kind": self.kind,
            "title": self.title,
            "keywords": list(self.keywords),
            "categories": list(self.categories),
            "paused": self.paused,
            "paused_reason": self.paused_reason,
            "created_by": self.created_by,
            "lang": self.lang,
        }


@dataclass(frozen=True)
class OutboxRow:
    id: int
    subscription_id: int
    chat_id: int
    url: str
    status: str
    attempts: int
    next_try: float
    last_error: str
    message_id: int | None
    claimed_at: float | None = None
    claimed_by: str | None = None


@dataclass(frozen=True)
class AdminNotice:
    """A message for one admin (a chat's alerts paused), kept until Telegram accepts it."""

    id: int
    admin_id: int
    text: str
    attempts: int


@dataclass
class OutboxCounts:
    by_status: dict[str, int] = field(default_factory=dict)

    def get(self, status: str) -> int:
        return self.by_status.get(status, 0)


def _sub(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        title=row["title"],
        keywords=tuple(json.loads(row["keywords"])),
        categories=tuple(json.loads(row["categories"])),
        paused=bool(row["paused"]),
        paused_reason=row["paused_reason"],
        created_by=row["created_by"],
        lang=row["lang"],
    )


def _outbox(row: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        subscription_id=row["subscription_id"],
        chat_id=row["chat_id"],
        url=row["url"],
        status=row["status"],
        attempts=row["attempts"],
        next_try=row["next_try"],
        last_error=row["last_error"],
        message_id=row["message_id"],
        claimed_at=row["claimed_at"],
        claimed_by=row["claimed_by"],
    )


def claimer_id() -> str:
    """Who holds a claim: ``host:pid``, so that a restart can tell a dead sender's claim at once."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claimer_dead(claimed_by: str | None) -> bool:
    """True when the claim belongs to a process of this host that no longer exists.

    Another host's claim, or our own process's, is never judged dead here: those wait for the lease.
    """
    if not claimed_by or ":" not in claimed_by:
        return False
    host, _, pid_text = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class AlertStore(Store):
    """The alerts' tables; one SQLite connection in autocommit mode, explicit transactions where needed."""

    SCHEMA = SCHEMA
    ADDED_COLUMNS = (("subscriptions", "lang", "TEXT NOT NULL DEFAULT ''"),)

    # --- subscriptions --------------------------------------------------------------------------
    def subscribe(
        self,
        chat_id: int,
        *,
        kind: str = "unknown",
        title: str = "",
        keywords: Iterable[str] = (),
        categories: Iterable[str] = (),
        created_by: int | None = None,
        lang: str = "",
    ) -> tuple[Subscription, bool]:
        """Subscribe a chat, or replace its filters (and resume it if paused); returns (it, created). An
        empty ``lang`` keeps the language the subscription had."""
        kw = json.dumps(list(dict.fromkeys(k for k in keywords if k)), ensure_ascii=False)
        cats = json.dumps(list(dict.fromkeys(c for c in categories if c)), ensure_ascii=False)
        now = time.time()
        with self.transaction() as conn:
            existed = conn.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?", (chat_id,)).fetchone()
            conn.execute(
                """INSERT INTO subscriptions
                       (chat_id, kind, title, keywords, categories, paused, paused_reason, created_by,
                        lang, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, 0, '', ?, ?, ?, ?)
                   ON CONFLICT (chat_id) DO UPDATE SET
                       kind = CASE WHEN excluded.kind = 'unknown' THEN kind ELSE excluded.kind END,
                       title = CASE WHEN excluded.title = '' THEN title ELSE excluded.title END,
                       lang = CASE WHEN excluded.lang = '' THEN lang ELSE excluded.lang END,
                       keywords = excluded.keywords, categories = excluded.categories,
                       paused = 0, paused_reason = '', updated_at = excluded.updated_at""",
                (chat_id, kind, title, kw, cats, created_by, lang, now, now),
            )
        sub = self.subscription(chat_id)
        assert sub is not None
        return sub, existed is None

    def unsubscribe(self, chat_id: int) -> bool:
        """Remove a chat's subscription; its unsent alerts are dropped. False when it had none."""
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            conn.execute(
                """UPDATE alert_outbox SET status = 'dropped'
                   WHERE chat_id = ? AND status IN ('pending', 'sending')""",
                (chat_id,),
            )
        return cur.rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        row = self.conn.execute("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,)).fetchone()
        return _sub(row) if row else None

    def subscriptions(
        self, *, active_only: bool = False, created_by: int | None = None
    ) -> list[Subscription]:
        sql = "SELECT * FROM subscriptions"
        where, args = [], []
        if active_only:
            where.append("paused = 0")
        if created_by is not None:
            where.append("created_by = ?")
            args.append(created_by)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_sub(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def pause(self, chat_id: int, reason: str) -> bool:
        """Pause a chat (the bot was blocked or removed); True only when this call paused it."""
        cur = self.conn.execute(
            """UPDATE subscriptions SET paused = 1, paused_reason = ?, updated_at = ?
               WHERE chat_id = ? AND paused = 0""",
            (reason[:300], time.time(), chat_id),
        )
        return cur.rowcount > 0

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup (new id): move its subscription and unsent alerts."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?", (new_chat_id,)).fetchone():
                conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            else:
                conn.execute(
                    "UPDATE subscriptions SET chat_id = ?, kind = 'supergroup' WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
            conn.execute(
                """UPDATE OR IGNORE alert_outbox SET chat_id = ?
                   WHERE chat_id = ? AND status IN ('pending', 'sending')""",
                (new_chat_id, old_chat_id),
            )

    # --- outbox -----------------------------------------------------------------------------------
    def enqueue(self, sub: Subscription, url: str, release_hash: str, *, realert: bool = False) -> bool:
        """Queue one alert; True when a row was written. ``realert``: an edited release is queued again.

        Without ``realert`` a (chat, url) pair is queued once, ever. With it, a row already sent for an
        older content hash goes back to ``pending``.
        """
        now = time.time()
        if realert:
            cur = self.conn.execute(
                """INSERT INTO alert_outbox (subscription_id, chat_id, url, release_hash, created_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (chat_id, url) DO UPDATE SET
                       status = 'pending', attempts = 0, next_try = 0, claimed_at = NULL,
                       release_hash = excluded.release_hash, last_error = '', message_id = NULL
                   WHERE release_hash != excluded.release_hash AND status IN ('sent', 'failed')""",
                (sub.id, sub.chat_id, url, release_hash, now),
            )
        else:
            cur = self.conn.execute(
                """INSERT OR IGNORE INTO alert_outbox
                       (subscription_id, chat_id, url, release_hash, created_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (sub.id, sub.chat_id, url, release_hash, now),
            )
        return cur.rowcount > 0

    def due(self, now: float, lease: float, limit: int = 200) -> list[OutboxRow]:
        """Rows to send now: pending and due, or ``sending`` whose sender died (a crash).

        A sender is known dead when its claim is older than ``lease``, or at once when it was a process of
        this host that no longer exists (a restarted bot or CLI resumes without waiting for the lease).
        Rows of paused chats wait; rows of removed subscriptions were dropped at unsubscribe.
        """
        rows = self.conn.execute(
            """SELECT o.* FROM alert_outbox o JOIN subscriptions s ON s.chat_id = o.chat_id
               WHERE s.paused = 0 AND ((o.status = 'pending' AND o.next_try <= ?) OR o.status = 'sending')
               ORDER BY o.id""",
            (now,),
        ).fetchall()
        out = []
        for r in map(_outbox, rows):
            if r.status == "sending" and not (
                (r.claimed_at or 0) <= now - lease or claimer_dead(r.claimed_by)
            ):
                continue
            out.append(r)
            if len(out) >= limit:
                break
        return out

    def claim(self, row: OutboxRow, now: float, lease: float) -> bool:
        """Take a row for sending (committed before the send); False when another sender has it.

        A compare-and-swap on the row as :meth:`due` saw it, so of two senders only one wins, and a stale
        claim is taken over only if nobody renewed it meanwhile.
        """
        if row.status == "pending":
            cur = self.conn.execute(
                """UPDATE alert_outbox SET status = 'sending', claimed_at = ?, claimed_by = ?,
                       attempts = attempts + 1
                   WHERE id = ? AND status = 'pending'""",
                (now, claimer_id(), row.id),
            )
        else:
            cur = self.conn.execute(
                """UPDATE alert_outbox SET status = 'sending', claimed_at = ?, claimed_by = ?,
                       attempts = attempts + 1
                   WHERE id = ? AND status = 'sending' AND claimed_at IS ? AND claimed_by IS ?""",
                (now, claimer_id(), row.id, row.claimed_at, row.claimed_by),
            )
        return cur.rowcount == 1

    def mark_sent(self, row_id: int, message_id: int) -> None:
        self.conn.execute(
            """UPDATE alert_outbox SET status = 'sent', message_id = ?, sent_at = ?, last_error = ''
               WHERE id = ?""",
            (message_id, time.time(), row_id),
        )

    def requeue(self, row_id: int, next_try: float, error: str, *, count_attempt: bool = True) -> None:
        """Give a claimed row back as ``pending``, to be tried at ``next_try``."""
        self.conn.execute(
            f"""UPDATE alert_outbox SET status = 'pending', next_try = ?, claimed_at = NULL, last_error = ?
                {"" if count_attempt else ", attempts = MAX(0, attempts - 1)"}
                WHERE id = ? AND status = 'sending'""",
            (next_try, error[:500], row_id),
        )

    def mark_failed(self, row_id: int, error: str) -> None:
        """A permanent failure (Telegram refused the message itself): kept for the record, not retried."""
        self.conn.execute(
            "UPDATE alert_outbox SET status = 'failed', last_error = ?, claimed_at = NULL WHERE id = ?",
            (error[:500], row_id),
        )

    def outbox_row(self, chat_id: int, url: str) -> OutboxRow | None:
        row = self.conn.execute(
            "SELECT * FROM alert_outbox WHERE chat_id = ? AND url = ?", (chat_id, url)
        ).fetchone()
        return _outbox(row) if row else None

    def outbox(self, chat_id: int | None = None) -> list[OutboxRow]:
        if chat_id is None:
            rows = self.conn.execute("SELECT * FROM alert_outbox ORDER BY id")
        else:
            rows = self.conn.execute("SELECT * FROM alert_outbox WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [_outbox(r) for r in rows]

    # --- admin notices: written with the change they tell of, deleted once sent ----------------------
    def queue_notices(self, admin_ids: Iterable[int], text: str) -> None:
        """One notice for each admin (in the caller's transaction, beside the change it reports)."""
        now = time.time()
        self.conn.executemany(
            "INSERT INTO admin_notices (admin_id, text, created_at) VALUES (?, ?, ?)",
            [(admin, text, now) for admin in admin_ids],
        )

    def notices(self) -> list[AdminNotice]:
        """The notices not sent yet, oldest first."""
        rows = self.conn.execute("SELECT id, admin_id, text, attempts FROM admin_notices ORDER BY id")
        return [AdminNotice(r["id"], r["admin_id"], r["text"], r["attempts"]) for r in rows]

    def notice_done(self, notice_id: int) -> None:
        """Sent, or never sendable (the admin blocked the bot): the notice goes."""
        self.conn.execute("DELETE FROM admin_notices WHERE id = ?", (notice_id,))

    def notice_failed(self, notice_id: int, error: str) -> None:
        """Not sent this time (network, 5xx, flood control): kept for the next pass."""
        self.conn.execute(
            "UPDATE admin_notices SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], notice_id),
        )

    def counts(self) -> OutboxCounts:
        rows = self.conn.execute("SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status")
        return OutboxCounts({r["status"]: r["n"] for r in rows})
