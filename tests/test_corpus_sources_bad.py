"""Bad input an admin may hand ``index build``: every file named like a release is read or reported.

Synthetic releases only (:func:`tests.test_corpus_parse.make`); no model, no index: the build-level
consequences are in ``test_build_bad_sources.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import tarfile
from pathlib import Path

import pytest

from corpus.release import Release
from corpus.sources import MAX_RELEASE_BYTES, Skipped, SourceError, dedupe, iter_source, read_releases
from corpus.tarstream import TarStreamError, iter_members
from tests.test_corpus_parse import URL, make

DAY = "data/2023/12/19/"


def release_bytes(n: int, body: str = "") -> bytes:
    return make(title=f"ข่าวทดสอบที่ {n}", body=body or f"เนื้อหาข่าวทดสอบที่ {n}", url=f"{URL}{9000 + n}").encode()


def _split(items: list[Release | Skipped]) -> tuple[list[str], dict[str, tuple[str, str]]]:
    paths = [i.path for i in items if isinstance(i, Release)]
    skipped = {i.path: (i.reason, i.detail) for i in items if isinstance(i, Skipped)}
    return paths, skipped


def _tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tf:
        for info in members:
            payload = data.get(info.name)
            if payload is not None:
                info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_links_and_special_members_of_an_archive_are_reported(tmp_path: Path) -> None:
    """A release stored as a hard link (``tar`` of hard-linked copies) vanished without a word."""
    first = DAY + "ด้านสังคม_1.txt"
    archive = _tar(
        tmp_path / "a.tar",
        [
            _member(first),
            _member(DAY + "ด้านสังคม_2.txt", tarfile.LNKTYPE, first),
            _member(DAY + "ด้านสังคม_3.txt", tarfile.SYMTYPE, "/etc/passwd"),
            _member(DAY + "ด้านสังคม_4.txt", tarfile.FIFOTYPE),
            _member("data/notes", tarfile.SYMTYPE, "README"),  # not named like a release: ignored
        ],
        {first: release_bytes(1)},
    )
    paths, skipped = _split(list(iter_source(archive)))
    assert paths == [first]
    assert skipped == {
        DAY + "ด้านสังคม_2.txt": ("not_regular", f"a hard link to {first}"),
        DAY + "ด้านสังคม_3.txt": ("not_regular", "a symbolic link to /etc/passwd"),
        DAY + "ด้านสังคม_4.txt": ("not_regular", "a named pipe (FIFO)"),
    }


def test_files_too_large_to_be_a_release_are_skipped_unread(tmp_path: Path) -> None:
    """A 50 MB one-line file took minutes and gigabytes to chunk; now it is reported and never read."""
    big = release_bytes(2, body="ข" * (MAX_RELEASE_BYTES // 3 + 10))
    assert len(big) > MAX_RELEASE_BYTES
    members = [_member(DAY + "a_1.txt"), _member(DAY + "a_2.txt")]
    archive = _tar(tmp_path / "a.tar", members, {DAY + "a_1.txt": release_bytes(1), DAY + "a_2.txt": big})
    paths, skipped = _split(list(iter_source(archive)))
    assert paths == [DAY + "a_1.txt"] and skipped == {DAY + "a_2.txt": ("too_large", f"{len(big):,} bytes")}

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    (folder / "a_2.txt").write_bytes(big)
    paths, skipped = _split(list(iter_source(folder)))
    assert paths == ["a_1.txt"] and skipped["a_2.txt"][0] == "too_large"


def test_a_member_over_the_limit_is_not_held_in_memory(tmp_path: Path) -> None:
    archive = _tar(
        tmp_path / "a.tar", [_member("a.txt"), _member("b.txt")], {"a.txt": b"x" * 5000, "b.txt": b"y"}
    )
    got = list(iter_members(archive, lambda n: True, max_size=1000))
    assert [n for n, _ in got] == ["a.txt", "b.txt"] and got[1][1] == b"y"
    assert not isinstance(got[0][1], bytes) and got[0][1].reason == "too_large"


def test_names_that_are_not_utf8_are_reported_not_a_crash(tmp_path: Path) -> None:
    """SQLite cannot store such a path: the build died with a traceback after reading everything."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    with open(os.path.join(os.fsencode(folder), b"caf\xe9_2.txt"), "wb") as fh:  # a Latin-1 name
        fh.write(release_bytes(2))
    paths, skipped = _split(list(iter_source(folder)))
    assert paths == ["a_1.txt"] and skipped == {"caf\ufffd_2.txt": ("bad_name", "")}

    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w", format=tarfile.USTAR_FORMAT, encoding="latin-1") as tf:
        for name, n in (("a_1.txt", 1), ("caf\xe9_2.txt", 2)):
            info = tarfile.TarInfo(name)
            info.size = len(release_bytes(n))
            tf.addfile(info, io.BytesIO(release_bytes(n)))
    paths, skipped = _split(list(iter_source(archive)))
    assert paths == ["a_1.txt"] and skipped == {"caf\ufffd_2.txt": ("bad_name", "")}


