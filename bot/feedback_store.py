"""Feedback on answers (👍/👎) in ``thaigov.sqlite``: daily counts always, texts only with LOG_QUESTIONS.

Why three tables:

* ``feedback_daily(day, up, down)``: the numbers ``/stats`` shows; kept without limit, they name no one.
* ``feedback_votes(key, voter, verdict, day, at)``: one row per answer and voter, so that pressing twice
  (or after a restart) counts once and pressing the other button moves the vote. ``voter`` is an HMAC of
  the user id with a random per-database secret (``feedback_meta``): enough to recognise the same user
  again, not an id anyone can read back. Rows older than ``FEEDBACK_RETENTION_DAYS`` are purged.
* ``feedback_answers(key, …)``: the question, the answer, its evidence and sources, written when the
  answer is sent and only when ``LOG_QUESTIONS=true``; purged after the same retention, deleted for a
  user by ``/forget``, exported for labelling by ``thaigov-qa feedback export``.

The button's key is random; it carries nothing about the question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.thaidate import BANGKOK
from index.answer import Answer
from thaigov_qa.db import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback_daily (
    day TEXT PRIMARY KEY, up INTEGER NOT NULL DEFAULT 0, down INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feedback_votes (
    key TEXT NOT NULL, voter TEXT NOT NULL, verdict TEXT NOT NULL, day TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (key, voter)
);
CREATE TABLE IF NOT EXISTS feedback_answers (
    key TEXT PRIMARY KEY, asker TEXT NOT NULL, at REAL NOT NULL, lang TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT, evidence TEXT, found INTEGER NOT NULL, qtype TEXT NOT NULL,
    sources TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_answers_asker ON feedback_answers(asker);
CREATE INDEX IF NOT EXISTS feedback_votes_voter ON feedback_votes(voter);
"""
UP, DOWN = "up", "down"


def today(now: float | None = None) -> str:
    """The day a vote counts for: Bangkok's (the users' day)."""
    return dt.datetime.fromtimestamp(time.time() if now is None else now, BANGKOK).date().isoformat()


def new_key() -> str:
    """A random answer key for the buttons' callback data (12 URL-safe characters)."""
    return secrets.token_urlsafe(9)


class FeedbackStore:
    """The feedback tables (see the module docstring). Thread-safe; one connection."""

    def __init__(self, db_path: Path, retention_days: int = 90) -> None:
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection = connect(db_path)
        self._conn.executescript(SCHEMA)
        row = self._conn.execute("SELECT value FROM feedback_meta WHERE name = 'salt'").fetchone()
        if row is None:
            self._conn.execute(
                "INSERT OR IGNORE INTO feedback_meta(name, value) VALUES ('salt', ?)",
                (secrets.token_hex(16),),
            )
            row = self._conn.execute("SELECT value FROM feedback_meta WHERE name = 'salt'").fetchone()
        self._salt = bytes.fromhex(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def voter(self, user_id: int) -> str:
        """The user as the tables know them: an HMAC of the id (see the module docstring)."""
        return hmac.new(self._salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:24]

    # ------------------------------------------------------------------ writing
    def keep_answer(self, key: str, user_id: int, answer: Answer, now: float | None = None) -> None:
        """Keep the question, answer and sources behind button ``key`` (call only with LOG_QUESTIONS)."""
        sources = [{"url": s.url, "title": s.title, "date": s.date} for s in answer.sources]
        row = (
            key,
            self.voter(user_id),
            time.time() if now is None else now,
            answer.lang,
            answer.question,
            answer.answer,
            answer.evidence,
            int(answer.found),
            answer.qtype or "",
            json.dumps(sources, ensure_ascii=False),
        )
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO feedback_answers VALUES (?,?,?,?,?,?,?,?,?,?)", row)

    def vote(self, key: str, user_id: int, verdict: str, now: float | None = None) -> str:
        """Record a press: ``"new"``, ``"same"`` (already counted: nothing changes) or ``"changed"``."""
        if verdict not in (UP, DOWN):
            raise ValueError(f"bad verdict {verdict!r}")
        voter, now = self.voter(user_id), time.time() if now is None else now
        day = today(now)
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            row = self._conn.execute(
                "SELECT verdict, day FROM feedback_votes WHERE key = ? AND voter = ?", (key, voter)
            ).fetchone()
            if row is not None and row[0] == verdict:
                return "same"
            if row is not None:
                self._count(row[1], row[0], -1)
            self._conn.execute(
                "INSERT OR REPLACE INTO feedback_votes(key, voter, verdict, day, at) VALUES (?, ?, ?, ?, ?)",
                (key, voter, verdict, day if row is None else row[1], now),
            )
            self._count(day if row is None else row[1], verdict, 1)
            return "new" if row is None else "changed"

    def _count(self, day: str, verdict: str, delta: int) -> None:
        column = "up" if verdict == UP else "down"
        self._conn.execute("INSERT OR IGNORE INTO feedback_daily(day) VALUES (?)", (day,))
        self._conn.execute(
            f"UPDATE feedback_daily SET {column} = MAX(0, {column} + ?) WHERE day = ?", (delta, day)
        )

    def purge(self, now: float | None = None) -> int:
        """Delete kept answers and votes older than the retention; returns the rows deleted."""
        cutoff = (time.time() if now is None else now) - self.retention_days * 86400
        with self._lock:
            n = self._conn.execute("DELETE FROM feedback_answers WHERE at < ?", (cutoff,)).rowcount
            n += self._conn.execute("DELETE FROM feedback_votes WHERE at < ?", (cutoff,)).rowcount
        return n

    def forget(self, user_id: int) -> int:
        """Delete what is kept for this user (their questions and answers, their votes' rows; the daily
        counts stay, they name no one). Returns the rows deleted."""
        voter = self.voter(user_id)
        with self._lock:
            n = self._conn.execute("DELETE FROM feedback_answers WHERE asker = ?", (voter,)).rowcount
            n += self._conn.execute("DELETE FROM feedback_votes WHERE voter = ?", (voter,)).rowcount
        return n

    # ------------------------------------------------------------------ reading
    def daily(self, days: int = 7, now: float | None = None) -> list[tuple[str, int, int]]:
        """(day, 👍, 👎) for the last ``days`` days that had votes, newest first."""
        start = today((time.time() if now is None else now) - (days - 1) * 86400)
        with self._lock:
            rows = self._conn.execute(
                "SELECT day, up, down FROM feedback_daily WHERE day >= ? AND (up > 0 OR down > 0) "
                "ORDER BY day DESC",
                (start,),
            ).fetchall()
        return [(d, int(u), int(n)) for d, u, n in rows]

    def rated_answers(self) -> Iterator[dict[str, Any]]:
        """Kept answers with their votes (a majority verdict; 👎 wins a tie), oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT a.key, a.at, a.lang, a.question, a.answer, a.evidence, a.found, a.qtype, a.sources,"
                " SUM(v.verdict = 'up'), SUM(v.verdict = 'down') FROM feedback_answers a"
                " JOIN feedback_votes v ON v.key = a.key GROUP BY a.key ORDER BY a.at"
            ).fetchall()
        for key, at, lang, question, answer, evidence, found, qtype, sources, up, down in rows:
            yield {
                "key": key,
                "at": at,
                "lang": lang,
                "question": question,
                "answer": answer,
                "evidence": evidence,
                "found": bool(found),
                "qtype": qtype,
                "sources": json.loads(sources),
                "up": int(up or 0),
                "down": int(down or 0),
            }
