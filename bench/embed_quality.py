"""Retrieval quality of an embedding backend against torch on the dev questions (dense retrieval only).

    python bench/embed_quality.py --dev-data /work/devindex [--backends onnx-int8] [--chunks 3000]

Reads a dev index built with the torch backend (its chunks and its torch vectors from the embedding
cache), picks a sub-corpus (every chunk of the gold releases plus chunks of other dev-corpus releases,
the hard look-alikes, up to ``--chunks``), embeds it again with each backend, and scores the dev
questions by dense retrieval alone (release score = its best chunk): Recall@1/5/10 and MRR@10 per
backend, plus embedding time. Only the dense part changes with the backend; BM25 and fusion do not,
so this isolates what quantisation costs. The dev index is opened read-only.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def _metrics(q: np.ndarray, p: np.ndarray, urls: list[str], golds: list[set[str]]) -> dict[str, float]:
    scores = q @ p.T
    r1 = r5 = r10 = mrr = 0.0
    for qi, gold in enumerate(golds):
        best: dict[str, float] = {}
        for j in np.argsort(-scores[qi])[:400]:
            u = urls[j]
            if u not in best:
                best[u] = float(scores[qi, j])
        ranked = sorted(best, key=best.get, reverse=True)[:10]  # type: ignore[arg-type]
        hit = next((i for i, u in enumerate(ranked) if u in gold), None)
        if hit is not None:
            r1 += hit < 1
            r5 += hit < 5
            r10 += 1
            mrr += 1 / (hit + 1)
    n = max(1, len(golds))
    return {"R@1": r1 / n, "R@5": r5 / n, "R@10": r10 / n, "MRR@10": mrr / n}


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev-data", type=Path, required=True, help="DATA_DIR of a dev index built with torch")
    ap.add_argument("--backends", default="onnx-int8")
    ap.add_argument("--chunks", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA)
    ap.add_argument("--json", action="store_true")
    return ap.parse_args()


def _sub_corpus(dev_data: Path, gold_all: set[str], chunks: int) -> tuple[np.ndarray, list[str], list[str]]:
    """(torch vectors, passage texts, release URLs) of every gold chunk plus random other dev-corpus chunks
    up to ``chunks``: the look-alikes make the ranking hard. Vectors come from the dev index's embedding
    cache, so torch is not run again; a chunk whose cached passage no longer matches its text is skipped."""
    from index.build.chunking import passage_text
    from index.build.embedding import model_id
    from index.build.embedding_cache import text_sha

    conn = sqlite3.connect(f"file:{dev_data / 'thaigov.sqlite'}?mode=ro", uri=True)
    meta = {
        u: (t, d)
        for u, t, d in conn.execute("SELECT url, title, date FROM indexed_releases WHERE gen_to IS NULL")
    }
    rows = conn.execute("SELECT url, text, sha FROM chunks WHERE gen_to IS NULL ORDER BY chunk_id").fetchall()
    gold_rows = [r for r in rows if r[0] in gold_all]
    other = [r for r in rows if r[0] not in gold_all]
    random.Random(3).shuffle(other)
    chosen = gold_rows + other[: max(0, chunks - len(gold_rows))]
    key = model_id(str(c.SHARED_MODEL))
    torch_vecs, texts, urls = [], [], []
    for url, text, sha in chosen:
        blob = conn.execute(
            "SELECT vec FROM embedding_cache WHERE model = ? AND sha = ?", (key, sha)
        ).fetchone()
        if blob is None:
            continue
        title, date = meta[url]
        passage = passage_text(title, date, text)
        if text_sha(passage) != sha:
            continue
        torch_vecs.append(np.frombuffer(blob[0], dtype=np.float32))
        texts.append("passage: " + passage)
        urls.append(url)
    return np.vstack(torch_vecs), texts, urls


def _torch_row(
    threads: int, questions: list[str], p_torch: np.ndarray, urls: list[str], golds: list[set[str]]
) -> dict:
    """The reference row: questions embedded by sentence-transformers, passages from the dev index's cache."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    st = SentenceTransformer(str(c.SHARED_MODEL), device="cpu")
    q_torch = st.encode(questions, normalize_embeddings=True, convert_to_numpy=True)
    del st
    return {
        "backend": "torch (dev index cache)",
        "passages": len(urls),
        "embed_s": float("nan"),
        "cpu_s": float("nan"),
        **_metrics(q_torch, p_torch, urls, golds),
        "cos_mean": 1.0,
        "cos_min": 1.0,
    }


def _onnx_row(
    args: argparse.Namespace,
    name: str,
    texts: list[str],
    questions: list[str],
    p_torch: np.ndarray,
    urls: list[str],
    golds: list[set[str]],
) -> dict:
    """One ONNX backend's row: passages and questions embedded again (passages timed), scored the same way,
    and each passage's cosine with its torch vector (how far quantisation moves it)."""
    from index.build.onnx_backend import OnnxEncoder

    enc = OnnxEncoder(str(c.SHARED_MODEL), args.data_dir, quantized=name == "onnx-int8", threads=args.threads)
    with c.Timer() as t:
        p = enc.encode(texts)
    q = enc.encode(questions)
    cos = np.sum(p * p_torch, axis=1)
    return {
        "backend": name,
        "passages": len(texts),
        "embed_s": t.wall,
        "cpu_s": t.cpu,
        **_metrics(q, p, urls, golds),
        "cos_mean": float(cos.mean()),
        "cos_min": float(cos.min()),
    }


def main() -> int:
    args = _parse_args()

    qa = [json.loads(x) for x in c.DEV_QA.read_text(encoding="utf-8").splitlines() if x.strip()]
    qa = [r for r in qa if r["gold_urls"]]
    gold_all = {u for r in qa for u in r["gold_urls"]}
    p_torch, texts, urls = _sub_corpus(args.dev_data, gold_all, args.chunks)
    present = set(urls)
    golds = [set(r["gold_urls"]) for r in qa]
    questions = ["query: " + r["question"] for r in qa]
    print(
        f"# {len(texts)} passages ({len(present & gold_all)} gold releases, {len(present)} releases), "
        f"{len(questions)} answerable questions; {c.conditions()}",
        file=sys.stderr,
    )
    out = [_torch_row(args.threads, questions, p_torch, urls, golds)]
    for name in args.backends.split(","):
        out.append(_onnx_row(args, name, texts, questions, p_torch, urls, golds))
        print(f"  {out[-1]}", file=sys.stderr)
    c.emit(out, args.json, title=f"Dense retrieval on the dev questions, {len(texts)} dev-corpus passages")
    if not args.json:
        print(f"\nconditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
