"""The ONNX embedding backends: offline export cached (in DATA_DIR or EXPORT_CACHE_DIR), same vectors as
torch, input order kept.

One export for the session (~20 s of CPU). Also the IVF vector index of ``index/build/ann.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from index.build import onnx_backend
from index.build.embedding import Embedder
from thaigov_qa.settings import Settings

pytestmark = pytest.mark.slow

TEXTS = [
    "passage: คณะรัฐมนตรีอนุมัติงบประมาณ 1,200 ล้านบาท เพื่อโครงการพัฒนาระบบน้ำ",
    "passage: The Prime Minister met the Huawei delegation at Government House.",
    "passage: สั้น",
    "passage: " + "นายกรัฐมนตรีเดินทางไปตรวจราชการที่จังหวัดเชียงใหม่ " * 12,
]


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """The session's shared export folder (``EXPORT_CACHE_DIR``, see conftest): exported once per session."""
    return Path(os.environ["EXPORT_CACHE_DIR"])


@pytest.fixture(scope="module")
def int8_path(data_dir: Path, model_path: Path) -> Path:
    pytest.importorskip("onnxruntime")  # the optional extra: pip install -e '.[onnx]'
    pytest.importorskip("onnx")
    return onnx_backend.ensure_export(str(model_path), data_dir, quantized=True)


def test_export_folder_defaults_to_data_dir(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path / "var", export_cache_dir="", _env_file=None)
    assert plain.onnx_root == tmp_path / "var"
    shared = Settings(data_dir=tmp_path / "var", export_cache_dir=tmp_path / "exports", _env_file=None)
    assert shared.onnx_root == tmp_path / "exports"


def test_export_is_cached_under_its_folder(int8_path: Path, data_dir: Path, model_path: Path) -> None:
    assert int8_path.is_file() and data_dir in int8_path.parents
    assert (int8_path.parent / "model.onnx").is_file() and (int8_path.parent / "tokenizer.json").is_file()
    stamp = int8_path.stat().st_mtime_ns
    again = onnx_backend.ensure_export(str(model_path), data_dir, quantized=True)
    assert again == int8_path and again.stat().st_mtime_ns == stamp  # reused, not exported twice


