"""Helpers shared by the benchmark scripts: corpus slices, timers, resident memory, tables.

The scripts are run from the repository root (``python bench/<name>.py``); they print a Markdown table
to stdout (and ``--json`` rows when asked) and keep all their data outside the repository
(``--data-dir``, default ``/tmp/thaigov-bench``), never downloading anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tarfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from thaigov_qa.settings import SHARED_MODEL  # noqa: E402

SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "corpus" / "sample"
ARCHIVE = SHARED / "corpus" / "thaigov-v2.tar.xz"
DEV_QA = SHARED / "eval" / "dev-qa.jsonl"
DEV_CORPUS = SHARED / "eval" / "dev-corpus.txt"
DEFAULT_DATA = Path("/tmp/thaigov-bench")
#: Releases in the whole archive (63,241 files, one duplicate URL).
FULL_RELEASES = 63_240


@dataclass
class Timer:
    """Wall time and this process's CPU time (user + system, all threads) of a block."""

    wall: float = 0.0
    cpu: float = 0.0
    _w: float = field(default=0.0, repr=False)
    _c: float = field(default=0.0, repr=False)

    def __enter__(self) -> Timer:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = time.process_time() - self._c


def rss_mb() -> float:
    """Current resident set size of this process in MiB (from /proc, no psutil needed)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (``index build --json`` reports the same measure)."""
    from index.build.report import peak_rss_mb as peak

    value = peak()
    return float("nan") if value is None else value


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy does, without importing it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of dict rows; floats get 3 significant figures past the point where useful."""
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())

    def fmt(v: object) -> str:
        if isinstance(v, float):
            if v != v:  # nan
                return "-"
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def emit(rows: Sequence[dict], as_json: bool, title: str = "", columns: Sequence[str] | None = None) -> None:
    """Print rows as a table (with a title) or as JSON lines."""
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    else:
        if title:
            print(f"\n### {title}\n")
        print(table(rows, columns))
    sys.stdout.flush()


def conditions() -> str:
    """One line describing the machine state, because timings on a shared 2-core box are noisy."""
    load = os.getloadavg()
    try:
        affinity = sorted(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        affinity = []
    return (
        f"cpus={os.cpu_count()} affinity={affinity} load1/5/15={load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} "
        f"at {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
    )


def sample_releases(limit: int | None = None) -> list:
    """Parsed releases of ``../shared/corpus/sample`` (sorted by path, placeholders skipped)."""
    from corpus.thaigov import ParseError, parse_release

    out = []
    for path in sorted(SAMPLE.rglob("*.txt")):
        try:
            out.append(parse_release(path.read_text(encoding="utf-8"), str(path.relative_to(SAMPLE))))
        except ParseError:
            continue
        if limit and len(out) >= limit:
            break
    return out


def iter_archive(limit: int | None = None, seed: int | None = None, skip: int = 0) -> Iterator:
    """Stream parsed releases from the archive without unpacking it (placeholders skipped)."""
    from corpus.thaigov import ParseError, parse_release

    n = 0
    seen = 0
    with tarfile.open(ARCHIVE, "r:xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            seen += 1
            if seen <= skip:
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            try:
                rel = parse_release(fh.read().decode("utf-8", errors="replace"), member.name)
            except ParseError:
                continue
            yield rel
            n += 1
            if limit and n >= limit:
                return
    del seed


def chunk_texts(releases: Sequence) -> tuple[list[str], str]:
    """Texts to embed for releases' chunks, and which chunker made them.

    The product's chunker (``index.build.chunking``) when it is importable, so that lengths are real;
    otherwise paragraphs packed to ~700 characters (the sample's 1.75 M characters make ~2,500 chunks).
    """
    try:
        from transformers import AutoTokenizer

        from index.build import chunking

        count = chunking.token_counter(AutoTokenizer.from_pretrained(str(SHARED_MODEL)))
        texts: list[str] = []
        for rel in releases:
            texts.extend(
                chunking.passage_text(rel.title, rel.date, ch.text)
                for ch in chunking.chunk_release(rel, count)
            )
        how = "+ passage_text (title and date prefix)"
        return texts, f"index.build.chunking {chunking.CHUNKER_VERSION} {how}"
    except (ImportError, AttributeError):
        pass
    texts = []
    for rel in releases:
        buf = ""
        for para in rel.body.split("\n"):
            para = para.strip()
            if not para:
                continue
            if buf and len(buf) + len(para) > 700:
                texts.append(buf)
                buf = ""
            buf = f"{buf}\n{para}" if buf else para
            while len(buf) > 1000:
                texts.append(buf[:700])
                buf = buf[700:]
        if buf:
            texts.append(buf)
    return texts, "fallback (paragraphs packed to ~700 chars)"


def live_generation(data_dir: Path) -> tuple[int, dict, Path]:
    """(generation, manifest, folder) of the live index under ``data_dir`` (index.build.store's layout)."""
    from index.build import store

    index_dir = Path(data_dir) / "index"
    gen = store.read_current(index_dir)
    if gen is None:
        raise SystemExit(f"no index built under {data_dir}")
    return gen, store.read_manifest(index_dir, gen), store.gen_dir(index_dir, gen)


def last_json(stdout: str) -> dict:
    """The last JSON object line of a command's standard output (``--json`` summaries come last)."""
    lines = [x for x in stdout.splitlines() if x.strip().startswith("{")]
    if not lines:
        raise SystemExit(f"no JSON summary in output:\n{stdout}")
    return json.loads(lines[-1])


def pick(seq: Sequence, n: int, seed: int = 7) -> list:
    """A reproducible random subset of ``n`` items (all of them if fewer)."""
    if len(seq) <= n:
        return list(seq)
    return random.Random(seed).sample(list(seq), n)


def index_settings(data_dir: Path, backend: str | None = None, query_backend: str = ""):  # noqa: ANN201
    """Settings for an index a benchmark opens: the shared model, the passages' backend the index was built
    with unless ``backend`` says otherwise, and ``query_backend`` for questions (empty: the default).
    Returns (settings, passages' backend, questions' backend)."""
    from thaigov_qa.settings import Settings

    _, manifest, _ = live_generation(data_dir)
    backend = backend or str(manifest.get("backend") or "torch")
    values: dict[str, object] = {"data_dir": data_dir, "embedding_model": str(SHARED_MODEL)}
    values["embedding_backend"] = backend
    if query_backend:
        values["embedding_query_backend"] = query_backend
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    return settings, backend, settings.embedding_query_backend or backend


def question_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments of a script that asks question files of the index in ``DATA_DIR``: the files,
    ``--fold`` and ``--json``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("qa", nargs="+", type=Path, help="question files")
    p.add_argument("--fold", choices=("train", "validation", "test"), help="only questions of this fold")
    p.add_argument("--json", action="store_true", help="one JSON object on standard output")
    return p


def fold_questions(args: argparse.Namespace) -> list[dict]:
    """The questions of ``args.qa`` (of ``args.fold`` only, when given)."""
    from index.evaluate import load_questions

    return [q for f in args.qa for q in load_questions(f) if not args.fold or q.get("fold") == args.fold]
