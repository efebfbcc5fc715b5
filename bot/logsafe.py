"""Keep secrets out of the logs.

Why a handler filter and not only care at each call site: the bot token is part of every Bot API URL,
and libraries (httpx at INFO, python-telegram-bot's ``InvalidToken`` message, tracebacks of network
errors) may put it into a log line we never wrote. A filter on the root handlers sees every record, from
every logger, after formatting of its arguments and traceback, and replaces each secret by ``***``.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

MASK = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ``***``, in any letter case.

    Case matters: python-telegram-bot capitalises error descriptions, which lowercases a token in them.
    """
    for secret in secrets:
        if secret:
            text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    return text


def format_exception(exc: BaseException, secrets: Iterable[str]) -> str:
    """A traceback as text, redacted: for error handlers that log an exception themselves."""
    return redact("".join(traceback.format_exception(exc)), list(secrets))


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and traceback with the secrets masked (never drops a record)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(
                "".join(traceback.format_exception(*record.exc_info)).rstrip(), self.secrets
            )
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install(secrets: Iterable[str], logger: logging.Logger | None = None) -> RedactingFilter:
    """Add a :class:`RedactingFilter` to every handler of ``logger`` (the root logger by default).

    Also quiets httpx's per-request INFO lines, whose URLs carry the token.
    """
    target = logger or logging.getLogger()
    flt = RedactingFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(flt)
    logging.getLogger("httpx").setLevel(max(logging.getLogger("httpx").level, logging.WARNING))
    return flt


def uninstall(flt: RedactingFilter, logger: logging.Logger | None = None) -> None:
    for handler in (logger or logging.getLogger()).handlers:
        handler.removeFilter(flt)


def at_least(level: int, *names: str) -> list[tuple[logging.Logger, int]]:
    """Raise these loggers to ``level`` if they log more; returns what :func:`restore` needs.

    Why: libraries log message contents at DEBUG (python-telegram-bot logs every update), which must
    not reach the logs unless question logging is on, even with ``--verbose``.
    """
    changed = []
    for name in names:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            changed.append((logger, logger.level))
            logger.setLevel(level)
    return changed


def restore(changed: list[tuple[logging.Logger, int]]) -> None:
    for logger, old in changed:
        logger.setLevel(old)
