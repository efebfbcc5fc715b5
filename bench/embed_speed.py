"""Embedding throughput and agreement by backend: torch vs ONNX float32 vs ONNX int8, sorted or not by length.

    python bench/embed_speed.py --n 300 [--threads 2] \
        [--backends torch,torch-unsorted,torch-bf16,onnx,onnx-int8,onnx-int8-unsorted]

Passages are real chunks of ``../shared/corpus/sample`` (a reproducible random subset), prefixed
``passage: `` as the product embeds them. For each backend: wall and CPU seconds, chunks/s, and how
close its vectors are to the torch ones (mean/min cosine; overlap of each passage's 10 nearest
neighbours among the set, a proxy for retrieval agreement). ``torch-bf16`` is the build's bfloat16
autocast (``EMBEDDING_CPU_BF16=on``). The ONNX export is cached under ``--data-dir/onnx`` (made once from
the local model folder, offline).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _torch_encoder(model: str, batch_size: int, threads: int, sort: bool, bf16: bool = False):  # noqa: ANN202
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    st = SentenceTransformer(model, device="cpu")

    def encode(texts: list[str]) -> np.ndarray:
        # The build's autocast (index.build.embedding.TorchEncoder): bfloat16 products, float32 norms.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return _encode(texts)

    def _encode(texts: list[str]) -> np.ndarray:
        if sort:  # sentence-transformers sorts each call's texts by length itself
            return st.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
        parts = [
            st.encode(texts[i : i + batch_size], batch_size=batch_size, normalize_embeddings=True)
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts)

    return encode


def _onnx_encoder(model: str, data_dir: Path, quantized: bool, batch_size: int, threads: int, sort: bool):  # noqa: ANN202
    from index.build.onnx_backend import OnnxEncoder

    enc = OnnxEncoder(model, data_dir, quantized=quantized, batch_size=batch_size, threads=threads)
    return lambda texts: enc.encode(texts, sort_by_length=sort)


def _neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int = 10, queries: int = 100) -> float:
    """Mean overlap of the k nearest neighbours (excluding self) of the first passages, a vs b."""
    q = min(queries, len(a))
    sa, sb = a[:q] @ a.T, b[:q] @ b.T
    np.fill_diagonal(sa[:, :q], -2)
    np.fill_diagonal(sb[:, :q], -2)
    ta = np.argsort(-sa, axis=1)[:, :k]
    tb = np.argsort(-sb, axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ta, tb, strict=True)]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="passages to embed")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per backend; the best is reported")
    ap.add_argument("--backends", default="torch,torch-unsorted,onnx,onnx-int8,onnx-int8-unsorted")
    ap.add_argument("--model", default=str(c.SHARED_MODEL))
    ap.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    releases = c.sample_releases()
    chunks, chunker = c.chunk_texts(releases)
    texts = ["passage: " + t for t in c.pick(chunks, args.n)]
    print(
        f"# {len(texts)} passages from {len(releases)} sample releases, chunker: {chunker}; "
        f"mean {np.mean([len(t) for t in texts]):.0f} chars; threads={args.threads}; {c.conditions()}",
        file=sys.stderr,
    )

    reference: np.ndarray | None = None
    rows = []
    for name in args.backends.split(","):
        sort = not name.endswith("-unsorted")
        base = name.removesuffix("-unsorted")
        if base in ("torch", "torch-bf16"):
            encode = _torch_encoder(args.model, args.batch_size, args.threads, sort, base == "torch-bf16")
        elif base in ("onnx", "onnx-int8"):
            encode = _onnx_encoder(
                args.model, args.data_dir, base == "onnx-int8", args.batch_size, args.threads, sort
            )
        else:
            raise SystemExit(f"unknown backend {name!r}")
        encode(texts[:8])  # warm-up: first-call allocations, lazy init
        best = None
        for _ in range(args.repeat):
            with c.Timer() as t:
                vecs = encode(texts)
            if best is None or t.wall < best.wall:
                best = t
        assert best is not None
        if reference is None and base == "torch":
            reference = vecs
        row = {
            "backend": name,
            "passages": len(texts),
            "wall_s": best.wall,
            "cpu_s": best.cpu,
            "chunks_per_s": len(texts) / best.wall,
            "ms_per_chunk": 1000 * best.wall / len(texts),
        }
        if reference is not None:
            cos = np.sum(reference * vecs, axis=1)
            row["cos_mean"] = float(cos.mean())
            row["cos_min"] = float(cos.min())
            row["nn10_overlap"] = _neighbour_overlap(reference, vecs)
        rows.append(row)
        print(f"  {name}: {row['chunks_per_s']:.2f} chunks/s", file=sys.stderr)
    c.emit(
        rows, args.json, title=f"Embedding throughput ({len(texts)} sample chunks, {args.threads} threads)"
    )
    if not args.json:
        print(f"\nconditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
