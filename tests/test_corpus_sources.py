"""Reading sources: a folder, a streamed .tar.xz, an --only list, JSONL; skipped files; one release a URL."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from corpus.release import Release
from corpus.sources import (
    Skipped,
    SourceError,
    dedupe,
    iter_source,
    read_only_list,
    read_releases,
    write_jsonl,
)
from tests.test_corpus_parse import OLD_FILE, SPACE_FILE, TAB_FILE, URL, make

DUP_OLD = "data/2022/11/05/ด้านเศรษฐกิจ_9_11111111-2222-3333-4444-555555555555.txt"
DUP_NEW = "data/2023/01/02/ด้านเศรษฐกิจ_3_11111111-2222-3333-4444-666666666666.txt"
PLACEHOLDER = "data/2023/11/08/_1_80cefbb0-4598-4b2b-b51b-5ec401295ace.txt"
LATIN1 = "data/2023/05/05/ด้านสังคม_2.txt"


def _files(sample_dir: Path) -> dict[str, bytes]:
    """Three small real files, two crawls of one URL, a placeholder, a non-UTF-8 file, the README."""
    placeholder = "รัฐบาลไทย-\n\n\nวันพฤหัสบดีที่ 1 มกราคม 2513\n\nที่มา : https://www.thaigov.go.th/news/contents/details/74383"
    return {
        "data/README.md": b"# not a release\n",
        TAB_FILE: (sample_dir / TAB_FILE).read_bytes(),
        OLD_FILE: (sample_dir / OLD_FILE).read_bytes(),
        SPACE_FILE: (sample_dir / SPACE_FILE).read_bytes(),
        DUP_OLD: make(body="ฉบับแรก", url=URL + "35198").encode(),
        DUP_NEW: make(body="ฉบับปรับปรุง", url=URL + "35198").encode(),
        PLACEHOLDER: placeholder.encode(),
        LATIN1: make().encode("cp874"),
    }


def build_archive(tmp_path: Path, sample_dir: Path) -> Path:
    """A small .tar.xz laid out like the corpus archive (see :func:`_files`)."""
    path = tmp_path / "mini.tar.xz"
    with tarfile.open(path, "w:xz") as tf:
        for name, data in _files(sample_dir).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def archive(tmp_path: Path, sample_dir: Path) -> Path:
    return build_archive(tmp_path, sample_dir)


@pytest.fixture
def folder(tmp_path: Path, sample_dir: Path) -> Path:
    root = tmp_path / "corpus"
    for name, data in _files(sample_dir).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _split(items: list[Release | Skipped]) -> tuple[list[Release], dict[str, str]]:
    releases = [i for i in items if isinstance(i, Release)]
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    return releases, skipped


def test_archive_is_streamed_and_bad_files_reported(archive: Path) -> None:
    releases, skipped = _split(list(iter_source(archive)))
    assert skipped == {PLACEHOLDER: "placeholder_date", LATIN1: "bad_encoding"}  # README ignored
    assert len(releases) == 5
    assert {r.path for r in releases} == {TAB_FILE, OLD_FILE, SPACE_FILE, DUP_OLD, DUP_NEW}


def test_read_releases_keeps_later_crawl(archive: Path) -> None:
    seen: list[Skipped] = []
    releases = read_releases(archive, on_skip=seen.append)
    assert len(releases) == 4 and len(seen) == 2
    (dup,) = [r for r in releases if r.release_id == "35198"]
    assert dup.body == "ฉบับปรับปรุง" and dup.crawled == "2023-01-02"


def test_dedupe_order_does_not_matter(archive: Path) -> None:
    releases = [r for r in iter_source(archive) if isinstance(r, Release)]
    assert [r.body for r in dedupe(reversed(releases)) if r.release_id == "35198"] == ["ฉบับปรับปรุง"]


def test_only_list_picks_members_and_reports_missing(archive: Path, tmp_path: Path) -> None:
    listing = tmp_path / "only.txt"
    missing = "data/2099/01/01/ด้านสังคม_1.txt"
    listing.write_text(
        f"# dev corpus\n{TAB_FILE}\n\n./{OLD_FILE}\n{PLACEHOLDER}\n{missing}\n", encoding="utf-8"
    )
    assert read_only_list(listing) == [TAB_FILE, OLD_FILE, PLACEHOLDER, missing]
    releases, skipped = _split(list(iter_source(archive, only=listing)))
    assert sorted(r.path for r in releases) == sorted([TAB_FILE, OLD_FILE])
    assert skipped == {PLACEHOLDER: "placeholder_date", missing: "not_found"}
    # The same list as an iterable.
    assert [r.path for r in read_releases(archive, only=[OLD_FILE])] == [OLD_FILE]


def test_only_on_dev_corpus_list_format(shared_dir: Path, sample_dir: Path) -> None:
    """The real dev-corpus list names files with TABs in them; the sample folder holds some of them."""
    wanted = read_only_list(shared_dir / "eval" / "dev-corpus.txt")
    assert TAB_FILE in wanted
    releases = read_releases(sample_dir, only=[TAB_FILE, OLD_FILE])
    assert {r.category for r in releases} == {"Government News", "ด้านสังคม"}


def test_folder_source(folder: Path) -> None:
    releases, skipped = _split(list(iter_source(folder)))
    assert set(skipped.values()) == {"placeholder_date", "bad_encoding"}
    assert len(releases) == 5 and TAB_FILE in {r.path for r in releases}  # paths relative to the folder
    assert len(read_releases(folder)) == 4
    single = list(iter_source(folder / OLD_FILE))
    assert isinstance(single[0], Release) and single[0].release_id == "38225"


def test_jsonl_round_trip_and_bad_records(archive: Path, tmp_path: Path) -> None:
    releases = read_releases(archive)
    path = tmp_path / "releases.jsonl"
    assert write_jsonl(releases, path) == 4
    with path.open("a", encoding="utf-8") as fh:
        fh.write("not json\n")
        fh.write("[" * 100_000 + "\n")  # nested too deeply for the parser: one bad record, not a lost report
        fh.write(json.dumps({"url": URL + "1", "title": "t", "body": "b", "date": "someday"}) + "\n")
        fh.write(
            json.dumps({"url": URL + "2", "title": "หัวข้อ", "body": "เนื้อหา", "date": "2024-01-09"}) + "\n"
        )
    items = list(iter_source(path))
    back, skipped = _split(items)
    assert back[:4] == releases
    assert [r.hash for r in back[:4]] == [r.hash for r in releases]
    extra = back[4]
    assert (extra.release_id, extra.lang, extra.date) == ("2", "th", "2024-01-09")
    assert sorted(skipped.values()) == ["bad_record", "bad_record", "bad_record"]
    assert all(p.startswith(str(path)) for p in skipped)


def test_damaged_archive_reports_and_keeps_what_was_read(archive: Path, tmp_path: Path) -> None:
    data = archive.read_bytes()
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(data[: len(data) * 2 // 3])
    items = list(iter_source(broken))
    assert isinstance(items[-1], Skipped) and items[-1].reason == "bad_archive"


def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        list(iter_source(tmp_path / "nope.tar.xz"))
    odd = tmp_path / "corpus.zip"
    odd.write_bytes(b"PK")
    with pytest.raises(SourceError, match="unknown source kind"):
        list(iter_source(odd))
    with pytest.raises(SourceError, match="--only"):
        list(iter_source(tmp_path, only=tmp_path / "missing-list.txt"))


def test_an_only_list_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    from corpus.sources import SourceError, read_only_list

    listed = tmp_path / "only.txt"
    listed.write_bytes(b"\xef\xbb\xbfdata/2024/01/01/a.txt\n\xff\xfe\n")
    with pytest.raises(SourceError, match="only.txt: line 2: not UTF-8"):
        read_only_list(listed)
    listed.write_bytes(b"\xef\xbb\xbfdata/2024/01/01/a.txt\n")  # a byte-order mark is read past
    assert read_only_list(listed) == ["data/2024/01/01/a.txt"]
