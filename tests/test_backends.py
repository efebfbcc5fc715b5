"""The ONNX embedding backends: offline export cached in DATA_DIR, same vectors as torch, input order kept.

One export for the module (~20 s of CPU); skipped where the optional ``onnx`` extra is not installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from index import onnx_backend  # noqa: E402
from index.embedding import Embedder  # noqa: E402
from thaigov_qa.settings import Settings  # noqa: E402

pytestmark = pytest.mark.slow

TEXTS = [
    "passage: คณะรัฐมนตรีอนุมัติงบประมาณ 1,200 ล้านบาท เพื่อโครงการพัฒนาระบบน้ำ",
    "passage: The Prime Minister met the Huawei delegation at Government House.",
    "passage: สั้น",
    "passage: " + "นายกรัฐมนตรีเดินทางไปตรวจราชการที่จังหวัดเชียงใหม่ " * 12,
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def int8_path(data_dir: Path, model_path: Path) -> Path:
    return onnx_backend.ensure_export(str(model_path), data_dir, quantized=True)


def test_export_is_cached_under_data_dir(int8_path: Path, data_dir: Path, model_path: Path) -> None:
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


def test_embedder_uses_backend_setting(data_dir: Path, model_path: Path, int8_path: Path) -> None:
    settings = Settings(
        data_dir=data_dir, embedding_model=str(model_path), embedding_backend="onnx-int8", _env_file=None
    )
    embedder = Embedder(settings)
    q = embedder.encode_queries(["ครม. อนุมัติงบประมาณเท่าไร"])
    assert isinstance(embedder.encoder, onnx_backend.OnnxEncoder)
    assert q.shape == (1, embedder.dim) and abs(float(np.linalg.norm(q)) - 1) < 1e-4
    assert embedder.cache_key.endswith("#onnx-int8")  # int8 vectors never mix with float ones in the cache
