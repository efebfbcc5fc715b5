"""Shared fixtures: paths into ../shared (beside the checkout, as in CI) and settings for a temp DATA_DIR."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.index_base import BaseIndex, base_index, make_settings  # noqa: F401 - base_index: a fixture
from thaigov_qa.settings import SHARED_MODEL, Settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# One ONNX export of the model for the whole test session (and the CLI subprocesses it starts), instead of
# one per DATA_DIR: questions are embedded by the ONNX export (EMBEDDING_QUERY_BACKEND's default), and
# exporting costs ~15 s of CPU. Set before any Settings is made; a caller's own value is kept. The folder
# this session made is removed when it ends (~200 MB a run: left behind, 320 runs filled 60 GB of /tmp).
_SESSION_EXPORT: str | None = None
if "EXPORT_CACHE_DIR" not in os.environ:
    _SESSION_EXPORT = tempfile.mkdtemp(prefix="thaigov-qa-onnx-")
    os.environ["EXPORT_CACHE_DIR"] = _SESSION_EXPORT


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the session's ONNX export folder (only one this session made, never a caller's)."""
    if _SESSION_EXPORT is not None:
        shutil.rmtree(_SESSION_EXPORT, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"../shared not found at {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def sample_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "sample"


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert SHARED_MODEL.is_dir(), f"shared model not found at {SHARED_MODEL}"
    return SHARED_MODEL


@pytest.fixture
def settings(tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a fresh DATA_DIR under tmp_path, with the offline model; ignores any local .env."""
    monkeypatch.chdir(tmp_path)
    return Settings(data_dir=tmp_path / "var", embedding_model=str(model_path), _env_file=None)


@pytest.fixture
async def fake_bot_api():  # type: ignore[no-untyped-def]
    """A started local fake Telegram Bot API server (tests/fake_bot_api/); stopped after the test."""
    from tests.fake_bot_api import FakeBotAPI

    api = FakeBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture(scope="module")
def answerer(base_index: BaseIndex):  # noqa: ANN201, F811 - an index.answer.Answerer (imported lazily)
    """The product's answerer over the base index (tests/index_base.py), one per test module."""
    from index.answer import Answerer
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    return Answerer(Searcher.open(settings), settings)
