"""The build's embedding phase on a lent GPU (issue 19): passages a second, and the whole archive's embedding
time projected from them, in one prepared call of the device tool.

Why a prepared kit: the device machine reaches nothing (no model hub, no package registry, no
``../shared``), and a call carries at most 64 MiB, the repository's ~26 MB included. The shared model's
weights (79 MB) do not fit, so the kit carries the model's configuration and tokenizer and the device makes
the same architecture with random weights: the same shapes and the same arithmetic, so the same speed; its
vectors are not e5's, so only speed is measured there. The passages are real chunks of the archive as a build
embeds them (the first ``DENSE_PASSAGES`` of each release of a reproducible random slice), so their lengths,
and the padding, are real.
Timed: :func:`index.build.embedding_cache.embed_missing`, the build's own embedding loop (longest first,
batches of ``EMBEDDING_BATCH_SIZE``: 256 on CUDA, in half precision, committed to an embedding cache in
SQLite).

Here, once (writes ``.device/``, which git ignores: ~10 MB; one pass over the archive)::

    python bench/gpu_embed.py prepare [--releases 6000] [--source archive|sample] [--no-wheels]

There, in one device call (``carry: [".device"]``; the figures come back in ``$OUT/gpu_embed.json``)::

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .device/wheels/*.whl && \\
        PYTHONPATH=/tmp/site python3 bench/gpu_embed.py run --out $OUT

Here too, to compare on the same passages (the tests run this on the CPU)::

    python bench/gpu_embed.py run --device cpu [--limit 500] --out /tmp/gpu-embed
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.metadata
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from index.build.embedding import Embedder

KIT = Path(".device")
#: Passages with a vector in the whole archive's build (DENSE_PASSAGES=6; bench/PERFORMANCE.md, "Stop 48").
ARCHIVE_PASSAGES = 200_025
#: Issue 19's target for embedding the whole archive on a GPU.
TARGET_S = 600.0
#: The files of a sentence-transformers model folder that describe it; everything but the weights.
MODEL_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "1_Pooling/config.json",
)
#: What the device's image lacks for ``index.build.embedding`` (its settings): carried as wheels.
WHEELS = (
    "pydantic",
    "pydantic-core",
    "pydantic-settings",
    "python-dotenv",
    "typing-inspection",
    "annotated-types",
    "typing-extensions",  # pydantic needs a recent one; the image's may be older
)
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def slice_passages(releases: list, dense: int) -> list[str]:
    """The texts a build embeds for these releases: each one's first ``dense`` chunks, as the index writes
    them (title and date prefix; the ``passage:`` prompt is the embedder's)."""
    from transformers import AutoTokenizer

    from index.build import chunking
    from index.build.rows import has_vector
    from thaigov_qa.settings import SHARED_MODEL

    tokenizer = AutoTokenizer.from_pretrained(str(SHARED_MODEL))
    tokenizer.model_max_length = 10**9  # only counting: chunking keeps passages under the model's limit
    count = chunking.token_counter(tokenizer)
    out: list[str] = []
    for rel in releases:
        out.extend(
            chunking.passage_text(rel.title, rel.date, ch.text)
            for ch in chunking.chunk_release(rel, count)
            if has_vector(ch.position, dense)
        )
    return out


def _releases(source: str, n: int, seed: int) -> list:
    """``n`` releases: a seeded random draw over the whole archive (one pass over it), or the sample's
    first."""
    import _common as c

    if source == "sample":
        return c.sample_releases(n)
    rng = random.Random(seed)
    share = n / c.FULL_RELEASES
    return [rel for rel in c.iter_archive() if rng.random() < share][:n]


def _wheels(folder: Path) -> list[str]:
    """The wheels of :data:`WHEELS`, at this environment's versions, for the device's Python (3.12)."""
    folder.mkdir(parents=True, exist_ok=True)
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in WHEELS]
    platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
    cmd += ["--python-version", "3.12", "--implementation", "cp", *platforms, "-d", str(folder), *pins]
    subprocess.run(cmd, check=True)
    return sorted(p.name for p in folder.glob("*.whl"))


def prepare(args: argparse.Namespace) -> dict:
    """Write the kit: passages, the model's description without its weights, the wheels, and what it holds."""
    from thaigov_qa.settings import SHARED_MODEL, Settings

    kit = Path(args.kit)
    if kit.exists():
        shutil.rmtree(kit)
    (kit / "model").mkdir(parents=True)
    dense = Settings(_env_file=None).dense_passages
    releases = _releases(args.source, args.releases, args.seed)
    passages = slice_passages(releases, dense)
    with gzip.open(kit / "passages.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in passages)
    _copy_model_files(SHARED_MODEL, kit / "model")
    wheels = [] if args.no_wheels else _wheels(kit / "wheels")
    about = {
        "source": args.source,
        "releases": len(releases),
        "passages": len(passages),
        "dense_passages": dense,
    }
    about |= {"seed": args.seed, "model": SHARED_MODEL.name, "wheels": wheels}
    (kit / "kit.json").write_text(json.dumps(about, indent=1) + "\n", encoding="utf-8")
    return about


def _copy_model_files(source: Path, folder: Path) -> None:
    """:data:`MODEL_FILES` of the model folder ``source`` into ``folder``."""
    for name in MODEL_FILES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target)


