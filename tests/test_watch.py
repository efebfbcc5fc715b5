"""corpus.watch: new or changed thaigov-v2 files in a watched folder, by (mtime, size) stamps."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from corpus.watch import scan_dir

SMALL = [
    "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt",
    "data/2025/01/02/ด้านสังคม _5_c02a0a41-0518-47f0-9edc-388424136db8.txt",
    "data/2023/02/17/Government News_2_585275e9-86e3-473b-a7a6-d227ef020a17.txt",
]


def _copy(sample_dir: Path, rel: str, dest: Path) -> Path:
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_dir / rel, target)
    return target


def _age(path: Path, seconds: float = 60) -> None:
    """Make a file look settled (written a minute ago), with a distinct mtime."""
    t = time.time() - seconds
    os.utime(path, (t, t))


@pytest.fixture
def watched(tmp_path: Path, sample_dir: Path) -> Path:
    folder = tmp_path / "watch"
    for rel in SMALL[:2]:
        _age(_copy(sample_dir, rel, folder))
    return folder


def test_first_scan_reads_everything_then_nothing(watched: Path) -> None:
    first = scan_dir(watched, {})
    assert not first.error and not first.skipped
    assert len(first.found) == 2 and len(first.stamps) == 2
    paths = {Path(p).relative_to(watched.resolve()).as_posix() for p, _ in first.found}
    assert paths == set(SMALL[:2])
    release = dict(first.found)[str(watched.resolve() / SMALL[0])]
    # The release path is relative to the watched folder, so the parser reads category and crawl date.
    assert release.path == SMALL[0]
    assert release.category == "Government News" and release.crawled == "2023-03-14"
    assert release.url.startswith("https://www.thaigov.go.th/news/contents/details/")
    again = scan_dir(watched, first.stamps)
    assert again.found == [] and again.stamps == {} and again.vanished == []


def test_new_changed_and_deleted_files(watched: Path, sample_dir: Path) -> None:
    known = scan_dir(watched, {}).stamps
    before = {r.url: r.hash for r in scan_dir(watched, {}).releases}
    # A new file lands.
    _age(_copy(sample_dir, SMALL[2], watched), 30)
    # An existing file is edited (same URL, new text).
    edited = watched / SMALL[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("pleased", "very pleased"), encoding="utf-8")
    _age(edited, 20)
    # Another disappears.
    (watched / SMALL[1]).unlink()
    scan = scan_dir(watched, known)
    found = {Path(p).name: r for p, r in scan.found}
    assert set(found) == {Path(SMALL[2]).name, Path(SMALL[0]).name}
    changed = found[Path(SMALL[0]).name]
    assert changed.url in before and changed.hash != before[changed.url]
    assert scan.vanished == [str(watched.resolve() / SMALL[1])]


def test_unusable_and_hidden_files(watched: Path) -> None:
    known = scan_dir(watched, {}).stamps
    junk = watched / "data/2025/01/02/_1_00000000-0000-0000-0000-000000000000.txt"
    junk.write_text("รัฐบาลไทย-\n\nวันพฤหัสบดีที่ 1 มกราคม 2513\n", encoding="utf-8")
    _age(junk)
    hidden = watched / "data/2025/01/02/.partial.txt"
    hidden.write_text("half written", encoding="utf-8")
    _age(hidden)
    scan = scan_dir(watched, known)
    assert scan.found == []
    assert [(Path(s.path).name, s.reason) for s in scan.skipped] == [(junk.name, "placeholder_date")]
    # Stamped, so the next pass does not parse it again (until it changes).
    assert str(junk.resolve()) in scan.stamps
    assert scan_dir(watched, {**known, **scan.stamps}).skipped == []


def test_a_broken_link_is_reported_once(watched: Path) -> None:
    known = scan_dir(watched, {}).stamps
    link = watched / "data/2025/01/03/ด้านสังคม_1_00000000-0000-0000-0000-000000000001.txt"
    link.parent.mkdir(parents=True)
    link.symlink_to(watched / "gone.txt")
    loop = link.with_name("ด้านสังคม_2_00000000-0000-0000-0000-000000000002.txt")
    loop.symlink_to(loop)  # a link to itself: a loop
    scan = scan_dir(watched, known)
    assert scan.found == []
    assert sorted((Path(s.path).name, s.reason.split(" to ")[0]) for s in scan.skipped) == [
        (link.name, "broken link"),
        (loop.name, "broken link"),
    ]
    assert scan_dir(watched, {**known, **scan.stamps}).skipped == []  # once, until the link changes


def test_file_still_being_written_waits(watched: Path, sample_dir: Path) -> None:
    known = scan_dir(watched, {}).stamps
    fresh = _copy(sample_dir, SMALL[2], watched)  # mtime: now
    scan = scan_dir(watched, known, settle=30)
    assert scan.found == [] and scan.unsettled == 1 and str(fresh.resolve()) not in scan.stamps
    later = scan_dir(watched, known, settle=30, now=time.time() + 60)
    assert [Path(p).name for p, _ in later.found] == [fresh.name]


def test_missing_folder_is_an_error_not_an_exception(tmp_path: Path) -> None:
    scan = scan_dir(tmp_path / "nope", {})
    assert "does not exist" in scan.error and scan.found == []


def test_a_big_folder_is_read_over_several_passes(watched: Path, sample_dir: Path) -> None:
    _age(_copy(sample_dir, SMALL[2], watched))
    first = scan_dir(watched, {}, max_files=2)
    assert len(first.found) == 2 and first.more
    second = scan_dir(watched, first.stamps, max_files=2)
    assert len(second.found) == 1 and not second.more and second.vanished == []
    assert {p for p, _ in first.found}.isdisjoint(p for p, _ in second.found)
