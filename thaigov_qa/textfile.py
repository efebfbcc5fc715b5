"""Reading a small text file the operator wrote (a ``.env``, a question set): UTF-8, a byte-order mark read
past, and the first line that is not UTF-8 named, so the caller's error can point at it."""

from __future__ import annotations

import codecs
from pathlib import Path


class NotUtf8(ValueError):
    """The file's bytes are not UTF-8 from ``line`` (1-based) on."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: not UTF-8 text (save the file as UTF-8)")
        self.line = line


def read_utf8(path: Path) -> str:
    """The file's text; :class:`NotUtf8` names the first line that does not decode."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):  # read past it here: the error's offset must count from data[0]
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(data[: exc.start].count(b"\n") + 1) from None