def test_links_folders_and_pipes_named_like_releases_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    (folder / "sub.txt").mkdir(parents=True)
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    (folder / "a_2.txt").symlink_to(folder / "a_1.txt")  # a link to a release is read like the file
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "pipe.txt")
    paths, skipped = _split(list(iter_source(folder)))
    assert paths == ["a_1.txt", "a_2.txt"]
    assert {k: v[0] for k, v in skipped.items()} == dict.fromkeys(
        ["gone.txt", "loop.txt", "pipe.txt", "sub.txt"], "not_regular"
    )
    assert skipped["gone.txt"][1].startswith(f"a broken link to {tmp_path / 'missing.txt'}")
    assert skipped["sub.txt"][1] == "a folder"


def test_an_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``rglob`` skipped a folder it could not list without a word (tests run as root: listing is refused
    here the way the OS refuses it)."""
    folder = tmp_path / "corpus"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "a_2.txt").write_bytes(release_bytes(2))
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    real_scandir = os.scandir
    closed = {str(folder / "2024")}

    def scandir(path: object = ".") -> object:
        if os.fspath(path) in closed:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    paths, skipped = _split(list(iter_source(folder)))
    assert paths == ["a_1.txt"] and skipped == {"2024": ("read_error", "Permission denied")}
    closed.add(str(folder))
    with pytest.raises(SourceError, match="cannot read the source .*corpus: Permission denied"):
        list(iter_source(folder))


def test_an_archive_that_cannot_be_opened_is_a_source_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It ended the build with a PermissionError traceback."""
    archive = _tar(tmp_path / "a.tar", [], {})
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == archive:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SourceError, match="cannot read the source .*a.tar: Permission denied"):
        list(iter_source(archive))


def test_tar_reader_reports_open_errors_and_bad_pax_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus.tarstream as tarstream

    with tarfile.open(tmp_path / "p.tar", "w", format=tarfile.PAX_FORMAT) as tf:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        info.pax_headers = {"size": "1"}
        tf.addfile(info, io.BytesIO(b"a"))
    data = (tmp_path / "p.tar").read_bytes()
    assert b"size=1\n" in data[512:1024]  # the pax record, outside the header block's checksum
    (tmp_path / "bad.tar").write_bytes(data.replace(b"size=1\n", b"size=x\n"))
    with pytest.raises(TarStreamError, match="bad pax size"):
        list(iter_members(tmp_path / "bad.tar"))

    def denied(path: Path) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tarstream, "_open", denied)
    with pytest.raises(TarStreamError, match="cannot open: Permission denied"):
        list(iter_members(tmp_path / "p.tar"))


def test_only_paths_outside_the_folder_are_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    (tmp_path / "outside.txt").write_bytes(release_bytes(2))
    only = ["a_1.txt", "../outside.txt", str(tmp_path / "outside.txt")]
    paths, skipped = _split(list(iter_source(folder, only=only)))
    assert paths == ["a_1.txt"]
    assert {k: v[0] for k, v in skipped.items()} == {"../outside.txt": "not_found", only[2]: "not_found"}


def test_an_only_path_that_cannot_be_looked_up_is_reported(tmp_path: Path) -> None:
    """A list line with a name too long for the file system raised out of ``index build`` as a traceback
    (pathlib re-raises ENAMETOOLONG on Python 3.11): reported as unreadable, the rest read."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_1.txt").write_bytes(release_bytes(1))
    long_name = "x" * 300 + ".txt"
    paths, skipped = _split(list(iter_source(folder, only=["a_1.txt", long_name])))
    assert paths == ["a_1.txt"] and skipped[long_name][0] == "read_error"


def test_a_damaged_tar_gz_is_a_bad_archive_not_a_traceback(tmp_path: Path) -> None:
    """zlib's own error ("invalid distance too far back") escaped the archive reader, which caught only
    lzma's and OSError: a traceback instead of the damaged-archive report."""
    rng = random.Random(1)
    names = [DAY + f"a_{n}.txt" for n in range(40)]
    texts = {name: "".join(rng.choice("กขคงจฉชซฌญฎฏ abc") for _ in range(3000)).encode() for name in names}
    plain = _tar(tmp_path / "c.tar", [_member(name) for name in names], texts)
    packed = bytearray(gzip.compress(plain.read_bytes(), mtime=0))
    start = len(packed) // 10
    packed[start : start + 40] = bytes(b ^ 0xFF for b in packed[start : start + 40])
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(bytes(packed))
    items = list(iter_source(broken))
    assert isinstance(items[-1], Skipped) and items[-1].reason == "bad_archive"


