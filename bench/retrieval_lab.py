"""A lexical-only stand-in for the index, to measure query-side methods while the real index builds.

Why: embedding the development corpus takes hours on a shared 2-core machine, while BM25 over the same
chunks takes a minute. This builds the dev corpus's chunks (the product's own chunker and tokenizer) into a
throw-away SQLite FTS5 file and exposes the reader methods the Searcher uses, without vectors, so the
BM25 side of cross-lingual expansion and date boosts can be measured with the real evaluation code.
Numbers from here are BM25-side only; the final figures come from ``thaigov-qa eval`` on the real index.

    python bench/retrieval_lab.py ../shared/corpus/thaigov-v2.tar.xz ../shared/eval/dev-corpus.txt \
        ../shared/eval/dev-qa.jsonl --work /tmp/thaigov-lab
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import sqlite3
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.sources import read_releases  # noqa: E402
from index import lexical  # noqa: E402
from index.build import fts  # noqa: E402
from index.build.chunking import chunk_release, token_counter  # noqa: E402
from index.build.postings import compile_generation  # noqa: E402
from index.evaluate import evaluate, format_table, load_questions, summarize  # noqa: E402
from index.search.reader import ChunkRow  # noqa: E402
from thaigov_qa.settings import SHARED_MODEL, Settings  # noqa: E402

log = logging.getLogger("retrieval_lab")


class LabReader:
    """The subset of IndexReader the Searcher needs, over a lexical-only SQLite file."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(db, check_same_thread=False)
        self.embedder = None
        self.postings = compile_generation(self.conn, 1)  # what the product's reader scores with
        self._memo: dict[tuple[str, int], list[tuple[int, float]]] = {}

    def bm25(self, query_text: str, k: int) -> list[tuple[int, float]]:
        key = (query_text, k)
        if key not in self._memo:  # sweeps repeat the same lookups
            self._memo[key] = self.postings.search(lexical.tokenize(query_text), k)
        return self._memo[key]

    def dense(self, vector: object, k: int) -> list[tuple[int, float]]:
        return []

    #: The one generation this stand-in holds.
    generation = 1

    def publication_days(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """No period search here (the Searcher's crowded periods need the real reader's days): none hold."""
        none = np.zeros(0, dtype=np.int64)
        return 1, none, none.astype(np.int32), none.astype(np.int32)

    def chunk_releases(self, ids: list[int]) -> dict[int, str]:
        return {row.chunk_id: row.url for row in self.chunks(ids)}

    def chunks(self, ids: list[int]) -> list[ChunkRow]:
        out = []
        for i in range(0, len(ids), 900):
            part = list(ids[i : i + 900])
            marks = ",".join("?" * len(part))
            out += [
                ChunkRow(*r)
                for r in self.conn.execute(
                    "SELECT chunk_id, url, position, text, start_char, end_char FROM chunks"
                    f" WHERE chunk_id IN ({marks})",
                    part,
                )
            ]
        return out

    def release_meta(self) -> list[tuple[str, str, str, str, str, str]]:
        return self.conn.execute("SELECT url, release_id, title, date, category, lang FROM rel").fetchall()

    def release(self, url: str) -> None:
        return None

    def reload_if_changed(self) -> bool:
        return False


class _MemoEmbedder:
    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.memo: dict[tuple[str, ...], object] = {}

    def encode_queries(self, texts: list[str]) -> object:
        key = tuple(texts)
        if key not in self.memo:
            self.memo[key] = self.inner.encode_queries(texts)  # type: ignore[attr-defined]
        return self.memo[key]


class MemoReader:
    """The real IndexReader with every lookup memoised, so that weight sweeps cost no model calls."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.embedder = _MemoEmbedder(inner.embedder)  # type: ignore[attr-defined]
        self.memo: dict[object, list[tuple[int, float]]] = {}

    def bm25(self, query_text: str, k: int) -> list[tuple[int, float]]:
        key = ("b", query_text, k)
        if key not in self.memo:
            self.memo[key] = self.inner.bm25(query_text, k)  # type: ignore[attr-defined]
        return self.memo[key]

    def dense(self, vector: object, k: int) -> list[tuple[int, float]]:
        key = ("d", vector.tobytes(), k)  # type: ignore[attr-defined]
        if key not in self.memo:
            self.memo[key] = self.inner.dense(vector, k)  # type: ignore[attr-defined]
        return self.memo[key]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def build(archive: Path, only: Path, work: Path) -> Path:
    db = work / "lab.sqlite"
    if db.exists():
        return db
    work.mkdir(parents=True, exist_ok=True)
    cache = work / "releases.pkl"
    if cache.exists():
        releases = pickle.loads(cache.read_bytes())
    else:
        releases = read_releases(str(archive), only=str(only))
        cache.write_bytes(pickle.dumps(releases))
    log.info("%d releases", len(releases))
    from transformers import AutoTokenizer

    count = token_counter(AutoTokenizer.from_pretrained(str(SHARED_MODEL)))
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.execute(
        "CREATE TABLE chunks (chunk_id INTEGER PRIMARY KEY, url TEXT, position INTEGER, text TEXT,"
        " start_char INTEGER, end_char INTEGER, gen_from INTEGER, gen_to INTEGER)"
    )
    conn.execute(
        "CREATE TABLE rel (url TEXT, release_id TEXT, title TEXT, date TEXT, category TEXT, lang TEXT)"
    )
    fts.create_schema(conn)
    cid = 0
    for n, r in enumerate(releases):
        conn.execute(
            "INSERT INTO rel VALUES (?,?,?,?,?,?)", (r.url, r.release_id, r.title, r.date, r.category, r.lang)
        )
        rows = []
        for ch in chunk_release(r, count):
            cid += 1
            conn.execute(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,1,NULL)",
                (cid, r.url, ch.position, ch.text, ch.start, ch.end),
            )
            rows.append((cid, r.title, ch.text))
        fts.insert_rows(conn, rows)
        if n % 200 == 0:
            log.info("%d/%d releases, %d chunks", n, len(releases), cid)
    conn.commit()
    conn.close()
    tmp.rename(db)
    return db


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("archive", type=Path)
    p.add_argument("only", type=Path)
    p.add_argument("qa", type=Path)
    p.add_argument("--work", type=Path, default=Path("/tmp/thaigov-lab"))
    p.add_argument("--index", type=Path, help="sweep over a real index (DATA_DIR) instead of the lexical lab")
    p.add_argument("--mode", default="hybrid")
    p.add_argument("--lang")
    p.add_argument("--misses", action="store_true", help="print the questions whose gold is not in the top 5")
    p.add_argument("--set", action="append", default=[], help="weights override NAME=VALUE (repeatable)")
    p.add_argument("--sweep", action="append", default=[], help="a config: 'a=1,b=2' (repeatable)")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    import os

    if args.index:
        from index.search.reader import IndexReader

        model = os.environ.get("EMBEDDING_MODEL", str(SHARED_MODEL))
        settings = Settings(data_dir=args.index, embedding_model=model, _env_file=None)
        reader: object = MemoReader(IndexReader.open(settings))
        dense = True
    else:
        reader = LabReader(build(args.archive, args.only, args.work))
        dense = False
    import dataclasses

    from index.search.retrieve import Searcher, Weights

    qs = load_questions(args.qa)
    if args.lang:
        qs = [q for q in qs if q["lang"] == args.lang]
    for cfg in args.sweep:
        kv = dict(x.split("=") for x in cfg.split(",") if x)
        mode = kv.pop("mode", args.mode)
        weights = dataclasses.replace(Weights(), **{k: type(getattr(Weights(), k))(v) for k, v in kv.items()})
        searcher = Searcher(reader, Settings(_env_file=None), dense=dense, weights=weights)
        res = evaluate(qs, lambda q, se=searcher, m=mode: [h.url for h in se.search(q, k=10, mode=m)])
        s = summarize(res)
        line = " ".join(
            f"{lang}:R1={m['recall']['r@1']:.2f},R5={m['recall']['r@5']:.2f},MRR={m['mrr10']:.3f}"
            for lang, m in s["by_lang"].items()
        )
        print(f"{cfg:<50} {line}", flush=True)
    if args.sweep:
        return 0
    kv = dict(x.split("=") for x in args.set)
    weights = dataclasses.replace(Weights(), **{k: type(getattr(Weights(), k))(v) for k, v in kv.items()})
    searcher = Searcher(reader, Settings(_env_file=None), dense=dense, weights=weights)
    res = evaluate(qs, lambda q: [h.url for h in searcher.search(q, k=10, mode=args.mode)])
    s = summarize(res, mode=args.mode + " (lexical lab)")
    print(format_table(s))
    if args.misses:
        for q, r in zip(qs, res, strict=True):
            if r.answerable and (r.rank is None or r.rank > 5):
                print(
                    r.rank,
                    q["lang"],
                    q["question"][:100],
                    "|",
                    searcher.translation(searcher.analyze(q["question"]))[:150],
                )
    print(json.dumps(s["by_lang"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
