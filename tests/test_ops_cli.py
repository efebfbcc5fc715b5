"""The operator's and the newcomer's command line: .env checks, schema versions, an index that remembers
its model, ``ask`` on standard input, ``chat`` commands, ``doctor``, ``backup`` and ``restore``.

Real files throughout: a real SQLite database, a real three-release index built once for the module
with the shared model, and ``python -m thaigov_app`` in subprocesses (run from this checkout).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from index.cli.ask import MAX_ASK_CHARS
from tests.test_bot_e2e import _link_corpus
from thaigov_qa.schema import DB_SCHEMA, SchemaError, check_schema
from thaigov_qa.settings import SHARED_MODEL, Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILES = [
    "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt",
    "data/2021/01/12/ด้านสังคม_4.txt",
]
EXTRA_FILE = "data/2022/11/05/Government News_440_d04b137b-348e-4701-ae26-c0d9089484d3.txt"
QUESTIONS = [
    "When was the Huawei MOU signed?",
    "รัฐบาลร่วมมือกับ Huawei ในด้านใดบ้าง",
    "Who signed the MOU with Huawei?",
    "What is the MOU about?",
    "ลงนามบันทึกความเข้าใจเมื่อไร",
    "Huawei cloud",
    "digital economy cooperation",
    "5G",
    "ใครเป็นผู้ลงนาม",
    "What did the government announce?",
    "ข่าวรัฐบาลล่าสุด",
    "Thailand digital skills training",
    "How many people will be trained?",
    "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "When was it published?",
    "What is the weather tomorrow?",
    "ประชาชนได้ประโยชน์อย่างไร",
    "AI and cloud computing",
    "Prime Minister",
    "นายกรัฐมนตรี",
]


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None) -> Any:
    """``python -m thaigov_app ARGS`` from this checkout, with no EMBEDDING_MODEL unless given."""
    full = {k: v for k, v in os.environ.items() if k not in ("EMBEDDING_MODEL", "DATA_DIR")}
    full.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "thaigov_app", *args],
        cwd=cwd,
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> tuple[Settings, Path]:
    """A real index of three small releases (and its source folder)."""
    from index.build.pipeline import build_index

    root = tmp_path_factory.mktemp("ops_index")
    source = _link_corpus(root / "corpus", sample_dir, SAMPLE_FILES)
    settings = Settings(data_dir=root / "var", embedding_model=str(SHARED_MODEL), _env_file=None)
    assert build_index(settings, source, progress=False).releases == 3
    return settings, source


# --- .env, demo "", chat, schema: no model needed ------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"\xff\xfeT\x00O\x00", "line 1: not UTF-8"),
        (b"DATA_DIR=./x\nTHIS LINE IS BAD\n", "line 2: cannot parse"),
    ],
)
def test_bad_env_file_is_one_line_exit_2(tmp_path: Path, content: bytes, where: str) -> None:
    (tmp_path / ".env").write_bytes(content)
    result = _cli("index", "stats", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"thaigov-qa: .env: {where}"), lines
    assert "Traceback" not in result.stderr


def test_demo_with_an_empty_question_is_an_error(tmp_path: Path) -> None:
    result = _cli("demo", "", cwd=tmp_path)
    assert result.returncode == 2 and "empty question" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "var-demo").exists(), "nothing is built for an empty question"


def test_older_database_is_migrated_newer_one_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    sqlite3.connect(tmp_path / "thaigov.sqlite").execute("CREATE TABLE t (x)").connection.close()
    check_schema(settings)
    conn = sqlite3.connect(tmp_path / "thaigov.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == DB_SCHEMA
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaError, match="newer ThaiGov QA"):
        check_schema(settings)
    result = _cli("index", "stats", cwd=tmp_path, env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "database schema 99" in result.stderr and "index build" in result.stderr


def test_newer_index_generation_refused(tmp_path: Path) -> None:
    gen = tmp_path / "index" / "000003"
    gen.mkdir(parents=True)
    (gen / "manifest.json").write_text(json.dumps({"schema": 7, "model": "x"}))
    (tmp_path / "index" / "CURRENT").write_text("3\n")
    result = _cli("search", "anything", cwd=tmp_path, env={"DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "index schema 7" in result.stderr
    assert "Traceback" not in result.stderr
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with pytest.raises(SchemaError, match="index generation 3 "):
        check_schema(settings)
    # Not a JSON object: left to the index reader to report, not a crash of the schema check.
    (gen / "manifest.json").write_text("[1, 2]")
    check_schema(settings)


# --- on a real index --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_index_remembers_its_model_and_ask_lines_line_up(
    built: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = built
    env = {"DATA_DIR": str(settings.data_dir)}
    stats = _cli("index", "stats", "--json", cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["model"] == str(SHARED_MODEL.resolve())
    long_question = "ก" * 120_000
    result = _cli(
        "ask", cwd=tmp_path, env=env, stdin=f"When was the Huawei MOU signed?\n\n   \n{long_question}\n"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert lines[0]["found"] is True
    assert lines[1] == {"error": "empty question", "line": 2} and lines[2]["line"] == 3
    assert len(lines[3]["question"]) == MAX_ASK_CHARS and lines[3]["question_truncated"] == 120_000
    assert result.stderr.strip() == "", "quiet: no log line at the default level"
    blank = _cli("ask", cwd=tmp_path, env=env, stdin="\n\n")
    assert blank.returncode == 1 and len(blank.stdout.splitlines()) == 2


@pytest.mark.slow
def test_doctor_passes_on_an_index_and_names_the_failed_check(
    built: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = built
    good = _cli("doctor", "--json", cwd=tmp_path, env={"DATA_DIR": str(settings.data_dir)})
    checks = {c["check"]: c for c in map(json.loads, good.stdout.splitlines())}
    assert good.returncode == 0, good.stdout + good.stderr
    assert {c["status"] for c in checks.values()} <= {"ok", "skipped"}
    assert checks["index"]["status"] == checks["model"]["status"] == checks["database"]["status"] == "ok"
    assert checks["tower"]["status"] == "ok"  # the shipped query tower
    assert checks["speed"]["status"] == "ok" and "passages/s" in checks["speed"]["detail"]
    assert checks["telegram"]["status"] == "skipped" and checks["feeds"]["status"] == "skipped"
    env = {"DATA_DIR": str(tmp_path / "empty"), "EMBEDDING_MODEL": str(SHARED_MODEL)}
    bad = _cli("doctor", "--json", cwd=tmp_path, env=env)
    failed = [c["check"] for c in map(json.loads, bad.stdout.splitlines()) if c["status"] == "fail"]
    assert bad.returncode == 1 and "index" in failed and "Traceback" not in bad.stderr


def _answers(settings: Settings) -> list[dict[str, Any]]:
    from bot.service import BotService

    service = BotService(settings)
    return [_plain(service.ask(q)) for q in QUESTIONS]


def _plain(answer: Any) -> dict[str, Any]:
    data = answer.to_json()
    data.pop("ms", None)
    return data


@pytest.mark.slow
def test_backup_during_update_and_asks_then_restore_gives_the_same_answers(
    built: tuple[Settings, Path], tmp_path: Path, sample_dir: Path
) -> None:
    """Last on purpose: it leaves the module's index with a killed update behind it."""
    from bot.service import BotService
    from index.build.pipeline import TEST_HOOK_ENV, TEST_HOOK_FILE_ENV

    settings, source = built
    service = BotService(settings)
    before = [_plain(service.ask(q)) for q in QUESTIONS]
    (source / "extra.txt").symlink_to(sample_dir / EXTRA_FILE)
    marker = tmp_path / "paused"
    env = {
        "DATA_DIR": str(settings.data_dir),
        "EMBEDDING_MODEL": str(SHARED_MODEL),
        TEST_HOOK_ENV: "chunked",
        TEST_HOOK_FILE_ENV: str(marker),
    }
    update = subprocess.Popen(
        [sys.executable, "-m", "thaigov_app", "index", "update", str(source)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert update.poll() is None and time.monotonic() < deadline, "the update did not start"
            time.sleep(0.2)
        with ThreadPoolExecutor(20) as pool:
            during = pool.map(lambda q: _plain(service.ask(q)), QUESTIONS)
            dest = tmp_path / "backup"
            made = _cli("backup", str(dest), "--json", cwd=tmp_path, env={"DATA_DIR": str(settings.data_dir)})
            assert list(during) == before
    finally:
        update.send_signal(signal.SIGKILL)
        update.wait(30)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["releases"] == 3
    fresh = tmp_path / "fresh"
    restored = _cli("restore", str(dest), cwd=tmp_path, env={"DATA_DIR": str(fresh)})
    assert restored.returncode == 0, restored.stderr
    fresh_settings = Settings(data_dir=fresh, embedding_model=str(SHARED_MODEL), _env_file=None)
    assert _answers(fresh_settings) == before
    again = _cli("restore", str(dest), cwd=tmp_path, env={"DATA_DIR": str(fresh)})
    assert again.returncode == 2 and "--force" in again.stderr

    # Into the live DATA_DIR of a running service: picked up without a restart.
    generation = service.stats()["generation"]
    forced = _cli("restore", str(dest), "--force", cwd=tmp_path, env={"DATA_DIR": str(settings.data_dir)})
    assert forced.returncode == 0, forced.stderr
    assert service.refresh() and service.stats()["generation"] > generation
    assert [_plain(service.ask(q)) for q in QUESTIONS] == before
