"""``index build`` and ``update`` over bad input: a clear error, exit status 2, the live index serving.

Each test copies the small shared index (``tests/index_base.py``) and runs the command line or the
pipeline over a source made bad on purpose; only releases made here (never a corpus file's text) are
written, and nothing here embeds a passage.
"""

from __future__ import annotations

import json
import lzma
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from index.build import store
from index.build.pipeline import SourceRefused, build_index, update_index
from index.search.reader import IndexReader
from tests import index_base
from tests.index_base import HUAWEI_URL, BaseIndex
from tests.test_corpus_parse import URL, make
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow
base_index = index_base.base_index  # the shared session fixture


def _serving(settings: Settings) -> None:
    """The base generation is still live and answers a search for its Huawei release."""
    assert store.read_current(settings.index_dir) == 1
    reader = IndexReader.open(settings)
    try:
        assert reader.stats()["releases"] == 5
        assert HUAWEI_URL in {row.url for row in reader.chunks([c for c, _ in reader.bm25("หัวเว่ย", 5)])}
    finally:
        reader.close()


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    from thaigov_app.cli import main

    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("EMBEDDING_MODEL", settings.embedding_model)
    monkeypatch.delenv("CORPUS_SOURCES", raising=False)
    return main(list(argv))


def test_a_truncated_archive_is_refused_and_the_index_keeps_serving(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was indexed up to the damage and every release after it removed, exit status 0."""
    settings, source = base_index.clone(tmp_path)
    archive = tmp_path / "corpus.tar"
    with tarfile.open(archive, "w") as tf:
        for path in sorted(source.iterdir()):
            tf.add(path, arcname=f"data/2024/01/01/{path.name}")
    cut = tmp_path / "cut.tar.xz"
    data = archive.read_bytes()
    cut.write_bytes(lzma.compress(data[: len(data) // 2]))  # a whole xz stream around a tar cut short
    for command in ("build", "update"):
        assert _cli(settings, monkeypatch, "index", command, str(cut), "--json") == 2
        out, err = capsys.readouterr()
        assert out == ""  # no summary of a run that did not happen
        assert f"skipped {cut}: bad_archive: truncated member data/2024/01/01/" in err
        assert f"thaigov-qa: {cut} is damaged (truncated member" in err
        assert "nothing was indexed, the live index is unchanged" in err and "Traceback" not in err
        _serving(settings)


def test_a_source_without_releases_is_refused(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty folder, one of bad files only, or an ``--only`` list matching nothing emptied the index."""
    settings, source = base_index.clone(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceRefused, match=f"no releases in {empty} \\(no release files found\\)"):
        build_index(settings, empty, progress=False)
    _serving(settings)

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_text("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-หัวข้ออย่างเดียว\n", encoding="utf-8")
    (bad / "b.txt").write_bytes(b"")
    assert _cli(settings, monkeypatch, "index", "update", str(bad)) == 2
    err = capsys.readouterr().err
    assert "skipped a.txt: no_date" in err and "skipped b.txt: empty_body: empty file" in err
    assert f"thaigov-qa: no releases in {bad} (2 files skipped, listed above)" in err
    _serving(settings)

    with pytest.raises(SourceRefused, match="no releases"):
        update_index(settings, source, progress=False, only=["data/2099/01/01/nothing.txt"])
    _serving(settings)


def test_an_empty_source_among_several_is_refused_and_lists_span_them(
    base_index: BaseIndex, tmp_path: Path
) -> None:
    """Of ``CORPUS_SOURCES``, one folder empty (unmounted): the update removed every release only it held,
    exit status 0. And an ``--only`` list over two sources reported each source's share of it as not
    found in the other."""
    settings, source = base_index.clone(tmp_path)
    empty = tmp_path / "unmounted"
    empty.mkdir()
    with pytest.raises(SourceRefused, match=f"no releases in {empty}: nothing was indexed"):
        update_index(settings, [str(source), str(empty)], progress=False)
    _serving(settings)

    other = tmp_path / "other"
    other.mkdir()
    files = sorted(p.name for p in source.iterdir())
    for name in files[:2]:
        shutil.move(source / name, other / name)
    report = update_index(settings, [str(source), str(other)], progress=False, only=[*files, "missing.txt"])
    assert report.releases == 5 and report.removed_urls == []
    assert report.skipped_files == [("missing.txt", "not_found")]  # once, and only what no source had


def test_a_file_name_that_is_not_utf8_is_skipped_not_a_crash(base_index: BaseIndex, tmp_path: Path) -> None:
    """SQLite refused the path in the middle of the build (a traceback, after every file was read)."""
    settings, source = base_index.clone(tmp_path)
    text = make(title="ข่าวชื่อไฟล์ภาษาละติน", body="เนื้อหาข่าวชื่อไฟล์ภาษาละติน", url=URL + "99001")
    with open(os.path.join(os.fsencode(source), b"caf\xe9_1.txt"), "wb") as fh:
        fh.write(text.encode())
    report = update_index(settings, source, progress=False)
    assert report.skipped_files == [("caf\ufffd_1.txt", "bad_name")]
    assert report.generation == 1 and report.embedded == 0  # the other releases are unchanged
    _serving(settings)


def test_duplicates_are_named_and_counted_and_reading_is_timed(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second file of one URL went unreported (the summary's counts did not add up), and an update's
    ``phases`` left out the time spent reading the source."""
    settings, source = base_index.clone(tmp_path)
    (source / "later").mkdir()
    shutil.copyfile(source / "76362.txt", source / "later" / "76362.txt")
    assert _cli(settings, monkeypatch, "index", "update", str(source), "--json") == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["duplicates"] == 1 and summary["skipped"] == 0 and summary["releases"] == 5
    assert "read" in summary["phases"]
    assert "duplicate 76362.txt: same URL as later/76362.txt, indexed instead" in err


def test_a_file_that_cannot_be_read_keeps_its_release_and_a_deleted_one_goes(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A release file left malformed (or unreadable, or too large) made its release vanish at the next
    build though the file was still there; now its previous version stays, and the run names it."""
    settings, source = base_index.clone(tmp_path)
    (source / "76362.txt").write_text("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-หัวข้ออย่างเดียว\n", encoding="utf-8")
    for command in ("build", "update"):
        assert _cli(settings, monkeypatch, "index", command, str(source), "--json") == 0
        out, err = capsys.readouterr()
        summary = json.loads(out)
        assert summary["releases"] == 5 and summary["removed"] == 0 and summary["kept_unread"] == 1
        assert summary["embedded"] == 0  # the kept release's passages come from the cache
        assert "skipped 76362.txt: no_date" in err
        assert f"kept {HUAWEI_URL}: its file 76362.txt was skipped (above), its previous version stays" in err
        reader = IndexReader.open(settings)
        try:
            assert HUAWEI_URL in {row.url for row in reader.chunks([c for c, _ in reader.bm25("หัวเว่ย", 5)])}
        finally:
            reader.close()
    (source / "76362.txt").unlink()  # a file that is gone is a removal, as before
    report = update_index(settings, source, progress=False)
    assert report.removed_urls == [HUAWEI_URL] and report.kept_unread == []


def test_a_moved_file_that_cannot_be_read_keeps_its_release(base_index: BaseIndex, tmp_path: Path) -> None:
    """The registry kept the path a release was first read from while its content did not change, so once
    its file moved (a folder reorganised, a later crawl of the same page) and then could not be read, the
    release was looked up under the old path, not found, and removed."""
    settings, source = base_index.clone(tmp_path)
    (source / "sub").mkdir()
    (source / "76362.txt").rename(source / "sub" / "76362.txt")
    assert update_index(settings, source, progress=False).removed_urls == []
    (source / "sub" / "76362.txt").write_text("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-หัวข้ออย่างเดียว\n", encoding="utf-8")
    report = update_index(settings, source, progress=False)
    assert report.kept_unread == [("sub/76362.txt", HUAWEI_URL)]
    assert report.removed_urls == [] and report.releases == 5


def test_a_folder_that_cannot_be_listed_keeps_its_releases(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that turned unreadable is reported once, as a ``read_error`` of the folder: its files'
    releases were not looked up (no stored release has the folder's own path) and were all removed."""
    settings, source = base_index.clone(tmp_path)
    (source / "sub").mkdir()
    (source / "76362.txt").rename(source / "sub" / "76362.txt")
    update_index(settings, source, progress=False)
    walk = os.walk

    def unreadable_sub(top: str, onerror: object = None, **kwargs: object) -> object:
        """``os.walk`` as it goes when ``sub`` cannot be listed (as root, a chmod does not show it)."""
        for folder, dirs, files in walk(top, onerror=onerror, **kwargs):  # type: ignore[arg-type]
            if "sub" in dirs:
                dirs.remove("sub")
                onerror(PermissionError(13, "Permission denied", os.path.join(folder, "sub")))  # type: ignore[operator]
            yield folder, dirs, files

    monkeypatch.setattr("corpus.sources.os.walk", unreadable_sub)
    report = update_index(settings, source, progress=False)
    assert report.skipped_files == [("sub", "read_error: Permission denied")]
    assert report.kept_unread == [("sub/76362.txt", HUAWEI_URL)]
    assert report.removed_urls == [] and report.releases == 5


def test_sigterm_stops_a_build_with_a_word(base_index: BaseIndex, tmp_path: Path) -> None:
    """SIGTERM ended the build on the spot with no word (exit 143): now it stops as Ctrl-C does, says what
    it left, and the live generation serves on."""
    import signal
    import subprocess
    import sys
    import time

    from index.build.pipeline import TEST_HOOK_ENV, TEST_HOOK_FILE_ENV

    settings, source = base_index.clone(tmp_path)
    (source / "99002.txt").write_text(
        make(title="ข่าวใหม่ระหว่างหยุด", body="เนื้อหาข่าวใหม่ระหว่างหยุดการสร้างดัชนี", url=URL + "99002"),
        encoding="utf-8",
    )
    marker = tmp_path / "paused"
    env = {
        **os.environ,
        "DATA_DIR": str(settings.data_dir),
        "EMBEDDING_MODEL": settings.embedding_model,
        TEST_HOOK_ENV: "chunked",
        TEST_HOOK_FILE_ENV: str(marker),
    }
    env.pop("CORPUS_SOURCES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "thaigov_app.cli", "index", "update", str(source)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.exists(), proc.stderr.read().decode() if proc.stderr else ""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert "index update stopped: the live index serves on; run the same command again to finish" in err
    assert "Traceback" not in err
    _serving(settings)
