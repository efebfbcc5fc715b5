"""The ``thaigov-qa`` command line: help at every level and ``corpus inspect`` in both output forms."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_corpus_sources import build_archive
from thaigov_app.cli import main


@pytest.fixture
def archive(tmp_path: Path, sample_dir: Path) -> Path:
    return build_archive(tmp_path, sample_dir)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CORPUS_SOURCES", raising=False)


def test_help_levels(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["corpus", "--help"], ["corpus", "inspect", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    out = capsys.readouterr().out
    assert "corpus" in out and "--only LIST" in out and "--json" in out


def test_console_entry_point_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "thaigov_app", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "usage: thaigov-qa" in done.stdout


def test_inspect_json(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "inspect", str(archive), "--json"]) == 0
    out = capsys.readouterr().out
    (line,) = out.splitlines()  # stdout carries one JSON object and nothing else
    report = json.loads(line)
    assert {"files", "releases", "skipped", "by_year", "by_lang", "by_category", "seconds"} <= report.keys()
    assert report["files"] == 7  # README.md is not a release file
    assert report["releases"] == 4 and report["duplicates"] == 1
    assert report["skipped"] == {"placeholder_date": 1, "bad_encoding": 1}
    assert report["by_year"] == {"2021": 1, "2023": 2, "2025": 1}
    assert report["by_lang"] == {"th": 3, "en": 1}
    assert report["by_category"]["Government News"] == 1 and report["by_category"]["ด้านเศรษฐกิจ"] == 1


def test_inspect_only_and_table(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_corpus_parse import OLD_FILE

    listing = tmp_path / "list.txt"
    listing.write_text(OLD_FILE + "\n", encoding="utf-8")
    assert main(["corpus", "inspect", str(archive), "--only", str(listing)]) == 0
    out = capsys.readouterr().out
    assert "files:            1" in out and "distinct URLs:    1" in out and "ด้านสังคม" in out


def test_inspect_reads_corpus_sources_setting(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CORPUS_SOURCES", str(archive))
    assert main(["corpus", "inspect", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["releases"] == 4


def test_inspect_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "inspect", str(tmp_path / "missing.tar.xz")]) == 2
    assert main(["corpus", "inspect"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"thaigov-qa: source not found: {tmp_path / 'missing.tar.xz'}",
        "thaigov-qa: no SOURCE given and the CORPUS_SOURCES setting is empty",
    ]


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    """``thaigov-qa … | head`` used to end in a BrokenPipeError traceback."""
    demo = Path(__file__).resolve().parents[1] / "corpus" / "demo"
    proc = subprocess.Popen(
        [sys.executable, "-m", "thaigov_app", "corpus", "inspect", str(demo), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the report is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err


def test_a_closed_stdin_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from index.cli.ask import text_stdin
    from thaigov_qa.errors import UserError

    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(UserError, match="standard input is closed"):
        text_stdin()


def test_feedback_export_to_a_path_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "thaigov_app", "feedback", "export", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DATA_DIR": str(tmp_path / "data")},
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "cannot write" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "error",
    [sqlite3.OperationalError("database or disk is full"), OSError(errno.ENOSPC, "No space left on device")],
)
def test_a_full_disk_stops_a_build_with_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    """SQLite's "disk is full" and ENOSPC from a file write came out of ``index build`` as tracebacks. A
    full disk cannot be made here, so the build is made to fail as it would (the pipeline's own writes
    are covered by the kill tests: nothing is switched before everything is written)."""
    import index.build.pipeline

    def full(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr(index.build.pipeline, "build_index", full)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    assert main(["index", "build", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "run the same command again" in err and "Traceback" not in err


def test_env_file_is_read_instead_of_the_working_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server keeps its settings in /etc/thaigov-qa/.env, which the units read; an admin's command run
    elsewhere read ./.env only, and built with other settings than the bot's (docs/DEPLOY.md)."""
    monkeypatch.delenv("DATA_DIR", raising=False)
    env = tmp_path / "server.env"
    env.write_text(f"DATA_DIR={tmp_path / 'served'}\n", encoding="utf-8")
    assert main(["--env-file", str(env), "index", "stats"]) == 2
    assert f"no index in {tmp_path / 'served'}" in capsys.readouterr().err
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "from-env"))  # the environment wins, as under systemd
    assert main(["--env-file", str(env), "index", "stats"]) == 2
    assert f"no index in {tmp_path / 'from-env'}" in capsys.readouterr().err
    assert main(["--env-file", str(tmp_path / "missing.env"), "index", "stats"]) == 2
    err = capsys.readouterr().err
    assert "--env-file" in err and "no such file" in err
