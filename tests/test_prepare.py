"""Releases prepared in worker processes give the rows a build without workers writes, in the same order."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from corpus.thaigov import ParseError, parse_release
from index.build import prepare, rows, store
from index.build.embedding import Embedder
from tests.index_base import SAMPLE, make_settings

#: Enough releases for several worker tasks, with long ones (many chunks) and a cabinet agenda among them.
N_RELEASES = 60


def _releases() -> list:
    out = []
    for path in sorted(SAMPLE.rglob("*.txt")):
        try:
            out.append(parse_release(path.read_text(encoding="utf-8"), str(path.relative_to(SAMPLE))))
        except ParseError:
            continue
    # The longest releases first: they have the most chunks, agendas among them.
    return sorted(out, key=lambda r: -len(r.body))[:N_RELEASES]


@pytest.fixture(scope="module")
def releases() -> list:
    return _releases()


def _written(tmp: Path, releases: list, workers: int, monkeypatch: pytest.MonkeyPatch) -> tuple:
    settings = make_settings(tmp)
    conn = store.connect(settings.db_path)
    store.create_schema(conn)
    monkeypatch.setattr(prepare, "workers_for", lambda n: workers)
    texts, new_ids = rows.insert_chunks(conn, Embedder(settings), releases, 1, progress=False, dense=6)
    return texts, new_ids, _dump(conn)


def _dump(conn: sqlite3.Connection) -> dict[str, list]:
    return {
        "chunks": conn.execute("SELECT * FROM chunks ORDER BY chunk_id").fetchall(),
        "fts": conn.execute("SELECT rowid, title, body FROM chunk_fts ORDER BY rowid").fetchall(),
        "releases": conn.execute("SELECT * FROM indexed_releases ORDER BY url").fetchall(),
        "agenda": conn.execute("SELECT * FROM agenda_items ORDER BY url, number").fetchall(),
    }


def test_workers_write_the_rows_of_a_build_without_them(
    releases: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="index.build.prepare")
    alone = _written(tmp_path / "alone", releases, 0, monkeypatch)
    assert "worker processes" not in caplog.text
    pooled = _written(tmp_path / "pooled", releases, 2, monkeypatch)
    assert f"preparing {len(releases)} releases in 2 worker processes" in caplog.text
    assert pooled[0] == alone[0] and pooled[1] == alone[1], "the same passages to embed, the same ids"
    for table, got in pooled[2].items():
        assert got == alone[2][table], table
    dumped = alone[2]
    assert len(dumped["chunks"]) > 3 * len(releases), "long releases: several chunks each"
    assert len({row[1] for row in dumped["chunks"]}) == len(releases)
    assert dumped["agenda"], "cabinet summaries among them: their agenda rows too"


def test_prepared_keeps_the_releases_order_across_tasks(
    releases: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks of a few releases each, several in flight: results come back in the releases' order."""
    monkeypatch.setattr(prepare, "TASK_RELEASES", 3)
    monkeypatch.setattr(prepare, "TASKS_AHEAD", 1)
    settings = make_settings(Path("."))
    tokenizer = Embedder(settings).tokenizer
    pooled = list(prepare.prepared(releases, tokenizer, settings.embedding_model, workers=2))
    alone = list(prepare.prepared(releases, tokenizer, settings.embedding_model, workers=0))
    assert pooled == alone
    assert [p.chunks[0].chunk.position for p in pooled] == [0] * len(releases)


def test_a_large_build_uses_every_core_and_a_small_one_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert prepare.workers_for(prepare.PARALLEL_FROM - 1) == 0
    assert prepare.workers_for(prepare.PARALLEL_FROM) == 2
    monkeypatch.setattr(prepare.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert prepare.workers_for(10 * prepare.PARALLEL_FROM) == 0, "one core: no worker to overlap with"


def test_a_phase_counts_the_cpu_of_the_workers_it_ran() -> None:
    """``index build --json`` reports each phase's CPU seconds: chunking's are mostly its workers'."""
    import subprocess
    import sys

    from index.build.report import BuildReport

    report = BuildReport()
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass"
    with report.phase("chunk"):
        subprocess.run([sys.executable, "-c", burn], check=True)
    assert report.phases["chunk"]["cpu"] >= 0.35, report.phases
