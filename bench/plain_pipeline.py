"""The yardstick for the first run (issue 17): a plain sentence-transformers fp32 pipeline.

    HF_HUB_OFFLINE=1 python bench/plain_pipeline.py [--source ../shared/corpus/sample] [--json]

What a newcomer would write: read the releases, cut each body into ~700-character chunks (at a space),
``SentenceTransformer(model).encode(chunks, batch_size=32)`` in float32 on the CPU. Reports the chunk
count, the model load time and the embedding time (the figure the demo's whole first run is compared
with: ``time thaigov-qa demo`` on a fresh ``var-demo``, see bench/PERFORMANCE.md, "Stop 13").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

CHUNK_CHARS = 700


def chunks_of(body: str, size: int = CHUNK_CHARS) -> list[str]:
    """~``size``-character pieces cut at the last space before the limit (no overlap)."""
    out, text = [], " ".join(body.split())
    while text:
        if len(text) <= size:
            out.append(text)
            break
        cut = text.rfind(" ", size // 2, size)
        cut = cut if cut > 0 else size
        out.append(text[:cut])
        text = text[cut:].lstrip()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=str(c.SAMPLE))
    ap.add_argument("--only", default=None, help="a list file of archive paths inside --source")
    ap.add_argument("--model", default=str(c.SHARED_MODEL))
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from corpus.release import Release
    from corpus.sources import iter_source

    releases = [r for r in iter_source(args.source, only=args.only) if isinstance(r, Release)]
    passages = [f"passage: {piece}" for r in releases for piece in chunks_of(f"{r.title}\n{r.body}")]
    with c.Timer() as load:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(args.model, device="cpu")
    with c.Timer() as embed:
        vectors = model.encode(passages, batch_size=args.batch_size, normalize_embeddings=True)
    row = {
        "releases": len(releases),
        "chunks": len(passages),
        "batch_size": args.batch_size,
        "load_s": round(load.wall, 1),
        "embed_s": round(embed.wall, 1),
        "embed_cpu_s": round(embed.cpu, 1),
        "chunks_per_s": round(len(passages) / embed.wall, 1),
        "dim": int(vectors.shape[1]),
    }
    if args.json:
        print(json.dumps(row))
    else:
        print("| " + " | ".join(row) + " |")
        print("|" + " --- |" * len(row))
        print("| " + " | ".join(str(v) for v in row.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
