"""Settings: defaults, comma lists, .env, and one readable line naming a bad setting (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from thaigov_app.cli import main
from thaigov_qa.settings import HUB_MODEL, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No .env of the checkout and no setting from the caller's environment leak into these tests."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults() -> None:
    s = load_settings()
    assert s.data_dir == Path("var") and s.embedding_model == HUB_MODEL
    assert s.db_path == Path("var") / "thaigov.sqlite" and s.index_dir == Path("var") / "index"
    assert s.telegram_base_url == "https://api.telegram.org/bot"
    assert s.corpus_sources == [] and s.telegram_admin_ids == []


def test_a_copy_over_another_data_dir_has_its_own_paths() -> None:
    s = load_settings()
    _ = (s.db_path, s.index_dir, s.onnx_root)  # read once: a cached path would follow the copy
    other = s.model_copy(update={"data_dir": Path("elsewhere")})
    assert other.db_path == Path("elsewhere") / "thaigov.sqlite"
    assert (other.index_dir, other.onnx_root) == (Path("elsewhere") / "index", Path("elsewhere"))


def test_comma_lists_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "DATA_DIR=/srv/thaigov\nCORPUS_SOURCES= a.tar.xz , b/,,\nTELEGRAM_ADMIN_IDS=1, 22\n", encoding="utf-8"
    )
    monkeypatch.setenv("RELEASE_FEEDS", "https://example.org/rss,https://example.org/atom")
    s = load_settings()
    assert s.data_dir == Path("/srv/thaigov")
    assert s.corpus_sources == ["a.tar.xz", "b/"]
    assert s.telegram_admin_ids == [1, 22]
    assert s.release_feeds == ["https://example.org/rss", "https://example.org/atom"]


def test_a_dotenv_with_a_byte_order_mark_keeps_its_first_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .env saved by a Windows editor starts with a BOM: its first line used to be dropped silently."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes("\ufeffDATA_DIR=/srv/thaigov\nEMBEDDING_BATCH_SIZE=8\n".encode())
    s = load_settings()
    assert s.data_dir == Path("/srv/thaigov") and s.embedding_batch_size == 8
    (tmp_path / ".env").write_bytes("\ufeffEMBEDDING_BACKEND=foo\n".encode())
    with pytest.raises(SettingsError, match="EMBEDDING_BACKEND"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_ADMIN_IDS", "12,abc"),
        ("EMBEDDING_BATCH_SIZE", "-1"),
        ("WEBHOOK_PORT", "eighty"),
        ("TELEGRAM_BASE_URL", "api.telegram.org"),
        ("EMBEDDING_BACKEND", "gpu"),
        ("LOG_QUESTIONS", "maybe"),
        ("LLM_TIMEOUT_SECONDS", "-1"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    with pytest.raises(SettingsError, match=name):
        load_settings()
    assert main(["corpus", "inspect", "whatever"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and lines[0].startswith("thaigov-qa: ")
    assert "Traceback" not in err and "SECRET-TOKEN-VALUE" not in err


def test_a_folder_setting_that_names_a_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DATA_DIR or EXPORT_CACHE_DIR naming a file ended in a NotADirectoryError traceback in a command."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    for name in ("DATA_DIR", "EXPORT_CACHE_DIR"):
        monkeypatch.setenv(name, str(afile))
        with pytest.raises(SettingsError, match=f"{name}.*is a file, not a folder"):
            load_settings()
        monkeypatch.delenv(name)


def test_a_dotenv_that_is_a_pipe_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FIFO named .env made every command wait for a writer that never came."""
    import os

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATA_DIR", raising=False)
    os.mkfifo(tmp_path / ".env")
    assert load_settings().data_dir == Path("./var")
