"""The one-pass tar reader agrees with :mod:`tarfile` on every format tar writes, and refuses damage."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from corpus.tarstream import TarStreamError, iter_members

LONG = "data/2023/09/14/Government News\t_4_24256aa5-b209-4b80-9ece-79187ca76b35.txt"
#: Over 100 bytes in its file name alone: GNU and pax formats only.
LONGER = "data/2023/11/19/ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี_1_945bbf44-ea7a-4db7.txt"
#: Over 100 bytes in its folders: ustar's prefix field.
DEEP = "data/" + "ด้านสังคม/" * 4 + "a.txt"
FILES = {
    "data/README.md": b"# notes\n",
    "data/2021/01/12/ด้านสังคม_4.txt": "ข่าว".encode() * 300,  # several blocks
    LONG: b"",  # empty member
    DEEP: b"deep",
}


def write(path: Path, fmt: int, mode: str) -> dict[str, bytes]:
    files = dict(FILES) if fmt == tarfile.USTAR_FORMAT else {**FILES, LONGER: b"x"}
    with tarfile.open(path, mode, format=fmt) as tf:
        info = tarfile.TarInfo("data")
        info.type = tarfile.DIRTYPE
        tf.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return files


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
@pytest.mark.parametrize("suffix", [".tar.xz", ".tar.gz", ".tar"])
def test_same_members_as_tarfile(tmp_path: Path, fmt: int, suffix: str) -> None:
    mode = {".tar.xz": "w:xz", ".tar.gz": "w:gz", ".tar": "w"}[suffix]
    path = tmp_path / f"a{suffix}"
    files = write(path, fmt, mode)
    assert dict(iter_members(path)) == files
    with tarfile.open(path) as tf:
        assert {m.name for m in tf if m.isfile()} == set(files)


def test_want_filters_without_reading_others(tmp_path: Path) -> None:
    path = tmp_path / "a.tar.xz"
    write(path, tarfile.GNU_FORMAT, "w:xz")
    assert [n for n, _ in iter_members(path, lambda n: n.endswith(".txt") and "\t" in n)] == [LONG]


def test_damage_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.tar", tarfile.GNU_FORMAT, "w")
    good = (tmp_path / "a.tar").read_bytes()
    truncated = tmp_path / "t.tar"
    truncated.write_bytes(good[: 512 * 5 + 100])
    with pytest.raises(TarStreamError):
        list(iter_members(truncated))
    corrupt = bytearray(good)
    corrupt[512 * 3 + 10] ^= 0xFF  # inside a later header
    (tmp_path / "c.tar").write_bytes(bytes(corrupt))
    with pytest.raises(TarStreamError, match="checksum|truncated"):
        list(iter_members(tmp_path / "c.tar"))
    (tmp_path / "n.tar.xz").write_bytes(b"not xz at all" * 100)
    with pytest.raises(TarStreamError, match="decompress"):
        list(iter_members(tmp_path / "n.tar.xz"))