def test_int8_agrees_with_torch_and_keeps_order(int8_path: Path, data_dir: Path, model_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_path), device="cpu").encode(TEXTS, normalize_embeddings=True)
    enc = onnx_backend.OnnxEncoder(str(model_path), data_dir, quantized=True, batch_size=2)
    got = enc.encode(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    cos = np.sum(got * reference, axis=1)
    assert cos.min() > 0.98, cos  # per-channel int8: ~0.995 on real passages
    # Sorting by length inside encode must not permute the rows it returns.
    one_by_one = np.vstack([enc.encode([t]) for t in TEXTS])
    assert np.allclose(got, one_by_one, atol=2e-2)
    assert np.argmax(got @ got[1]) == 1


def test_int8_keeps_the_most_outlier_heavy_matmuls_float(int8_path: Path) -> None:
    """The int8 graph leaves float exactly the FLOAT_MATMULS weight MatMuls whose inputs peak furthest
    above their spread; every other weight MatMul is quantised."""
    import onnx

    ratios = onnx_backend.matmul_outliers(int8_path.parent / "model.onnx")
    assert len(ratios) == 12 * 6  # e5-small: Q, K, V, attention output, FFN up and down per layer
    ranked = sorted(ratios, key=lambda name: -ratios[name])
    kept = ranked[: onnx_backend.FLOAT_MATMULS]
    assert ratios[kept[-1]] > 2 * sorted(ratios.values())[len(ratios) // 2]  # true outliers, not noise
    graph = onnx.load(str(int8_path), load_external_data=False).graph
    float_weight_matmuls = {n.name for n in graph.node if n.op_type == "MatMul" and n.name in ratios}
    quantised = {n.name.removesuffix("_quant") for n in graph.node if n.op_type == "MatMulInteger"}
    assert float_weight_matmuls == set(kept)
    assert quantised == set(ranked[onnx_backend.FLOAT_MATMULS :])


def test_embedder_uses_backend_setting(data_dir: Path, model_path: Path, int8_path: Path) -> None:
    settings = Settings(
        data_dir=data_dir, embedding_model=str(model_path), embedding_backend="onnx-int8", _env_file=None
    )
    embedder = Embedder(settings)
    q = embedder.encode_queries(["ครม. อนุมัติงบประมาณเท่าไร"])
    assert isinstance(embedder.encoder, onnx_backend.OnnxEncoder)
    assert q.shape == (1, embedder.dim) and abs(float(np.linalg.norm(q)) - 1) < 1e-4
    assert embedder.cache_key.endswith("#onnx-int8")  # int8 vectors never mix with float ones in the cache


def test_questions_can_use_another_engine_than_passages(
    data_dir: Path, model_path: Path, int8_path: Path
) -> None:
    """``EMBEDDING_QUERY_BACKEND=onnx-int8`` over float passages: questions go through the int8 graph, the
    passages (and the cache key) stay float, and a question still lands nearest its own passage."""
    settings = Settings(
        data_dir=data_dir,
        embedding_model=str(model_path),
        embedding_backend="onnx",
        embedding_query_backend="onnx-int8",
        _env_file=None,
    )
    embedder = Embedder(settings)
    assert embedder.cache_key == embedder.model_id  # passages: float vectors, shared with torch
    passages = embedder.encode_passages([t.removeprefix("passage: ") for t in TEXTS])
    questions = embedder.encode_queries(["Huawei delegation at Government House", "งบประมาณ ระบบน้ำ"])
    assert embedder.query_encoder is not embedder.encoder
    assert embedder.query_encoder.path.name.startswith("model-int8")  # type: ignore[attr-defined]
    assert (questions @ passages.T).argmax(axis=1).tolist() == [1, 0]
    plain = Embedder(settings.model_copy(update={"embedding_query_backend": ""}))
    cos = np.sum(
        questions * plain.encode_queries(["Huawei delegation at Government House", "งบประมาณ ระบบน้ำ"]), 1
    )
    assert cos.min() > 0.98, cos
    sims = embedder.compare("Huawei delegation", [TEXTS[1].removeprefix("passage: "), "สั้น"])
    assert sims.shape == (2,) and sims[0] > sims[1]


def _clustered(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((300, dim)).astype(np.float32)
    x = centres[rng.integers(0, 300, n)] + 0.3 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_ivf_finds_what_exact_search_finds_and_removes_ids(tmp_path: Path) -> None:
    import faiss

    from index.build import ann

    x = _clustered(20_000)
    ids = np.arange(len(x), dtype=np.int64) * 3 + 1  # sparse ids, as chunk ids are
    index = ann.build(ids, x, "ivf")
    assert faiss.try_extract_index_ivf(index) is not None
    exact = ann.build(ids, x, "flat")
    queries = _clustered(50, seed=1)
    _, got = index.search(queries, 5)
    _, want = exact.search(queries, 5)
    recall = np.mean([len(set(g) & set(w)) / 5 for g, w in zip(got, want, strict=True)])
    assert recall >= 0.9, recall
    assert np.allclose(index.reconstruct(int(ids[7])), x[7])
    from index.build.vectors import VectorIndex

    stored = VectorIndex(index).vectors([int(ids[7]), int(ids[3])])  # what answer confidence reads
    assert np.allclose(stored, x[[7, 3]])
    with pytest.raises(KeyError):
        VectorIndex(index).vectors([2])  # ids are 1, 4, 7...: 2 is not held
    assert index.remove_ids(ids[:10]) == 10 and index.ntotal == len(x) - 10
    assert set(ann.all_ids(index)) == set(ids[10:].tolist())
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    loaded = ann.tune(faiss.read_index(str(tmp_path / "v.faiss")), nprobe=8)
    assert faiss.extract_index_ivf(loaded).nprobe == 8 and loaded.ntotal == len(x) - 10


def test_small_indexes_stay_exact() -> None:
    import faiss

    from index.build import ann

    x = _clustered(500)
    index = ann.build(np.arange(500, dtype=np.int64), x, "ivf")
    assert isinstance(index, faiss.IndexIDMap2)  # too few vectors to train lists: exact search
    assert set(ann.all_ids(index)) == set(range(500))


def test_vector_index_ivf_round_trip_and_incremental_update(tmp_path: Path) -> None:
    """``VECTOR_INDEX=ivf`` as the index uses it: built once, saved, loaded tuned, then updated in place."""
    import faiss

    from index.build import ann
    from index.build.vectors import VectorIndex

    x = _clustered(20_000)
    ids = np.arange(len(x), dtype=np.int64) * 2 + 5
    built = VectorIndex.build(ids, x, "ivf")
    assert built.kind == "ivf"
    built.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss")
    ivf = faiss.extract_index_ivf(loaded.index)
    assert loaded.kind == "ivf" and ivf.nprobe == ann.probes_for(ivf.nlist) == max(32, ivf.nlist // 8)
    assert ann.probes_for(2048) == 256 and ann.probes_for(64) == 32  # the whole archive's lists; the fewest
    # An incremental update: a release's chunks leave, its new chunks (new ids) come in.
    assert loaded.remove(ids[:50]) == 50
    new_ids = np.arange(50, dtype=np.int64) * 2 + 10_000_001
    loaded.add(new_ids, x[:50])
    assert loaded.ntotal == len(x)
    assert set(loaded.ids().tolist()) == set(ids[50:].tolist()) | set(new_ids.tolist())
    _, found = loaded.search(x[:3], 1)
    assert found[:, 0].tolist() == new_ids[:3].tolist()
    assert VectorIndex.build(ids, x, "ivf-sq8").kind == "ivf-sq8"
    assert VectorIndex.build(ids[:500], x[:500], "ivf").kind == "flat"  # too small to train: exact
    with pytest.raises(ValueError, match="unknown vector index kind"):
        VectorIndex.build(ids, x, "hnsw")


def test_searches_in_other_threads_use_the_chosen_openmp_threads() -> None:
    """OpenMP keeps its thread count per calling thread: the count chosen where the reader was opened must
    hold in the threads that search (the bot's answer workers, the search's embedding workers)."""
    from concurrent.futures import ThreadPoolExecutor

    import faiss

    from index.build import vectors
    from index.build.vectors import VectorIndex

    x = _clustered(500)
    index = VectorIndex.build(np.arange(500, dtype=np.int64), x, "flat")
    before = vectors._search_threads
    try:
        vectors.set_search_threads(1)

        def search_then_count() -> int:
            index.search(x[:1], 3)
            return faiss.omp_get_max_threads()

        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(search_then_count).result() == 1
    finally:
        vectors._search_threads = before


def test_a_bulk_build_spins_its_passage_engine_and_questions_keep_their_own(
    int8_path: Path, data_dir: Path, model_path: Path, tmp_path: Path
) -> None:
    """``index build``/``update`` on the command line (``Embedder(bulk=True)``): the passages' engine keeps
    its threads spinning between operations (faster for batches); a question asked of that embedder gets an
    engine of its own that does not (spinning slowed a question answered beside other work twofold)."""
    settings = Settings(
        data_dir=tmp_path,
        embedding_model=str(model_path),
        embedding_backend="onnx-int8",
        embedding_query_backend="onnx-int8",
        export_cache_dir=data_dir,
        _env_file=None,
    )

    def spins(encoder: object) -> str:
        assert isinstance(encoder, onnx_backend.OnnxEncoder)
        options = encoder.session.get_session_options()
        return options.get_session_config_entry("session.intra_op.allow_spinning")

    bulk, served = Embedder(settings, bulk=True), Embedder(settings)
    assert spins(bulk.encoder) == "1" and spins(bulk.query_encoder) == "0"
    assert bulk.query_encoder is not bulk.encoder
    assert spins(served.encoder) == "0" and served.query_encoder is served.encoder  # one engine, as before
    assert served.query_encoder is bulk.query_encoder, "loaded once a process"
    got, want = bulk.encode_passages(TEXTS), served.encode_passages(TEXTS)
    assert np.allclose(got, want, atol=1e-6), "the same vectors"