def test_an_absolute_only_path_inside_the_folder_is_read(tmp_path: Path) -> None:
    """A list made with ``find /corpus/data …`` holds absolute paths: read before, then refused as
    "outside the source folder" though inside it."""
    folder = tmp_path / "corpus"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "a_1.txt").write_bytes(release_bytes(1))
    paths, skipped = _split(list(iter_source(folder, only=[str(folder / "data" / "a_1.txt")])))
    assert paths == ["data/a_1.txt"] and skipped == {}


def test_jsonl_fields_of_the_wrong_type_are_bad_records(tmp_path: Path) -> None:
    """``str()`` made a release of URL ``12345`` and title ``['a']`` out of such a line."""
    good = {"url": URL + "1", "title": "หัวข้อ", "body": "เนื้อหา", "date": "2024-01-09"}
    lines = [
        good,
        {**good, "url": 12345},
        {**good, "title": ["a"]},
        {**good, "body": {"x": 1}},
        {**good, "lang": 5},
        {**good, "lang": "fr"},
        {**good, "url": "not a link"},
        {**good, "path": ["p"]},
    ]
    path = tmp_path / "r.jsonl"
    text = "\r\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode() + b"\r\n\r\n" + b'{"title": "caf\xe9"}\n')
    items = list(iter_source(path))
    releases = [i for i in items if isinstance(i, Release)]
    assert [r.url for r in releases] == [URL + "1"]  # the first line, after a byte-order mark and CRLF
    skipped = {i.path.rsplit(":", 1)[1]: (i.reason, i.detail) for i in items if isinstance(i, Skipped)}
    assert skipped == {
        "2": ("bad_record", "url is int, not a string"),
        "3": ("bad_record", "title is list, not a string"),
        "4": ("bad_record", "body is dict, not a string"),
        "5": ("bad_record", "lang is int, not a string"),
        "6": ("bad_record", "lang 'fr' is not one of th, en"),
        "7": ("bad_record", "url 'not a link' is not an http(s) link"),
        "8": ("bad_record", "path is list, not a string"),
        "10": ("bad_encoding", "not UTF-8 at byte 14"),  # was decoded with U+FFFD and indexed
    }


def test_jsonl_ids_as_numbers_and_capital_codes_are_read(tmp_path: Path) -> None:
    """A numeric ``release_id`` (a scraper's JSON), ``"TH"`` and ``HTTPS://`` were read before the strict
    types came and then refused as bad records: the same release, nothing coerced from another type."""
    good = {"url": URL + "1", "title": "หัวข้อ", "body": "เนื้อหา", "date": "2024-01-09"}
    path = tmp_path / "r.jsonl"
    lines = [{**good, "release_id": 1}, {**good, "lang": "TH"}, {**good, "url": "HTTPS://x.go.th/2"}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    releases = list(iter_source(path))
    assert all(isinstance(r, Release) for r in releases)
    assert [(r.release_id, r.lang) for r in releases] == [("1", "th"), ("1", "th"), ("2", "th")]  # type: ignore[union-attr]


def test_a_huge_jsonl_line_is_read_past(tmp_path: Path) -> None:
    good = {"url": URL + "1", "title": "หัวข้อ", "body": "เนื้อหา", "date": "2024-01-09"}
    path = tmp_path / "r.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({**good, "body": "x" * (MAX_RELEASE_BYTES + 10)}) + "\n")
        fh.write(json.dumps({**good, "url": URL + "2"}) + "\n")
    items = list(iter_source(path))
    assert isinstance(items[0], Skipped) and (items[0].path, items[0].reason) == (f"{path}:1", "too_large")
    assert isinstance(items[1], Release) and items[1].url == URL + "2"


def test_duplicates_are_reported_with_the_file_kept(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    for day, body in (("2023/01/02", "ฉบับแรก"), ("2023/01/03", "ฉบับใหม่"), ("2023/01/01", "ฉบับเก่า")):
        (folder / day).mkdir(parents=True)
        (folder / day / "ด้านสังคม_1.txt").write_text(make(body=body, url=URL + "7"), encoding="utf-8")
    seen: list[tuple[str, str]] = []
    releases = read_releases(folder, on_duplicate=lambda lost, kept: seen.append((lost.path, kept.path)))
    assert [r.body for r in releases] == ["ฉบับใหม่"]
    kept = "2023/01/03/ด้านสังคม_1.txt"
    assert sorted(seen) == [("2023/01/01/ด้านสังคม_1.txt", kept), ("2023/01/02/ด้านสังคม_1.txt", kept)]
    assert dedupe(releases) == releases
