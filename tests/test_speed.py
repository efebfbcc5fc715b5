"""``thaigov-qa doctor``'s speed check: a real measurement of the configured engine on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index_base import make_settings
from thaigov_app.speed import ARCHIVE_PASSAGES, EmbeddingSpeed, cpu_has_vnni, measure, sample_passages


def test_the_projection_and_the_cpu_flags(tmp_path: Path) -> None:
    slow = EmbeddingSpeed(passage_seconds=0.2, question_ms=40.0, vnni=False)
    assert slow.passages_per_second == pytest.approx(5.0)
    assert slow.archive_hours == pytest.approx(ARCHIVE_PASSAGES * 0.2 / 3600)
    assert "5.0 passages/s" in slow.summary() and "~11.1 h" in slow.summary() and "no VNNI" in slow.summary()
    assert "VNNI" not in EmbeddingSpeed(0.05, 9.0, None).summary()
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512_vnni\n")
    assert cpu_has_vnni(info) is True
    info.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 fma\n")
    assert cpu_has_vnni(info) is False
    assert cpu_has_vnni(tmp_path / "missing") is None


@pytest.mark.slow
def test_measure_times_the_configured_engine_on_real_passages(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    from index.build.embedding import Embedder

    passages = sample_passages(Embedder(settings).tokenizer, 5)
    assert len(passages) == 5 and all("Huawei" in p or "หัวเว่ย" in p or len(p) > 100 for p in passages)
    speed = measure(settings)
    assert 0 < speed.passage_seconds < 30 and 0 < speed.question_ms < 30_000
    assert speed.archive_hours == pytest.approx(ARCHIVE_PASSAGES * speed.passage_seconds / 3600)
