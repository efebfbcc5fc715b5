"""A lean one-pass reader of tar streams (plain, .xz, .gz, .bz2) for the corpus archive.

:mod:`tarfile` in stream mode spends more CPU walking the corpus archive's 64,000 small members than
decompressing it; every ``--only`` read and every full build pays that. This reader parses the 512-byte
headers itself (ustar, GNU long names, pax ``path``/``size``), never copies a member it does not want,
and checks every header checksum, so a damaged archive is reported rather than misread. Anything it
cannot read raises :class:`TarStreamError`. A wanted name whose data is not read (a link, a folder, a
member over ``max_size``) comes out as :class:`NotRead`, so the caller can say why it was not indexed.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

BLOCK = 512
_CHUNK = 1 << 20
#: Member types with data of their own: regular files (``0``, old ``\0``, contiguous ``7``).
_REGULAR = (b"0", b"\0", b"7")
_KINDS = {
    b"1": "a hard link to {link}",
    b"2": "a symbolic link to {link}",
    b"3": "a character device",
    b"4": "a block device",
    b"5": "a folder",
    b"6": "a named pipe (FIFO)",
}


class TarStreamError(Exception):
    """The stream is not a readable tar archive (damaged, truncated, or an unknown compression)."""


@dataclass(frozen=True)
class NotRead:
    """A member ``want`` accepted whose data was not read; ``reason`` is ``not_regular`` or ``too_large``."""

    reason: str
    detail: str


def _not_regular(header: bytes, kind: bytes, pax: dict[str, str]) -> NotRead:
    """Why a link or special member named like a release is not read: an archive made with ``tar -h`` or
    from hard-linked copies stores a release as a link, and the release must not vanish without a word."""
    link = pax.get("linkpath") or _cstr(header[157:257]).decode("utf-8", "surrogateescape")
    return NotRead("not_regular", _KINDS.get(kind, f"a member of type {kind!r}").format(link=link))


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


def _pax_size(value: str) -> int:
    """A pax ``size`` record: a damaged one is a damaged archive, not a crash."""
    try:
        size = int(value)
    except ValueError:
        raise TarStreamError(f"bad pax size {value!r}") from None
    if size < 0:
        raise TarStreamError(f"bad pax size {value!r}")
    return size


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


def iter_members(
    path: str | Path, want: Callable[[str], bool] | None = None, *, max_size: int | None = None
) -> Iterator[tuple[str, bytes | NotRead]]:
    """``(name, data)`` of every regular file in the archive that ``want(name)`` accepts, in order.

    With ``want``, a link or special member it accepts comes out as ``(name, NotRead(...))``, and so does
    a regular member over ``max_size`` bytes (its data skipped, never held in memory). Names are decoded
    as UTF-8 (undecodable bytes kept with ``surrogateescape``). Raises :class:`TarStreamError` at the point
    the archive turns out damaged or unreadable; members before it are yielded.
    """
    try:
        fh = _open(Path(path))
    except OSError as exc:
        raise TarStreamError(f"cannot open: {exc.strerror or exc}") from None
    with fh:
        yield from _members(_Reader(fh), want, max_size)


class _Reader:
    """A read-ahead buffer over the decompressed stream: whole blocks on demand, skips without copying."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.buf = b""
        self.pos = 0
        self.eof = False

    def need(self, n: int) -> bool:
        """True when ``n`` bytes are buffered from ``pos`` (reads more as needed); False at the end."""
        while len(self.buf) - self.pos < n and not self.eof:
            try:
                chunk = self.fh.read(max(_CHUNK, n))
            except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:  # zlib: a damaged .tar.gz
                raise TarStreamError(f"cannot decompress: {exc}") from None
            if not chunk:
                self.eof = True
                break
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
        return len(self.buf) - self.pos >= n

    def take(self, size: int, padded: int, name: str) -> bytes:
        """The next ``size`` bytes of data, moving past its ``padded`` block(s)."""
        if not self.need(padded):
            raise TarStreamError(f"truncated member {name}")
        data = self.buf[self.pos : self.pos + size]
        self.pos += padded
        return data

    def skip(self, padded: int, name: str) -> None:
        """Move past ``padded`` bytes without copying them: whole buffers are dropped until it ends."""
        while padded > 0:
            available = len(self.buf) - self.pos
            if available >= padded:
                self.pos += padded
                return
            padded -= available
            self.buf, self.pos = b"", 0
            if not self.need(min(padded, BLOCK)):
                raise TarStreamError(f"truncated member {name}")


def _padded(size: int) -> int:
    return (size + BLOCK - 1) // BLOCK * BLOCK


def _members(
    r: _Reader, want: Callable[[str], bool] | None, max_size: int | None
) -> Iterator[tuple[str, bytes | NotRead]]:
    """The walk over the headers behind :func:`iter_members`."""
    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        if not r.need(BLOCK):
            if len(r.buf) - r.pos == 0:
                return  # an archive without the end-of-archive blocks: accepted, as tar does
            raise TarStreamError("truncated header")
        header = r.buf[r.pos : r.pos + BLOCK]
        r.pos += BLOCK
        if header.count(0) == BLOCK:
            return  # end-of-archive marker
        if not _checksum_ok(header):
            raise TarStreamError("bad header checksum: damaged archive")
        size = _number(header[124:136])
        if size < 0:
            raise TarStreamError("negative member size: damaged archive")
        kind = header[156:157]
        if kind in (b"L", b"K", b"x", b"g"):
            data = r.take(size, _padded(size), "(extended header)")
            if kind == b"L":
                long_name = _cstr(data).decode("utf-8", "surrogateescape")
            elif kind == b"x":
                pax = _pax(data)
            continue
        if "size" in pax:
            size = _pax_size(pax["size"])
        name = _member_name(header, long_name, pax)
        member_pax, long_name, pax = pax, None, {}
        wanted = want is None or want(name)
        if kind in _REGULAR and wanted and (max_size is None or size <= max_size):
            yield name, r.take(size, _padded(size), name)
            continue
        if want is not None and wanted:
            regular = kind in _REGULAR
            yield (
                name,
                NotRead("too_large", f"{size:,} bytes")
                if regular
                else _not_regular(header, kind, member_pax),
            )
        r.skip(_padded(size), name)
