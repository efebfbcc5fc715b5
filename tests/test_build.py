"""Building and updating a real index (real model, SQLite, FAISS): incremental work, crash safety, lock.

The crash tests run a build in a child process that stops at a chosen point (a test-only environment
hook in ``index.build.pipeline``) and kill it with SIGKILL, process group and all, as an admin's ``kill -9``
would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.build import store
from index.build.lock import writer_lock
from index.build.pipeline import (
    TEST_HOOK_ENV,
    TEST_HOOK_FILE_ENV,
    TEST_KILL_ENV,
    IndexLocked,
    update_index,
)
from index.search.reader import IndexReader
from tests import index_base
from tests.index_base import EXTRA_FILES, HUAWEI_URL, BaseIndex, copy_release
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow
base_index = index_base.base_index  # the shared session fixture

REPO = Path(__file__).resolve().parent.parent


def _urls_of(reader: IndexReader, hits: list[tuple[int, float]]) -> set[str]:
    return {row.url for row in reader.chunks([cid for cid, _ in hits])}


def _edit_body(path: Path, extra_line: str) -> None:
    """Add a paragraph before the closing ``ที่มา :`` line (the release's body changes, its URL does not)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("ที่มา"))
    lines.insert(last, extra_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_base_build_embeds_every_chunk(base_index: BaseIndex) -> None:
    report = base_index.report
    assert report["releases"] == 5 and report["skipped"] == 0
    assert report["embedded"] == report["chunks"] >= 5
    assert store.read_current(base_index.data_dir / "index") == report["generation"] == 1
    # The --json summary times each phase, wall and CPU seconds (issue 19: where a build's time goes).
    phases = report["phases"]
    assert set(phases) == {"read", "chunk", "embed", "vectors", "bm25", "registry"}
    assert all(set(p) == {"wall", "cpu"} and p["wall"] >= 0 and p["cpu"] >= 0 for p in phases.values())
    assert phases["embed"]["wall"] > 0 and phases["chunk"]["wall"] > 0  # timed, not left at zero
    assert phases["embed"]["cpu"] > 0
    # ... and the process's peak memory so far (a build that loaded the model holds well over 100 MiB).
    assert isinstance(report["peak_rss_mb"], float) and report["peak_rss_mb"] > 100


def test_manifest_records_the_vector_index_kind(base_index: BaseIndex) -> None:
    # VECTOR_INDEX defaults to ivf-sq8, but a handful of releases is too few to train IVF lists: exact.
    manifest = store.read_manifest(base_index.data_dir / "index", 1)
    assert manifest["vector_index"] == "flat"


def test_unchanged_update_embeds_nothing(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    report = update_index(settings, source, progress=False)
    assert report.embedded == 0
    assert (report.new_urls, report.changed_urls, report.removed_urls) == ([], [], [])
    assert report.generation == 1  # nothing changed: readers keep their generation


def test_changed_release_reembeds_only_its_chunks(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    reader = IndexReader.open(settings)
    before = {url: [c.chunk_id for c in reader.release_chunks(url)] for url, *_ in reader.release_meta()}
    reader.close()

    _edit_body(source / "76362.txt", "ข้อความใหม่ทดสอบการปรับปรุงดัชนี Zyxwvut")
    report = update_index(settings, source, progress=False)
    assert report.changed_urls == [HUAWEI_URL] and not report.new_urls and not report.removed_urls
    reader = IndexReader.open(settings)
    huawei = reader.release_chunks(HUAWEI_URL)
    # Only the chunk holding the new paragraph has new text; the others hit the embedding cache.
    assert 1 <= report.embedded < len(huawei) + 1
    assert report.embedded <= len(huawei)
    assert any("Zyxwvut" in c.text for c in huawei)
    assert _urls_of(reader, reader.bm25("zyxwvut", 5)) == {HUAWEI_URL}
    # Other releases keep their rows (same chunk ids): nothing else was touched.
    for url, ids in before.items():
        if url != HUAWEI_URL:
            assert [c.chunk_id for c in reader.release_chunks(url)] == ids
    assert reader.stats()["chunks"] == sum(len(v) for k, v in before.items() if k != HUAWEI_URL) + len(huawei)
    reader.close()


def test_removed_release_disappears(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    (source / "76362.txt").unlink()
    report = update_index(settings, source, progress=False)
    assert report.removed_urls == [HUAWEI_URL] and report.embedded == 0
    reader = IndexReader.open(settings)
    assert reader.release_chunks(HUAWEI_URL) == []
    assert HUAWEI_URL not in _urls_of(reader, reader.bm25("หัวเว่ย Huawei คลาวด์", 20))
    vector = reader.embedder.encode_queries(["Huawei cloud MOU"])[0]
    assert HUAWEI_URL not in _urls_of(reader, reader.dense(vector, 20))
    assert reader.stats()["releases"] == 4
    reader.close()


def test_apply_releases_adds_without_removing(base_index: BaseIndex, tmp_path: Path) -> None:
    _, report = base_index.clone_with_extra(tmp_path, EXTRA_FILES[0])
    assert len(report.new_urls) == 1 and report.removed_urls == []
    assert report.releases == 6 and report.embedded >= 1


def test_concurrent_writer_is_refused(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    with writer_lock(settings.index_dir), pytest.raises(IndexLocked, match="another index build or update"):
        update_index(settings, source, progress=False)
    # Released with the block: the next writer goes ahead.
    assert update_index(settings, source, progress=False).embedded == 0


def _child_update(settings_dir: Path, source: Path, env_extra: dict[str, str]) -> subprocess.Popen[bytes]:
    code = (
        "import sys, logging; from pathlib import Path\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "from index.build.pipeline import update_index\n"
        "import index.build.embedding_cache as embedding_cache\n"
        # One passage a commit (batch 1, one batch a commit), so a kill can fall between two commits.
        "embedding_cache.COMMIT_BATCHES = 1\n"
        "from tests.index_base import make_settings\n"
        "settings = make_settings(Path(sys.argv[1]), embedding_batch_size=1)\n"
        "update_index(settings, sys.argv[2], progress=False)\n"
    )
    env = {**os.environ, **env_extra}
    return subprocess.Popen(
        [sys.executable, "-c", code, str(settings_dir), str(source)],
        cwd=REPO,
        env=env,
        start_new_session=True,  # its own process group, killed as a whole below
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(marker: Path, proc: subprocess.Popen[bytes], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"build exited ({proc.returncode}) before the pause point: {err[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("build did not reach the pause point in time")
        time.sleep(0.2)


def _update_killed_mid_embedding(
    base_index: BaseIndex, tmp_path: Path, embedded: int
) -> tuple[Settings, Path]:
    """A copy of the base index whose update (the extra releases added) was killed with ``kill -9`` of its
    whole process group once ``embedded`` passages were committed; its settings and source."""
    settings, source = base_index.clone(tmp_path)
    for rel in EXTRA_FILES:
        copy_release(rel, source)
    marker = tmp_path / "paused"
    proc = _child_update(
        settings.data_dir, source, {TEST_HOOK_ENV: f"embedded:{embedded}", TEST_HOOK_FILE_ENV: str(marker)}
    )
    _wait_for(marker, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return settings, source


def test_killed_build_leaves_old_index_serving_and_resumes(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = _update_killed_mid_embedding(base_index, tmp_path, 2)
    base_chunks = int(base_index.report["chunks"])

    # The old generation still serves, untouched by the half-written one.
    assert store.read_current(settings.index_dir) == 1
    reader = IndexReader.open(settings)
    assert reader.stats()["chunks"] == base_chunks
    assert _urls_of(reader, reader.bm25("หัวเว่ย", 5)) == {HUAWEI_URL}

    # The next run is not blocked by the dead one's lock and embeds only what the killed run had not kept;
    # it was asked the same as the killed one, whose rows were all written: it keeps them (no chunking).
    report = update_index(settings, source, progress=False)
    assert len(report.new_urls) == len(EXTRA_FILES) and report.chunks_reused
    new_chunks = report.chunks - base_chunks
    assert report.embedded == new_chunks - 2
    assert report.generation == 2
    assert reader.reload_if_changed() and reader.stats()["chunks"] == report.chunks
    # The resumed index equals an uninterrupted one: every live chunk has its vector.
    assert reader.manifest["chunks"] == report.chunks
    reader.close()


def test_a_rerun_asked_something_else_chunks_again(base_index: BaseIndex, tmp_path: Path) -> None:
    """The killed run's rows are complete, but the source changed before the rerun: they are dropped and
    the rerun's index is the new source's (an edited release is searched by its new words only)."""
    settings, source = _update_killed_mid_embedding(base_index, tmp_path, 1)
    _edit_body(source / "76362.txt", "ย่อหน้าใหม่หลังการหยุด Zyxwvq")
    report = update_index(settings, source, progress=False)
    assert not report.chunks_reused and report.generation == 2
    assert report.changed_urls == [HUAWEI_URL] and len(report.new_urls) == len(EXTRA_FILES)
    reader = IndexReader.open(settings)
    assert _urls_of(reader, reader.bm25("zyxwvq", 5)) == {HUAWEI_URL}
    assert reader.stats()["chunks"] == report.chunks == reader.manifest["chunks"]
    reader.close()
    assert update_index(settings, source, progress=False).embedded == 0  # nothing left to do


def test_build_killed_before_the_switch(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    _edit_body(source / "76362.txt", "ย่อหน้าใหม่ก่อนการสลับรุ่น Qwertzu")
    marker = tmp_path / "paused"
    proc = _child_update(
        settings.data_dir,
        source,
        {TEST_HOOK_ENV: "before_switch", TEST_HOOK_FILE_ENV: str(marker), TEST_KILL_ENV: "1"},
    )
    assert proc.wait(timeout=240) == -signal.SIGKILL
    assert marker.exists()
    # Generation 2 was fully written but never switched to: readers still get generation 1.
    assert (settings.index_dir / "000002" / "vectors.faiss").exists()
    reader = IndexReader.open(settings)
    assert reader.generation == 1 and reader.bm25("qwertzu", 5) == []
    reader.close()

    report = update_index(settings, source, progress=False)
    assert report.generation == 2 and report.changed_urls == [HUAWEI_URL] and report.chunks_reused
    assert report.embedded == 0  # the killed run had already cached the new passage's vector
    reader = IndexReader.open(settings)
    assert _urls_of(reader, reader.bm25("qwertzu", 5)) == {HUAWEI_URL}
    reader.close()


def test_cli_update_and_stats_json(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from thaigov_app.cli import main

    settings, source = base_index.clone(tmp_path)
    (source / "broken.txt").write_text("รัฐบาลไทย-\n\nไม่ใช่ข่าว\n", encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("EMBEDDING_MODEL", settings.embedding_model)
    import index.build.pipeline as pipeline

    made: list[bool] = []

    def recorded(settings: object, bulk: bool = False) -> object:
        made.append(bulk)
        return real_embedder(settings, bulk=bulk)

    real_embedder = pipeline.Embedder
    monkeypatch.setattr(pipeline, "Embedder", recorded)
    assert main(["index", "update", str(source), "--json"]) == 0
    assert made == [True], "the command line embeds in bulk (its passages' engine may spin)"
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert {"releases", "chunks", "embedded", "skipped", "seconds"} <= set(summary)
    assert summary["embedded"] == 0 and summary["skipped"] == 1 and summary["releases"] == 5
    assert "broken.txt" in err  # bad files are named on stderr, with the reason

    assert main(["index", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {"releases", "chunks", "model", "generation", "bytes", "built_at"} <= set(stats)

    # A second writer is refused with exit status 2 and a readable line.
    with writer_lock(settings.index_dir):
        assert main(["index", "update", str(source), "--json"]) == 2
    assert "another index build or update is running" in capsys.readouterr().err


def test_an_update_puts_every_new_chunk_in_bm25_not_only_those_with_a_vector(
    base_index: BaseIndex, tmp_path: Path
) -> None:
    """Found on the whole archive (bench/incremental.py): an update added to the BM25 arrays only the new
    chunks that get a vector (a release's first ``DENSE_PASSAGES``), so a release with more chunks left the
    generation inconsistent and the update failed. Here every release has more chunks than one."""
    from corpus.sources import read_releases
    from index.build.pipeline import apply_releases, build_index

    settings, source = base_index.clone(tmp_path)
    one = settings.model_copy(update={"dense_passages": 1})
    build_index(one, source, progress=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    copy_release(EXTRA_FILES[1], extra)  # an English release of two chunks
    report = apply_releases(one, read_releases(extra))
    assert len(report.new_urls) == 1

    reader = IndexReader.open(one)
    new_url = next(r.url for r in read_releases(extra))
    deep = [c for c in reader.release_chunks(new_url) if c.position >= 1]
    assert deep
    for chunk in deep:
        words = " ".join(chunk.text.split()[:8])
        assert chunk.chunk_id in {cid for cid, _ in reader.bm25(words, 50)}
    reader.close()


def test_dense_passages_limits_vectors_not_bm25(base_index: BaseIndex, tmp_path: Path) -> None:
    """DENSE_PASSAGES=1: each release's first chunk gets a vector, every chunk stays in BM25; an update
    keeps the rule the live generation was built with, whatever the setting says then."""
    from index.build.pipeline import build_index
    from index.build.vectors import VectorIndex

    settings, source = base_index.clone(tmp_path)
    one = settings.model_copy(update={"dense_passages": 1})
    report = build_index(one, source, progress=False)
    manifest = store.read_manifest(one.index_dir, report.generation)
    assert manifest["dense_passages"] == 1
    vectors = VectorIndex.load(store.gen_dir(one.index_dir, report.generation) / store.VECTORS)
    assert vectors.ntotal == report.releases == 5 < report.chunks
    assert report.embedded == 0  # the first chunks' passages were in the cache already

    reader = IndexReader.open(one)
    deep = [c for url, *_ in reader.release_meta() for c in reader.release_chunks(url) if c.position >= 1]
    assert deep
    with pytest.raises(KeyError):
        reader.vectors([deep[0].chunk_id])
    words = deep[0].text.split()[:6]
    assert deep[0].chunk_id in {cid for cid, _ in reader.bm25(" ".join(words), 50)}
    reader.close()

    # An update under another setting follows the live generation's rule.
    _, extra = base_index.clone_with_extra(tmp_path / "extra", EXTRA_FILES[0])
    assert extra.releases == 6
    again = update_index(settings, source, progress=False)  # the setting says 6; the index says 1
    manifest = store.read_manifest(settings.index_dir, again.generation)
    assert manifest["dense_passages"] == 1
