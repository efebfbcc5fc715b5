"""The ``releases`` table: new / changed / same, lookups, latest, WAL with a busy timeout, two connections."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path

from corpus.registry import Registry
from corpus.release import Release
from tests.test_corpus_parse import URL
from thaigov_qa.db import connect


def rel(n: int, date: str = "2023-12-19", body: str = "เนื้อหา", **kw: str) -> Release:
    return Release(
        url=f"{URL}{n}", release_id=str(n), title=f"ข่าว {n}", date=date, category="ด้านสังคม", lang="th",
        body=body, path=f"data/2023/12/19/ด้านสังคม_{n}.txt", crawled="2023-12-19", **kw,
    )  # fmt: skip


def test_upsert_statuses_and_round_trip(tmp_path: Path) -> None:
    with Registry(tmp_path / "var" / "thaigov.sqlite") as reg:
        first = rel(1, extra={"feed": "https://example.org/rss"})
        assert reg.upsert(first) == "new"
        assert reg.upsert(first) == "same"
        assert reg.get(first.url) == first and reg.get(first.url).extra == first.extra  # type: ignore[union-attr]
        seen = reg.first_seen(first.url)
        edited = dataclasses.replace(first, body="เนื้อหาแก้ไข", hash="")
        assert edited.hash != first.hash
        assert reg.upsert(edited) == "changed"
        assert reg.get(first.url).body == "เนื้อหาแก้ไข"  # type: ignore[union-attr]
        assert reg.first_seen(first.url) == seen
        assert reg.hashes() == {first.url: edited.hash}
        assert first.url in reg and reg.get(URL + "999") is None


def test_bulk_latest_newest_remove(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "thaigov.sqlite")
    assert reg.count() == 0 and reg.newest_date() is None and reg.latest(3) == []
    result = reg.upsert_many(
        [rel(10, "2024-01-09"), rel(9, "2025-09-19"), rel(11, "2024-01-09"), rel(9, "2025-09-19")]
    )
    assert (len(result["new"]), len(result["same"])) == (3, 1)
    assert reg.count() == 3 and reg.newest_date() == "2025-09-19"
    assert [r.release_id for r in reg.latest(3)] == ["9", "11", "10"]
    assert [r.release_id for r in reg.iter_releases()] == ["10", "11", "9"]
    assert reg.remove(URL + "9") and not reg.remove(URL + "9")
    assert reg.count() == 2
    reg.close()


def test_failed_batch_rolls_back(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "thaigov.sqlite")
    try:
        with reg.batch():
            reg.upsert(rel(1))
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert reg.count() == 0


def test_wal_busy_timeout_and_concurrent_writers(tmp_path: Path) -> None:
    db = tmp_path / "thaigov.sqlite"
    a, b = Registry(db), Registry(db)
    conn = connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0

    def write(reg: Registry, start: int) -> None:
        for n in range(start, start + 20):
            reg.upsert(rel(n))

    threads = [threading.Thread(target=write, args=(a, 0)), threading.Thread(target=write, args=(b, 100))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert a.count() == b.count() == 40
    # The same URL seen by the other connection is "same", not "new": how alerts announce a release once.
    assert b.upsert(rel(5)) == "same"
    conn.close()


def test_by_paths_and_under_read_the_path_index(tmp_path: Path) -> None:
    """A build looks up the releases of files it could not read by path (index.build.unread): by file,
    and under a folder it could not list: its subfolders, not a sibling sharing its name's start."""
    paths = {1: "data/12/a.txt", 2: "data/12/x/b.txt", 3: "data/120/c.txt", 4: "data/12.txt"}
    db = tmp_path / "thaigov.sqlite"
    with Registry(db) as reg:
        for n, path in paths.items():
            reg.upsert(dataclasses.replace(rel(n), path=path))
        assert {r.release_id for r in reg.under(["data/12/"])} == {"1", "2"}
        assert {r.release_id for r in reg.by_paths([paths[3], paths[4], "", "nowhere.txt"])} == {"3", "4"}
    plan = sqlite3.connect(db).execute(
        "EXPLAIN QUERY PLAN SELECT url FROM releases WHERE path >= ? AND path < ?", ("a/", "a0")
    )
    assert "releases_path" in " ".join(str(row) for row in plan)
