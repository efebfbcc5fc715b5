"""bfloat16 autocast for the torch engine on CPUs with bfloat16 in hardware (AMX, AVX-512 bfloat16): when it
is used, and that its vectors are the float32 ones (one embedding cache for both)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.build import cpu
from index.build.cpu import amx_in, faster_engine_hint, native_bf16_in, use_cpu_bf16
from index.build.embedding import Embedder, TorchEncoder
from thaigov_qa.settings import Settings, load_settings

TEXTS = [
    "passage: คณะรัฐมนตรีอนุมัติงบประมาณ 1,200 ล้านบาท เพื่อโครงการพัฒนาระบบน้ำ",
    "passage: The Prime Minister met the Huawei delegation at Government House.",
    "passage: " + "นายกรัฐมนตรีเดินทางไปตรวจราชการที่จังหวัดเชียงใหม่ " * 12,
]


def _cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: some cpu\nflags\t\t: {flags}\n\n", encoding="utf-8")
    return path


def test_amx_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    assert amx_in(_cpuinfo(tmp_path, "fpu sse2 avx2 avx512f amx_tile amx_bf16 amx_int8"))
    # avx512_bf16 alone (no AMX tiles) is not enough, nor a flag that only contains the name
    assert not amx_in(_cpuinfo(tmp_path, "fpu sse2 avx2 avx512f avx512_bf16 xamx_bf16x"))
    assert not amx_in(tmp_path / "missing")


def test_native_bf16_is_amx_or_avx512_bf16(tmp_path: Path) -> None:
    """AVX-512 bfloat16 without AMX (AMD Zen 4/5) counts for the autocast, not for the build's hint."""
    assert native_bf16_in(_cpuinfo(tmp_path, "fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni"))
    assert native_bf16_in(_cpuinfo(tmp_path, "fpu avx512f amx_tile amx_bf16"))
    assert not native_bf16_in(_cpuinfo(tmp_path, "fpu sse2 avx2 avx512f avx512_vnni xavx512_bf16"))
    assert not native_bf16_in(tmp_path / "missing")


def test_the_setting_decides_and_auto_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not use_cpu_bf16("on", "cuda") and not use_cpu_bf16("auto", "cuda:1")
    assert use_cpu_bf16("on", "cpu") and not use_cpu_bf16("off", "cpu")
    monkeypatch.setattr(cpu, "cpu_has_native_bf16", lambda: True)
    assert use_cpu_bf16("auto", "cpu") and not use_cpu_bf16("off", "cpu")
    monkeypatch.setattr(cpu, "cpu_has_native_bf16", lambda: False)
    assert not use_cpu_bf16("auto", "cpu") and use_cpu_bf16("on", "cpu")


def test_bf16_vectors_are_the_float_ones(model_path: Path) -> None:
    plain = TorchEncoder(str(model_path), "cpu", 32, bf16=False).encode(TEXTS)
    fast = TorchEncoder(str(model_path), "cpu", 32, bf16=True).encode(TEXTS)
    assert fast.dtype == np.float32 and fast.shape == plain.shape
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-3)
    cosines = (plain * fast).sum(axis=1)
    assert cosines.min() > 0.999, cosines  # measured: 0.99999 on 128 archive passages
    assert (fast @ plain.T).argmax(axis=1).tolist() == [0, 1, 2]  # order kept


def test_embedder_passes_the_setting_and_keeps_one_cache(tmp_path: Path, model_path: Path) -> None:
    def embedder(bf16: str) -> Embedder:
        settings = Settings(
            data_dir=tmp_path,
            embedding_model=str(model_path),
            embedding_backend="torch",
            embedding_device="cpu",
            embedding_cpu_bf16=bf16,
            _env_file=None,
        )
        return Embedder(settings)

    on, off = embedder("on"), embedder("off")
    assert isinstance(on.encoder, TorchEncoder) and on.encoder.bf16
    assert isinstance(off.encoder, TorchEncoder) and not off.encoder.bf16
    assert on.cache_key == off.cache_key  # float vectors either way: what one embeds the other reuses
    assert float((on.encode_passages(["ข่าว"]) * off.encode_passages(["ข่าว"])).sum()) > 0.999


def test_a_build_points_at_the_faster_engine_only_where_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "cpu_has_amx_bf16", lambda: True)
    hint = faster_engine_hint("onnx-int8", "cpu")
    assert hint and "EMBEDDING_BACKEND=torch" in hint
    assert faster_engine_hint("torch", "cpu") is None and faster_engine_hint("onnx-int8", "cuda") is None
    monkeypatch.setattr(cpu, "cpu_has_amx_bf16", lambda: False)
    assert faster_engine_hint("onnx-int8", "cpu") is None


def _live_index(data_dir: Path, manifest: dict[str, object]) -> None:
    gen = data_dir / "index" / "000001"
    gen.mkdir(parents=True)
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (data_dir / "index" / "CURRENT").write_text("1\n", encoding="utf-8")


def test_an_index_built_with_torch_is_updated_with_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin builds with EMBEDDING_BACKEND=torch (bfloat16 on AMX); the bot and later updates run with
    the defaults: they embed new releases with the index's engine, not int8 (which would re-index all)."""
    for name in ("EMBEDDING_BACKEND", "EMBEDDING_MODEL", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    _live_index(tmp_path / "var", {"model": "/models/e5", "backend": "torch"})
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    followed = load_settings()
    assert followed.embedding_backend == "torch" and followed.embedding_model == "/models/e5"
    assert "embedding_backend" not in followed.model_fields_set  # still followed after a rebuild elsewhere
    monkeypatch.setenv("EMBEDDING_BACKEND", "onnx-int8")  # set by the admin: what they asked for
    assert load_settings().embedding_backend == "onnx-int8"
    monkeypatch.delenv("EMBEDDING_BACKEND")
    _live_index(tmp_path / "odd", {"model": "/models/e5", "backend": "tensorrt"})
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "odd"))
    assert load_settings().embedding_backend == "onnx-int8"  # an engine the settings do not know: default
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "none"))
    assert load_settings().embedding_backend == "onnx-int8"  # no index yet: the default
