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


def chat_label(chat_id: int) -> str:
    """A chat as the alerts' logs name it: a group or a channel (negative id) by its id, which operators
    need; a private chat only as such, since its id is its user's (user ids are logged only with
    ``LOG_QUESTIONS``: ``bot.shared.QABot.who``)."""
    return str(chat_id) if chat_id < 0 else "a private chat"


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


HIDDEN = "<update data hidden: LOG_QUESTIONS=false>"


class UpdateDataFilter(logging.Filter):
    """Hides the raw updates python-telegram-bot puts in its own log lines.

    Why: when it cannot parse a batch of updates it logs the whole batch (question texts, user ids) at
    CRITICAL ("Error while parsing updates! Received data was …"), which no level setting holds back.
    A record from a ``telegram`` logger whose arguments carry update data (a dict, a list, or a long
    string) keeps its message but not those arguments, and its traceback loses the exception's text,
    which may quote a value; with ``LOG_QUESTIONS=true`` this filter is not installed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        if not any(isinstance(a, dict | list | tuple) or (isinstance(a, str) and len(a) > 200) for a in args):
            return True
        try:
            record.msg = str(record.msg) % tuple(HIDDEN for _ in args)
        except (TypeError, ValueError):
            record.msg = f"{record.msg} {HIDDEN}"
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = "".join(traceback.format_tb(exc.__traceback__))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{type(exc).__name__}: {HIDDEN}"
            record.exc_info = None
        return True


def hide_update_data(logger: logging.Logger | None = None) -> UpdateDataFilter:
    """Add an :class:`UpdateDataFilter` to every handler of ``logger`` (root by default). Install it
    before :func:`install`, whose filter formats the message (after that the arguments are gone)."""
    flt = UpdateDataFilter()
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(flt)
    return flt


def uninstall(flt: logging.Filter, logger: logging.Logger | None = None) -> None:
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