def random_model(kit: Path, folder: Path) -> Path:
    """The kit's model architecture with random weights (seeded), saved as a sentence-transformers folder."""
    import torch
    from transformers import AutoConfig, AutoModel

    _copy_model_files(kit / "model", folder)
    torch.manual_seed(0)
    AutoModel.from_config(AutoConfig.from_pretrained(str(kit / "model"))).save_pretrained(str(folder))
    return folder


def _device(asked: str) -> str:
    import torch

    return asked or ("cuda" if torch.cuda.is_available() else "cpu")


def _dtype(embedder: Embedder, device: str) -> str:
    """How the timed engine multiplies: half precision on CUDA; on a CPU, bfloat16 under autocast where
    the product uses it (AMX), else float32."""
    from index.build.embedding import TorchEncoder

    if device.startswith("cuda"):
        return "float16"
    encoder = embedder.encoder
    return "bfloat16 autocast" if isinstance(encoder, TorchEncoder) and encoder.bf16 else "float32"


def run(args: argparse.Namespace) -> dict:
    """Time the build's embedding loop over the kit's passages; the figures, also written to ``--out``."""
    import torch

    from index.build.embedding import Embedder, batch_size_for
    from index.build.embedding_cache import EmbeddingCache, embed_missing, text_sha
    from thaigov_qa.settings import Settings

    kit = Path(args.kit)
    if not (kit / "passages.jsonl.gz").is_file() or not (kit / "model" / "config.json").is_file():
        raise SystemExit(f"{kit}: no kit there (python bench/gpu_embed.py prepare writes one)")
    with gzip.open(kit / "passages.jsonl.gz", "rt", encoding="utf-8") as fh:
        passages = [json.loads(line)["text"] for line in fh]
    passages = passages[: args.limit] if args.limit else passages
    if not passages:
        raise SystemExit(f"{kit}: the kit holds no passages (python bench/gpu_embed.py prepare writes them)")
    device = _device(args.device)
    with tempfile.TemporaryDirectory() as tmp:
        model = random_model(kit, Path(tmp) / "model")
        values = {"embedding_model": str(model), "embedding_backend": "torch", "embedding_device": device}
        settings = Settings(_env_file=None, data_dir=Path(tmp), embedding_batch_size=args.batch, **values)
        embedder = Embedder(settings)
        batch = batch_size_for(settings, device)
        started = time.perf_counter()
        embedder.encode_passages(passages[:batch])  # loads the model and the device's kernels
        load_s = time.perf_counter() - started
        texts = {text_sha(t): t for t in passages}  # what the loop embeds: each text once
        prompted = [embedder.prompt("passage") + t for t in texts.values()]
        tokens = sum(map(len, embedder.tokenizer(prompted, truncation=True, max_length=512)["input_ids"]))
        with contextlib.closing(sqlite3.connect(Path(tmp) / "cache.sqlite")) as conn:
            cache = EmbeddingCache(conn, embedder.cache_key)
            wall, cpu = time.perf_counter(), time.process_time()
            done = embed_missing(embedder, cache, texts, progress=False)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            held = conn.execute("SELECT COUNT(*) FROM embedding_cache").fetchone()[0]
    rate = done / wall if wall > 0 else 0.0
    projected = ARCHIVE_PASSAGES / rate if rate else None
    figures = {
        "device": torch.cuda.get_device_name(0)
        if device.startswith("cuda")
        else f"cpu ({os.cpu_count()} cores)",
        "torch": torch.__version__,
        "dtype": _dtype(embedder, device),
        "batch_size": batch,
        "passages": done,
        "passages_cached": held,
        "tokens": tokens,
        "load_s": round(load_s, 2),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "passages_per_s": round(rate, 1),
        "tokens_per_s": round(tokens / wall, 1) if wall > 0 else 0.0,
        "archive_passages": ARCHIVE_PASSAGES,
        "projected_archive_s": round(projected, 1) if projected else None,
        "target_s": TARGET_S,
        "target_met": projected is not None and projected <= TARGET_S,
        "weights": "random (the model's architecture; speed only)",
    }
    out = Path(args.out or os.environ.get("OUT") or tempfile.gettempdir())
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_embed.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return figures


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: give 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="write the kit (here)")
    prep.add_argument("--releases", type=_positive, default=6000, help="~3.2 passages a release")
    prep.add_argument("--source", choices=("archive", "sample"), default="archive")
    prep.add_argument("--seed", type=int, default=19)
    prep.add_argument("--no-wheels", action="store_true", help="skip the wheels (a CPU run here needs none)")
    prep.add_argument("--kit", default=str(KIT))
    go = sub.add_parser("run", help="time the embedding loop (there, or here with --device cpu)")
    go.add_argument("--kit", default=str(KIT))
    go.add_argument("--device", default="", help="cuda when present, else cpu")
    go.add_argument("--batch", type=int, default=0, help="EMBEDDING_BATCH_SIZE (0: the product's automatic)")
    go.add_argument("--limit", type=int, default=0, help="only the first N passages")
    go.add_argument(
        "--out", default="", help="folder for gpu_embed.json (default: $OUT, else the temp folder)"
    )
    args = p.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _common  # noqa: F401  (puts the repository first on the path)

    result = prepare(args) if args.command == "prepare" else run(args)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
