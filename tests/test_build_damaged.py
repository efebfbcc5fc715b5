"""A live generation that cannot be read, and a change of vector engine: what the next run does.

Every reader says "rebuild it" when the live generation's files are damaged; the rebuild used to die on
the same files (the update read the damaged manifest or vectors as its starting point). An update after
a change between the float and the int8 engine added int8 vectors to a float index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.sources import read_releases
from index.build import store
from index.build.pipeline import apply_releases, build_index, update_index
from tests import index_base
from tests.index_base import EXTRA_FILES, BaseIndex, copy_release, make_settings

pytestmark = pytest.mark.slow
base_index = index_base.base_index  # the shared session fixture


@pytest.mark.parametrize("damage", ["manifest", "vectors"])
def test_a_damaged_live_generation_is_indexed_again(
    base_index: BaseIndex, tmp_path: Path, damage: str
) -> None:
    settings, source = base_index.clone(tmp_path)
    live = store.gen_dir(settings.index_dir, 1)
    (live / (store.MANIFEST if damage == "manifest" else store.VECTORS)).unlink()
    with pytest.raises(RuntimeError, match="cannot be read"):  # a feed's releases: not over a damaged index
        apply_releases(settings, read_releases(source))
    report = update_index(settings, source, progress=False)
    assert report.generation == 2 and report.embedded == 0  # every release again, vectors from the cache
    assert store.read_manifest(settings.index_dir, 2)["releases"] == 5
    assert build_index(settings, source, progress=False).generation == 3  # and a build too


def test_a_change_of_vector_engine_indexes_everything_again(base_index: BaseIndex, tmp_path: Path) -> None:
    settings, source = base_index.clone(tmp_path)
    built = store.read_manifest(settings.index_dir, 1)
    other = "torch" if built["backend"] == "onnx-int8" else "onnx-int8"
    switched = make_settings(settings.data_dir, embedding_backend=other)
    report = update_index(switched, source, progress=False)
    manifest = store.read_manifest(settings.index_dir, report.generation)
    assert report.generation == 2 and manifest["backend"] == other
    assert report.embedded >= 5  # vectors of the new kind: none of the old is kept


def test_a_registry_that_still_knows_a_removed_release_is_repaired(
    base_index: BaseIndex, tmp_path: Path
) -> None:
    """An update that removed a release, killed between its switch and the registry step, left the
    registry knowing it; the rerun found nothing to remove against the new live generation, and the feed
    poller took the release for indexed for ever. A build's or update's releases are all the live ones:
    the registry is made to hold exactly them."""
    from corpus.ingest.writer import mirror_live
    from corpus.registry import Registry

    settings, source = base_index.clone(tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    copy_release(EXTRA_FILES[0], extra)
    [gone] = read_releases(extra)
    mirror_live(settings.db_path, [gone], [])  # what the killed run's registry still holds
    report = update_index(settings, source, progress=False)
    assert report.generation == 1  # nothing changed in the index itself
    with Registry(settings.db_path) as registry:
        known = registry.hashes()
    assert gone.url not in known and len(known) == 5


def test_the_rows_and_files_of_a_generation_are_on_disk_before_the_switch(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits under ``synchronous=NORMAL`` wait in the WAL for a checkpoint: after a power cut ``CURRENT``
    (fsynced) could name a generation whose rows or files were lost. Every one is fsynced first."""
    import os

    settings, source = base_index.clone(tmp_path)
    copy_release(EXTRA_FILES[0], source)
    synced: list[str] = []
    real_fsync, real_open = os.fsync, os.open
    opened: dict[int, str] = {}

    def spy_open(path: object, flags: int, *args: object) -> int:
        fd = real_open(path, flags, *args)  # type: ignore[arg-type]
        opened[fd] = str(path)
        return fd

    def spy_fsync(fd: int) -> None:
        synced.append(opened.get(fd, "?"))
        real_fsync(fd)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    report = update_index(settings, source, progress=False)
    folder = str(store.gen_dir(settings.index_dir, report.generation))
    assert str(settings.db_path) + "-wal" in synced and folder in synced
    assert any(s.startswith(folder + "/") and s.endswith(store.VECTORS) for s in synced)
    assert synced.index(folder) < synced.index(str(settings.index_dir))  # before CURRENT's folder
