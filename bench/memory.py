"""Resident memory of a bot-like process with the index and the model loaded; index size on disk.

    python bench/memory.py --data-dir D [--backend onnx] [--query-backend onnx-int8] [--questions 20]

Steps, each followed by the process's RSS: import the bot's service layer (python-telegram-bot and the
index code), ``BotService.warm_up()`` (opens the live generation: FAISS vectors, SQLite, release
metadata, and loads the embedding model), then answers ``--questions`` questions (dev questions, then
``eval/qa.jsonl``'s; caches fill). Run it in a fresh
process per backend: RSS only grows. The shared model's vocabulary is pruned (46k tokens); the
production model's full 250k-token vocabulary adds (250k - 46k) x 384 float32 = ~0.3 GB with torch
(the embedding matrix), which the table's last line estimates from the model actually loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

#: Tokens in the production model's vocabulary (intfloat/multilingual-e5-small, XLM-R tokenizer).
FULL_VOCAB = 250_037
QA_SET = Path(__file__).resolve().parents[1] / "eval" / "qa.jsonl"


def questions(n: int) -> list[str]:
    """``n`` distinct questions: the dev set's, then the repository's question set (``eval/qa.jsonl``,
    all folds) when more are asked for than the dev set holds (the issue measures RSS after 200)."""
    out: list[str] = []
    for path in (c.DEV_QA, QA_SET):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and len(out) < n:
                out.append(json.loads(line)["question"])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--backend", default=None)
    ap.add_argument("--query-backend", default="", help="EMBEDDING_QUERY_BACKEND (default: --backend)")
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    rows = [{"step": "python started", "rss_mb": c.rss_mb()}]
    import bot.app  # noqa: F401 - what the bot process imports
    from bot.service import BotService

    rows.append({"step": "imported bot (telegram, index code)", "rss_mb": c.rss_mb()})
    gen, manifest, folder = c.live_generation(args.data_dir)
    settings, backend, qbackend = c.index_settings(args.data_dir, args.backend, args.query_backend)
    service = BotService(settings)
    service.searcher()
    rows.append({"step": f"index opened ({manifest.get('chunks')} chunks)", "rss_mb": c.rss_mb()})
    service.warm_up()
    rows.append({"step": f"question model loaded ({qbackend})", "rss_mb": c.rss_mb()})
    for q in questions(args.questions):
        service.ask(q)
    rows.append({"step": f"after {args.questions} questions", "rss_mb": c.rss_mb()})
    rows.append({"step": "peak", "rss_mb": c.peak_rss_mb()})
    rows.append({"step": f"(torch imported: {'torch' in sys.modules})", "rss_mb": float("nan")})

    vocab = 0
    try:
        tok = json.loads((c.SHARED_MODEL / "tokenizer.json").read_text(encoding="utf-8"))
        vocab = len(tok["model"]["vocab"])
    except (OSError, KeyError, ValueError):
        pass
    # Word-embedding rows: float32 with torch/onnx, int8 with onnx-int8 (the Gather table is quantised too).
    per_row = int(manifest.get("dim") or 384) * (1 if qbackend == "onnx-int8" else 4)
    extra = (FULL_VOCAB - vocab) * per_row / 2**20 if vocab else float("nan")
    rows.append(
        {
            "step": f"+ production model's full vocabulary ({FULL_VOCAB:,} vs {vocab:,} tokens), estimated",
            "rss_mb": rows[-3]["rss_mb"] + extra,
        }
    )
    disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    db = sum(p.stat().st_size for p in args.data_dir.glob("thaigov.sqlite*"))
    c.emit(
        rows,
        args.json,
        title=f"Resident memory, bot-like process, backend={backend}, questions embedded with {qbackend}",
    )
    if not args.json:
        print(
            f"\nindex on disk: generation {gen} folder {disk / 2**20:.0f} MiB"
            " (FAISS, BM25 arrays, manifest), "
            f"thaigov.sqlite(+wal) {db / 2**20:.0f} MiB (chunks, FTS5, embedding cache, registry)"
        )
        print(f"conditions: {c.conditions()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
