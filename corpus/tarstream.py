"""A lean one-pass reader of tar streams (plain, .xz, .gz, .bz2) for the corpus archive.

:mod:`tarfile` in stream mode spends more CPU walking the corpus archive's 64,000 small members than
decompressing it; every ``--only`` read and every full build pays that. This reader parses the 512-byte
headers itself (ustar, GNU long names, pax ``path``/``size``), never copies a member it does not want,
and checks every header checksum, so a damaged archive is reported rather than misread. Anything it
cannot read raises :class:`TarStreamError`.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

BLOCK = 512
_CHUNK = 1 << 20


class TarStreamError(Exception):
    """The stream is not a readable tar archive (damaged, truncated, or an unknown compression)."""


def _open(path: Path) -> BinaryIO:
    name = path.name.lower()
    if name.endswith((".xz", ".txz")):
        return lzma.open(path, "rb")  # type: ignore[return-value]
    if name.endswith((".gz", ".tgz")):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _number(field: bytes) -> int:
    if field and field[0] & 0x80:  # GNU base-256 for large values
        value = int.from_bytes(field[1:], "big")
        return value - (1 << (8 * len(field) - 8)) if field[0] & 0x40 else value
    digits = field.split(b"\0", 1)[0].strip()
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise TarStreamError(f"bad number field {field!r}") from None


def _cstr(field: bytes) -> bytes:
    return field.split(b"\0", 1)[0]


def _checksum_ok(header: bytes) -> bool:
    stored = _number(header[148:156])
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:])
    return stored == unsigned


def _pax(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarStreamError("bad pax header") from None
        if length <= 0:
            raise TarStreamError("bad pax header")
        record = data[space + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


def _member_name(header: bytes, long_name: str | None, pax: dict[str, str]) -> str:
    """A member's name: a GNU long name or a pax path before it, else the header's (ustar prefix too)."""
    if long_name is not None:
        return long_name
    if "path" in pax:
        return pax["path"]
    raw = _cstr(header[0:100])
    if header[257:263] == b"ustar\x00":  # POSIX ustar: a prefix field before the name
        prefix = _cstr(header[345:500])
        if prefix:
            raw = prefix + b"/" + raw
    return raw.decode("utf-8", "surrogateescape")


def iter_members(path: str | Path, want: Callable[[str], bool] | None = None) -> Iterator[tuple[str, bytes]]:
    """``(name, data)`` of every regular file in the archive that ``want(name)`` accepts, in order.

    Names are decoded as UTF-8 (undecodable bytes kept with ``surrogateescape``). Raises
    :class:`TarStreamError` at the point the archive turns out damaged; members before it are yielded.
    """
    with _open(Path(path)) as fh:
        buf = b""
        pos = 0
        eof = False

        def need(n: int) -> bool:
            nonlocal buf, pos, eof
            while len(buf) - pos < n and not eof:
                try:
                    chunk = fh.read(max(_CHUNK, n))
                except (OSError, EOFError, lzma.LZMAError) as exc:
                    raise TarStreamError(f"cannot decompress: {exc}") from None
                if not chunk:
                    eof = True
                    break
                buf = buf[pos:] + chunk
                pos = 0
            return len(buf) - pos >= n

        long_name: str | None = None
        pax: dict[str, str] = {}
        while True:
            if not need(BLOCK):
                if len(buf) - pos == 0:
                    return  # an archive without the end-of-archive blocks: accepted, as tar does
                raise TarStreamError("truncated header")
            header = buf[pos : pos + BLOCK]
            pos += BLOCK
            if header.count(0) == BLOCK:
                return  # end-of-archive marker
            if not _checksum_ok(header):
                raise TarStreamError("bad header checksum: damaged archive")
            size = _number(header[124:136])
            kind = header[156:157]
            padded = (size + BLOCK - 1) // BLOCK * BLOCK
            if kind in (b"L", b"K", b"x", b"g"):
                if not need(padded):
                    raise TarStreamError("truncated extended header")
                data = buf[pos : pos + size]
                pos += padded
                if kind == b"L":
                    long_name = _cstr(data).decode("utf-8", "surrogateescape")
                elif kind == b"x":
                    pax = _pax(data)
                continue
            if "size" in pax:
                size = int(pax["size"])
                padded = (size + BLOCK - 1) // BLOCK * BLOCK
            name = _member_name(header, long_name, pax)
            long_name, pax = None, {}
            regular = kind in (b"0", b"\0", b"7")
            if regular and (want is None or want(name)):
                if not need(padded):
                    raise TarStreamError(f"truncated member {name}")
                yield name, buf[pos : pos + size]
                pos += padded
                continue
            # Skip the data without copying it: drop whole buffers until the member ends.
            skip = padded
            while skip > 0:
                available = len(buf) - pos
                if available >= skip:
                    pos += skip
                    break
                skip -= available
                buf, pos = b"", 0
                if not need(min(skip, BLOCK)):
                    raise TarStreamError(f"truncated member {name}")
