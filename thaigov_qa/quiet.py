"""Logging set-up for the command line, and silence for libraries' chatter that means nothing to a user.

Why: a first run used to print ~70 lines of ONNX export and quantisation notices (``TracerWarning``,
``Quantization parameters for tensor … not specified``, "Please consider to run pre-processing before
quantization") and an INFO line per model load, interleaved with the progress bars. Logs now go through
tqdm (so a log line never cuts a bar in two), at WARNING unless ``-v`` (INFO) or ``-vv`` (DEBUG), and the
export and quantisation run inside :func:`quiet_libraries`, which drops those warnings where they are
raised instead of hiding every warning of the process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator

#: Level of the command line's logs for each ``-v`` count.
LEVELS = {0: logging.WARNING, 1: logging.INFO}


class TqdmHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record with ``tqdm.write``: above any progress bar on screen, never inside it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def setup_logging(verbosity: int) -> None:
    """Root logging on standard error: WARNING by default, INFO with ``-v``, DEBUG with ``-vv``.

    Like ``logging.basicConfig``, it leaves a logging set-up made by someone else alone (a test runner
    calling ``main``, a program embedding the package) and only quiets the libraries then."""
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    quiet_transformers(verbosity)
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, TqdmHandler)]
    if root.handlers and not ours:
        return
    for old in ours:
        root.removeHandler(old)
    handler = TqdmHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(LEVELS.get(verbosity, logging.DEBUG))


def quiet_transformers(verbosity: int = 0) -> None:
    """Keep transformers' and Hugging Face hub's advisory messages off the screen unless ``-vv``."""
    if verbosity >= 2:
        return
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "onnxruntime"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


class _DropRootRecords(logging.Filter):
    """onnxruntime's quantiser logs through the root logger (``logging.info(...)``): drop only those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name != "root" or record.levelno >= logging.ERROR


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence the warnings and root-logger notices of an ONNX export or quantisation while it runs.

    Only the block's own warnings are dropped (``warnings.catch_warnings``); errors still raise.
    """
    root = logging.getLogger()
    flt = _DropRootRecords()
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(flt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for handler in handlers:
            handler.removeFilter(flt)
