"""The low-level reader over a real small index: search, rows, stats, reload, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.search.reader import IndexReader, ModelMismatch, NoIndex
from tests import index_base
from tests.index_base import EXTRA_FILES, HUAWEI_URL, BaseIndex, copy_release, make_settings

pytestmark = pytest.mark.slow
base_index = index_base.base_index  # the shared session fixture


def test_no_index_yet(tmp_path: Path) -> None:
    with pytest.raises(NoIndex, match="index build"):
        IndexReader.open(make_settings(tmp_path / "empty"))


def test_model_mismatch_is_refused_with_rebuild_advice(base_index: BaseIndex) -> None:
    settings = make_settings(base_index.data_dir, embedding_model="intfloat/multilingual-e5-small")
    with pytest.raises(ModelMismatch, match="rebuild"):
        IndexReader.open(settings)


def test_search_rows_and_stats(base_index: BaseIndex) -> None:
    reader = IndexReader.open(make_settings(base_index.data_dir))
    try:
        hits = reader.bm25("หัวเว่ย ลงนาม MOU", 5)
        assert hits and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
        assert reader.chunks([hits[0][0]])[0].url == HUAWEI_URL
        # Pruning words common to most chunks keeps the rare ones (and their ranking).
        assert reader.bm25("หัวเว่ย ที่ และ", 5, max_df=0.5)[0][0] == reader.bm25("หัวเว่ย", 5)[0][0]
        assert reader.bm25("ที่", 5, max_df=0.01) == []

        vector = reader.embedder.encode_queries(["When did the government sign the MOU with Huawei?"])[0]
        dense = reader.dense(vector, 3)
        assert reader.chunks([dense[0][0]])[0].url == HUAWEI_URL
        assert 0 < dense[0][1] <= 1.0001

        ids = [cid for cid, _ in dense]
        rows = reader.chunks(list(reversed(ids)) + [999_999])
        assert [r.chunk_id for r in rows] == list(reversed(ids))  # asked order kept, unknown ids dropped

        chunks = reader.release_chunks(HUAWEI_URL)
        assert [c.position for c in chunks] == list(range(len(chunks)))
        release = reader.release(HUAWEI_URL)
        if release is not None:  # the corpus registry mirrors the live releases
            assert all(c.text == release.body[c.start : c.end] for c in chunks)

        stats = reader.stats()
        assert {"releases", "chunks", "model", "generation", "bytes", "built_at", "newest_date"} <= set(stats)
        assert stats["releases"] == 5 and stats["generation"] == 1 and stats["bytes"] > 0
        assert stats["newest_date"] == max(m[3] for m in reader.release_meta())
        assert reader.reload_if_changed() is False
    finally:
        reader.close()


def test_reload_when_the_pointer_moves(base_index: BaseIndex, tmp_path: Path) -> None:
    from index.build.pipeline import update_index

    settings, source = base_index.clone(tmp_path)
    reader = IndexReader.open(settings)
    copy_release(EXTRA_FILES[1], source)
    report = update_index(settings, source, progress=False)
    assert reader.generation == 1  # an open reader keeps serving its generation until it reloads
    assert reader.reload_if_changed() is True
    assert reader.generation == report.generation == 2
    assert reader.stats()["releases"] == 6
    assert {u for u, *_ in reader.release_meta()} >= set(report.new_urls)
    assert reader.reload_if_changed() is False
    reader.close()


def test_chunk_releases_from_memory_after_warm_up_equal_sqlites(base_index: BaseIndex) -> None:
    reader = IndexReader.open(make_settings(base_index.data_dir))
    try:
        ids = [cid for cid, _ in reader.bm25("หัวเว่ย ลงนาม MOU รัฐบาล", 50)] + [999_999, -1]
        from_sql = reader.chunk_releases(ids)
        assert 999_999 not in from_sql and -1 not in from_sql and HUAWEI_URL in from_sql.values()
        assert reader._gen.chunk_urls is None, "a one-shot command never reads every chunk"
        reader.warm_up()
        held = reader._gen.chunk_urls
        assert held is not None and len(held) == reader.stats()["chunks"]
        assert reader.chunk_releases(ids) == from_sql
        assert reader.chunk_releases([]) == {} and reader.chunk_releases([999_999]) == {}
        from index.search.chunk_urls import ChunkUrls

        assert ChunkUrls.read(base_index.data_dir / "missing.sqlite") is None, (
            "unreadable: SQLite per question"
        )
    finally:
        reader.close()


def test_a_warmed_up_reader_holds_the_new_generations_releases_after_a_reload(
    base_index: BaseIndex, tmp_path: Path
) -> None:
    from corpus.sources import read_releases
    from index.build.pipeline import apply_releases

    settings, _ = base_index.clone(tmp_path)
    reader = IndexReader.open(settings)
    try:
        reader.warm_up()
        extra = tmp_path / "extra"
        extra.mkdir()
        copy_release(EXTRA_FILES[0], extra)
        releases = list(read_releases(extra))
        apply_releases(settings, releases)
        assert reader.reload_if_changed()
        assert reader._gen.chunk_urls is not None, "a warmed-up process keeps its releases in memory"
        new_ids = [row.chunk_id for row in reader.release_chunks(releases[0].url)]
        assert new_ids and reader.chunk_releases(new_ids) == dict.fromkeys(new_ids, releases[0].url)
    finally:
        reader.close()


def test_an_index_that_appears_after_start_up_is_warmed_up_when_it_opens(
    base_index: BaseIndex, tmp_path: Path
) -> None:
    import shutil
    import time

    from index.service import QAService

    settings = make_settings(tmp_path / "var")
    service = QAService(settings)
    service.warm_up()  # the bot's start-up, before any index exists: nothing to warm
    shutil.copytree(base_index.data_dir, settings.data_dir)
    (settings.data_dir / "index" / ".lock").unlink(missing_ok=True)
    searcher = service.searcher()  # the first question after the index appeared
    deadline = time.monotonic() + 60
    while searcher.reader._gen.chunk_urls is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert searcher.reader._gen.chunk_urls is not None, "warmed up in the background when it opened"

    one_shot = QAService(make_settings(base_index.data_dir)).searcher()  # a command line's: never warmed
    time.sleep(0.5)
    assert one_shot.reader._gen.chunk_urls is None
