"""The query adapter (index.search.adapter): the map itself, its file, its place in the dense search, and
its fitting (index.search.adapter_training), on the real base index (real model, FAISS, SQLite)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.search.adapter import SHIPPED, AdapterError, QueryAdapter
from index.search.rerank import FEATURES
from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401


def test_the_map_is_residual_and_unit_length() -> None:
    q = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    assert np.allclose(QueryAdapter(np.zeros((3, 3))).apply(q), q)  # a zero map keeps e5's vector
    a = np.zeros((3, 3), dtype=np.float32)
    a[2, 0] = 1.0  # adds the first coordinate to the third
    mapped = QueryAdapter(a).apply(q)
    assert mapped.dtype == np.float32 and np.linalg.norm(mapped) == pytest.approx(1.0)
    assert np.allclose(mapped, np.array([0.6, 0.8, 0.6]) / np.linalg.norm([0.6, 0.8, 0.6]))
    with pytest.raises(AdapterError):
        QueryAdapter(np.zeros((3, 4)))


def test_file_round_trip_and_which_questions_it_maps(tmp_path: Path) -> None:
    a = np.random.default_rng(0).normal(0, 0.01, (4, 4)).astype(np.float32)
    path = tmp_path / "adapter.npz"
    QueryAdapter(a, "en", "multilingual-e5-small").save(path)
    back = QueryAdapter.read(path)
    assert np.allclose(back.matrix, a, atol=1e-4) and (back.lang, back.model) == (
        "en",
        "multilingual-e5-small",
    )
    assert back.applies("en", 4) and not back.applies("th", 4) and not back.applies("en", 384)
    # The hub's name and a local copy of the same model match; another model does not.
    assert back.fits("intfloat/multilingual-e5-small") and back.fits("/models/multilingual-e5-small")
    assert not back.fits("intfloat/multilingual-e5-base")
    assert QueryAdapter.load(tmp_path / "missing.npz") is None
    assert not list(tmp_path.glob("*.partial"))  # written beside and moved over the target


@pytest.mark.parametrize("content", [b"", b"not an archive", "npy"])
def test_a_file_that_is_no_adapter_is_a_clear_error(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "adapter.npz"
    if content == "npy":
        with path.open("wb") as fh:
            np.save(fh, np.zeros((4, 4)))  # an array, not the archive
    else:
        path.write_bytes(content)
    with pytest.raises(AdapterError, match="adapter"):
        QueryAdapter.read(path)


def test_a_map_must_be_finite_and_for_a_question_language() -> None:
    with pytest.raises(AdapterError):
        QueryAdapter(np.full((2, 2), np.inf))
    with pytest.raises(AdapterError):
        QueryAdapter(np.zeros((2, 2)), lang="")  # would read as "never mapped" texts


def test_shipped_adapter_fits_the_models_space() -> None:
    shipped = QueryAdapter.read(SHIPPED)
    assert shipped.lang == "en" and shipped.dim == 384 and shipped.fits("intfloat/multilingual-e5-small")


def test_dense_search_reads_the_mapped_vector_of_english_questions_only(base_index: BaseIndex) -> None:  # noqa: F811
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir, query_tower=False)  # the tower serves before the map
    searcher = Searcher.open(settings)
    assert searcher.adapter is not None  # the shipped one, for the model the index was built with
    assert Searcher.open(make_settings(base_index.data_dir, query_adapter=False)).adapter is None
    reader = searcher.reader
    english, thai = "Who signed the agreement?", "ใครลงนามข้อตกลง"
    searcher.adapter = None
    plain_en = [h.url for h in searcher.search(english, k=5, mode="dense")]
    plain_th = [h.url for h in searcher.search(thai, k=5, mode="dense")]
    # A map that sends every English question onto the Huawei release's first passage vector.
    target = reader.release_vectors([HUAWEI_URL])[HUAWEI_URL][0]
    q = reader.embedder.encode_queries([english])[0]
    onto = (np.outer(target, q) / float(q @ q) - np.eye(len(q))).astype(np.float32)
    searcher.adapter = QueryAdapter(onto, "en")
    hits = searcher.search(english, k=5, mode="dense")
    assert hits[0].url == HUAWEI_URL and plain_en[0] != HUAWEI_URL  # the map decides the order
    assert [h.url for h in searcher.search(thai, k=5, mode="dense")] == plain_th  # Thai: untouched
    # In the product's search, only the question's own dense list moves: its Thai rendering's does not, and
    # a search without the map (rerank train's, for the questions the map was fitted on) is e5's.
    dense = [FEATURES.index(f"dense_{m}") for m in ("rank", "share", "score")]
    rendering = [FEATURES.index(f"dense_rendering_{m}") for m in ("rank", "share", "score")]
    searcher.adapter = None
    urls0, rows0, _ = searcher.second_look_rows(english)
    searcher.adapter = QueryAdapter(onto, "en")
    urls1, rows1, _ = searcher.second_look_rows(english)
    urls2, rows2, _ = searcher.second_look_rows(english, adapted=False)
    by_url = {h.url: i for i, h in enumerate(urls0)}
    order = [by_url[h.url] for h in urls1]
    assert np.allclose(rows1[:, rendering], rows0[order][:, rendering])
    assert not np.allclose(rows1[:, dense], rows0[order][:, dense])
    assert [h.url for h in urls2] == [h.url for h in urls0] and np.allclose(rows2, rows0)
    # The vector kept for the answer step is e5's own, not the mapped one.
    assert np.allclose(searcher.query_vector(english), q, atol=1e-5)


def test_fitting_is_deterministic_and_reports_the_dense_lists(base_index: BaseIndex, tmp_path: Path) -> None:  # noqa: F811
    from index.search.adapter_training import Example, collect, train
    from index.search.retrieve import Searcher

    searcher = Searcher.open(make_settings(base_index.data_dir))
    questions = [
        {"question": "When was the Huawei MOU signed?", "fold": "train", "gold_urls": [HUAWEI_URL]},
        {"question": "Which company signed a cloud MOU?", "fold": "train", "gold_urls": [HUAWEI_URL]},
        {
            "question": "Who signed the cloud agreement with the ministry?",
            "fold": "validation",
            "gold_urls": [HUAWEI_URL],
        },
        {
            "question": "ลงนาม MOU กับหัวเว่ยวันไหน",
            "fold": "train",
            "gold_urls": [HUAWEI_URL],
        },  # Thai: not mapped
    ]
    examples = collect(searcher, questions)
    assert [e.fold for e in examples] == ["train", "train", "validation"]
    assert all(len(e.gold) and e.vector.shape == (384,) for e in examples)
    first, report = train(searcher.reader, examples, "multilingual-e5-small")
    second, _ = train(searcher.reader, collect(searcher, questions), "multilingual-e5-small")
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    first.save(a)
    second.save(b)
    assert a.read_bytes() == b.read_bytes()
    # The map moves the train questions' vectors toward their gold passages, away from the near misses.
    assert np.abs(first.matrix).max() > 0
    for e in (e for e in examples if e.fold == "train"):

        def margin(v: np.ndarray, e: Example = e) -> float:
            return float((e.gold @ v).max() - (e.near @ v).max())

        assert margin(first.apply(e.vector)) > margin(e.vector)
    assert set(report["all"]) == {"e5", "mapped"} and report["all"]["mapped"]["questions"] == 1
    assert report["all"]["e5"]["r@30"] == 1.0  # five releases: the gold one is always in the list
    assert QueryAdapter.read(a).fits("intfloat/multilingual-e5-small")
    with pytest.raises(ValueError):
        train(searcher.reader, [e for e in examples if e.fold == "validation"], "multilingual-e5-small")


def test_a_damaged_adapter_file_leaves_search_working(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from index.search import adapter
    from index.search.retrieve import Searcher

    damaged = tmp_path / "query_adapter.npz"
    damaged.write_bytes(b"\x00" * 64)
    monkeypatch.setattr(adapter, "SHIPPED", damaged)
    searcher = Searcher.open(make_settings(base_index.data_dir))
    assert searcher.adapter is None and "searched without it" in caplog.text
    assert searcher.search("When was the Huawei MOU signed?", k=3)[0].url == HUAWEI_URL
