"""Chunking with the real model tokenizer over real releases: budget, nothing lost, tiny and huge releases."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from corpus.release import Release
from corpus.thaigov import parse_release
from index.build.chunking import CHUNK_TOKENS, Chunk, chunk_body, chunk_release, passage_text, token_counter


@pytest.fixture(scope="module")
def count(model_path: Path):  # noqa: ANN201 - a TokenCounter
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path))
    tokenizer.model_max_length = 10**9
    return token_counter(tokenizer)


def _release(path: Path) -> Release:
    return parse_release(path.read_text(encoding="utf-8"), str(path))


def _sample_files(sample_dir: Path) -> list[Path]:
    files = sorted(sample_dir.rglob("*.txt"), key=lambda p: p.stat().st_size)
    # Small, middle-sized and the largest release of the sample (a cabinet summary of ~230 kB).
    return [files[0], files[3], files[len(files) // 2], files[-1]]


def _assert_covers(body: str, chunks: list[Chunk]) -> None:
    """Every non-space character of the body lies inside some chunk, and chunk texts are body slices."""
    covered = bytearray(len(body))
    for chunk in chunks:
        assert chunk.text == body[chunk.start : chunk.end]
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    lost = [i for i, ch in enumerate(body) if not ch.isspace() and not covered[i]]
    assert not lost, f"characters lost at {lost[:5]}: {body[lost[0] : lost[0] + 40]!r}"


def test_budget_respected_and_nothing_lost(sample_dir: Path, count) -> None:  # noqa: ANN001
    for path in _sample_files(sample_dir):
        release = _release(path)
        chunks = chunk_release(release, count)
        assert chunks, path
        assert [c.position for c in chunks] == list(range(len(chunks)))
        real = count([c.text for c in chunks])
        assert max(real) <= CHUNK_TOKENS, path
        assert real == [c.n_tokens for c in chunks]
        _assert_covers(release.body, chunks)
        # Chunks are not crumbs: apart from the last, they use a good part of the budget.
        if len(chunks) > 3:
            assert sum(real[:-1]) / (len(real) - 1) > CHUNK_TOKENS * 0.5


def test_long_thai_paragraph_is_split_at_spaces_with_overlap(sample_dir: Path, count) -> None:  # noqa: ANN001
    largest = _release(max(sample_dir.rglob("*.txt"), key=lambda p: p.stat().st_size))
    # One huge paragraph: the chunker must fall back to Thai clause boundaries (spaces).
    body = " ".join(line for line in largest.body.splitlines() if line.strip())[:20_000]
    chunks = chunk_body(body, count)
    assert len(chunks) > 5
    assert max(count([c.text for c in chunks])) <= CHUNK_TOKENS
    _assert_covers(body, chunks)
    overlapping = sum(1 for a, b in zip(chunks, chunks[1:], strict=False) if b.start < a.end)
    assert overlapping >= len(chunks) // 2  # consecutive chunks share one short clause
    # Cuts fall on spaces, never inside a word.
    for chunk in chunks[1:]:
        assert chunk.start == 0 or body[chunk.start - 1].isspace()


def test_text_without_spaces_is_split_by_halving(count) -> None:  # noqa: ANN001
    body = "ก" * 3000 + "1234567890" * 300
    chunks = chunk_body(body, count)
    assert len(chunks) > 1
    assert max(count([c.text for c in chunks])) <= CHUNK_TOKENS
    _assert_covers(body, chunks)


def test_tiny_and_empty_releases(count) -> None:  # noqa: ANN001
    empty = Release(
        url="u1", release_id="1", title="ประชุม ครม. วันนี้", date="2023-12-19", category="c", lang="th", body=""
    )
    chunks = chunk_release(empty, count)
    assert len(chunks) == 1 and chunks[0].text == "ประชุม ครม. วันนี้"
    tiny = Release(
        url="u2", release_id="2", title="t", date="2023-12-19", category="c", lang="th", body="สั้นมาก"
    )
    chunks = chunk_release(tiny, count)
    assert [c.text for c in chunks] == ["สั้นมาก"]


def test_600kb_release_chunks_fast(sample_dir: Path, count) -> None:  # noqa: ANN001
    # A cabinet-summary-sized release built from real release bodies (~600 kB of UTF-8).
    bodies = []
    size = 0
    for path in sorted(sample_dir.rglob("*.txt"), key=lambda p: -p.stat().st_size):
        body = _release(path).body
        bodies.append(body)
        size += len(body.encode("utf-8"))
        if size >= 600_000:
            break
    body = "\n".join(bodies)
    started = time.perf_counter()
    chunks = chunk_body(body, count)
    elapsed = time.perf_counter() - started
    assert max(c.n_tokens for c in chunks) <= CHUNK_TOKENS
    _assert_covers(body, chunks)
    # ~3 s alone on one of these cores; generous for a machine shared by several test runs.
    assert elapsed < 30, f"chunking {len(body)} characters took {elapsed:.1f} s"


def test_passage_text_carries_title_and_both_dates() -> None:
    text = passage_text("นายกฯ ลงนาม MOU", "2023-12-19", "เนื้อหา")
    assert text.splitlines() == ["นายกฯ ลงนาม MOU", "19 ธ.ค. 2566 (19 December 2023)", "เนื้อหา"]
    # A title-only chunk is not repeated; an unknown date is left out.
    assert passage_text("หัวข้อ", "", "หัวข้อ") == "หัวข้อ"
