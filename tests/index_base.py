"""A small real index shared by the build and reader tests (built once per test session, then copied).

Why copied: every build test mutates its index (updates, crashes), but embedding even a dozen passages
costs seconds on these shared CPUs. The base index is built once from a few small real releases of
``../shared/corpus/sample``; each test copies the whole DATA_DIR (SQLite file, embedding cache, FAISS
generation) and starts from there, so only the passages a test changes are embedded again.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from thaigov_qa.settings import SHARED_MODEL, Settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SAMPLE = SHARED / "corpus" / "sample"

#: Small releases (1-2 chunks each): Thai and English, and the seed release (Huawei MOU).
BASE_FILES = (
    "data/2021/01/12/ด้านสังคม_4.txt",
    "data/2022/11/05/ทัน LINE ไทยคู่ฟ้า_175_f1f17de9-dd0f-429f-806e-a098f54d7563.txt",
    "data/2025/01/02/ด้านการศึกษาฯ _1_2d1e4ece-37ab-40d2-ab09-b5fc27a422fd.txt",
    "data/2023/03/14/Government News_1_d1facc1b-99f2-4c6c-852c-23657cbcc656.txt",
)
#: Releases the tests add later (not in the base index).
EXTRA_FILES = (
    "data/2021/06/05/มาตรการเยียวยาฯ_2.txt",
    "data/2022/11/05/Government News_267_446320e6-d0c4-4d11-bffa-bd2e48543b21.txt",
    "data/2023/09/14/Government News\t_4_24256aa5-b209-4b80-9ece-79187ca76b35.txt",
)
SEED = SHARED / "corpus" / "seed" / "76362.txt"
HUAWEI_URL = "https://www.thaigov.go.th/news/contents/details/76362"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "embedding_model": str(SHARED_MODEL),
        "embedding_device": "cpu",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def cli_over(base: BaseIndex, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``thaigov-qa ARGS…`` run in this process over ``base`` (its index and the shared model), its exit
    status returned."""
    from thaigov_app.cli import main

    monkeypatch.setenv("DATA_DIR", str(base.data_dir))
    monkeypatch.setenv("EMBEDDING_MODEL", str(make_settings(base.data_dir).embedding_model))
    return main(list(args))


def copy_release(rel: str, folder: Path) -> Path:
    """Copy one sample file into a source folder (flat: a folder source reads any ``*.txt``)."""
    target = folder / Path(rel).name.replace("\t", "_")
    shutil.copyfile(SAMPLE / rel, target)
    return target


@dataclass(frozen=True)
class BaseIndex:
    data_dir: Path
    source: Path
    report: dict[str, object]

    def clone_with_extra(self, tmp_path: Path, rel: str) -> tuple[Settings, object]:
        """A private copy (see :meth:`clone`) with one more sample release added by ``apply_releases``, as
        the feed poller adds one; returns its settings and the build report."""
        from corpus.sources import read_releases
        from index.build.pipeline import apply_releases

        settings, _ = self.clone(tmp_path)
        extra = tmp_path / "extra"
        extra.mkdir()
        copy_release(rel, extra)
        return settings, apply_releases(settings, read_releases(extra))

    def clone(self, tmp_path: Path) -> tuple[Settings, Path]:
        """A private copy of the base DATA_DIR and source folder; returns its settings and source."""
        data = tmp_path / "var"
        source = tmp_path / "src"
        shutil.copytree(self.data_dir, data)
        shutil.copytree(self.source, source)
        lock = data / "index" / ".lock"
        if lock.exists():
            lock.unlink()
        return make_settings(data), source


@pytest.fixture(scope="session")
def base_index(tmp_path_factory: pytest.TempPathFactory) -> BaseIndex:
    from index.build.pipeline import build_index

    root = tmp_path_factory.mktemp("base-index")
    source = root / "src"
    source.mkdir()
    for rel in BASE_FILES:
        copy_release(rel, source)
    shutil.copyfile(SEED, source / SEED.name)
    data = root / "var"
    report = build_index(make_settings(data), source, progress=False)
    return BaseIndex(data, source, report.summary())


def fts_table(rows: list[tuple[int, str, str]], generation: int = 1) -> sqlite3.Connection:
    """An in-memory index database holding ``(chunk_id, title, text)`` rows as chunks of ``generation``,
    in the chunk table and FTS5 (no vectors): for the lexical tests."""
    from index.build import fts, store

    conn = sqlite3.connect(":memory:")
    store.create_schema(conn)
    for cid, _title, body in rows:
        conn.execute(
            "INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char, n_tokens, sha, gen_from,"
            " gen_to) VALUES (?, ?, 0, ?, 0, 0, 0, '', ?, NULL)",
            (cid, f"u{cid}", body, generation),
        )
    fts.insert_rows(conn, rows)
    conn.commit()
    return conn


def fts5_bm25(conn: sqlite3.Connection, tokens: list[str], generation: int | None = None) -> dict[int, float]:
    """FTS5's own ``bm25()`` for ``tokens`` (higher is better), optionally only over chunks live in
    ``generation``: the reference the compiled BM25 arrays must equal (the product no longer queries FTS5)."""
    from index.build import fts, store

    quoted = dict.fromkeys('"' + t.replace('"', '""') + '"' for t in tokens if t)
    if not quoted:
        return {}
    sql = (
        f"SELECT f.rowid, bm25(chunk_fts, {fts.TITLE_WEIGHT}, 1.0) FROM chunk_fts AS f"
        " JOIN chunks AS c ON c.chunk_id = f.rowid WHERE chunk_fts MATCH ?"
    )
    args: tuple[object, ...] = (" OR ".join(quoted),)
    if generation is not None:
        sql += f" AND {store.visible('c')}"
        args += (generation, generation)
    return {int(cid): -float(score) for cid, score in conn.execute(sql, args)}
