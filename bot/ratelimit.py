"""Per-user question rate limit (a sliding window of one minute).

Why our own and not python-telegram-bot's ``AIORateLimiter`` alone: that one paces what the bot *sends*
so Telegram does not throttle it; this one limits what one user may *ask*, because each question costs
CPU (query embedding, retrieval) that every other user shares. A user over the limit gets one polite
notice per window instead of a reply to every message, so a flood cannot make the bot flood back.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    notified_until: float = 0.0


class RateLimiter:
    """Allows ``per_minute`` questions per user in any 60-second window."""

    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_users: int = 100_000
    ):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._max_users = max_users
        self._users: dict[int, _Window] = {}
        self._lock = threading.Lock()

    def check(self, user_id: int) -> float:
        """Count a question from ``user_id``: 0.0 if allowed, else the seconds until it would be.

        A refused question is not counted, so a user who waits gets through as promised.
        """
        now = self._clock()
        with self._lock:
            window = self._users.get(user_id)
            if window is None:
                if len(self._users) >= self._max_users:
                    self._forget_idle(now)
                window = self._users[user_id] = _Window()
            while window.times and now - window.times[0] >= WINDOW_SECONDS:
                window.times.popleft()
            if len(window.times) < self.per_minute:
                window.times.append(now)
                return 0.0
            return max(0.1, WINDOW_SECONDS - (now - window.times[0]))

    def should_notify(self, user_id: int, wait: float) -> bool:
        """Whether to tell the user about the limit now (once per blocked window, not every message)."""
        now = self._clock()
        with self._lock:
            window = self._users.setdefault(user_id, _Window())
            if now < window.notified_until:
                return False
            window.notified_until = now + wait
            return True

    def _forget_idle(self, now: float) -> None:
        idle = [uid for uid, w in self._users.items() if not w.times or now - w.times[-1] >= WINDOW_SECONDS]
        for uid in idle:
            del self._users[uid]
