"""bench/gpu_embed.py: the kit a device call carries (the passages a build embeds, the model without its
weights) and the timed embedding loop, run here on the CPU (the shared model's architecture with random
weights, real inference through the build's own loop; a lent GPU runs the same code)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.bench_scripts import bench_script


def test_the_kit_carries_passages_and_no_weights_and_the_run_times_the_build_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mod = bench_script("gpu_embed")
    kit, out = tmp_path / "kit", tmp_path / "out"
    args = ["prepare", "--source", "sample", "--releases", "4", "--no-wheels", "--kit", str(kit)]
    assert mod.main(args) == 0
    about = json.loads(capsys.readouterr().out)
    with gzip.open(kit / "passages.jsonl.gz", "rt", encoding="utf-8") as fh:
        passages = [json.loads(line)["text"] for line in fh]
    assert about["releases"] == 4 and about["passages"] == len(passages)
    assert 4 <= len(passages) <= 4 * about["dense_passages"], "each release's first DENSE_PASSAGES chunks"
    assert (kit / "model" / "tokenizer.json").is_file() and (
        kit / "model" / "1_Pooling" / "config.json"
    ).is_file()
    assert not list(kit.rglob("*.safetensors")) and not list(kit.rglob("*.bin")), "the weights stay behind"
    assert json.loads((kit / "kit.json").read_text()) == about

    assert mod.main(["run", "--kit", str(kit), "--device", "cpu", "--limit", "6", "--out", str(out)]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert json.loads((out / "gpu_embed.json").read_text()) == figures
    assert figures["passages"] == figures["passages_cached"] == 6, "every passage embedded and cached"
    assert figures["tokens"] >= 6 and figures["passages_per_s"] > 0
    projected = mod.ARCHIVE_PASSAGES / figures["passages_per_s"]
    assert figures["projected_archive_s"] == pytest.approx(projected, rel=0.01)
    assert figures["target_met"] == (figures["projected_archive_s"] <= mod.TARGET_S)
    assert figures["dtype"] in ("float32", "bfloat16 autocast") and figures["device"].startswith("cpu")


def test_a_kit_that_is_missing_is_a_clear_error(tmp_path: Path) -> None:
    mod = bench_script("gpu_embed")
    with pytest.raises(SystemExit, match="prepare"):
        mod.main(["run", "--kit", str(tmp_path / "none"), "--device", "cpu"])
    with pytest.raises(SystemExit):  # argparse: "give 1 or more"
        mod.main(["prepare", "--source", "sample", "--releases", "0", "--kit", str(tmp_path / "zero")])
    assert not (tmp_path / "zero").exists()
    kit = tmp_path / "empty"  # a kit whose passages file holds none
    (kit / "model").mkdir(parents=True)
    (kit / "model" / "config.json").write_text("{}")
    with gzip.open(kit / "passages.jsonl.gz", "wt", encoding="utf-8"):
        pass
    with pytest.raises(SystemExit, match="no passages"):
        mod.main(["run", "--kit", str(kit), "--device", "cpu"])
