"""How fast this machine embeds, measured with the configured engine, and what that means for a full build.

Why: the embedding is what a build spends its hours on and what every answer waits for first, and its
speed depends on the CPU far more than on anything configurable. The default engine (int8 ONNX) runs its
int8 matrix products on the VNNI dot-product instructions (AVX-512 VNNI, or AVX-VNNI); without them it is
no faster than float. Measured on two 2-core machines with the same build (bench/PERFORMANCE.md, "Stop 35"):
~0.06-0.08 CPU s a passage with AVX-512 VNNI, ~0.37 on an AVX2-only AMD EPYC (Zen 1), so the whole archive
takes ~2 h on one and ~10 h on the other. ``thaigov-qa doctor`` says which world this machine is in before
an operator starts a build, from a real measurement rather than a table of CPU models.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from thaigov_qa.settings import Settings

#: Passages a whole-archive build embeds (thaigov-v2, README defaults; bench/PERFORMANCE.md "Stop 16").
ARCHIVE_PASSAGES = 200_025
#: Passages timed: real chunks of the release the repository carries, repeated to this many.
TIMED_PASSAGES = 16
#: Questions timed one at a time, as a user asks them (the median is reported).
TIMED_QUESTIONS = ("When was the Huawei MOU signed?", "ครม. อนุมัติงบประมาณเท่าไร", "who chairs the board", "ปีนี้")
#: CPU flags (Linux ``/proc/cpuinfo``) naming the int8 dot-product instructions the int8 engine uses.
VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


@dataclass(frozen=True)
class EmbeddingSpeed:
    """One measurement: seconds a passage (wall), milliseconds a question, and the CPU's int8 support."""

    passage_seconds: float
    question_ms: float
    vnni: bool | None  # None: no int8 engine configured, or the CPU's flags could not be read (not Linux)
    #: The load average and the cores when measured: a busy machine embeds slower than an idle one.
    load: float | None = None
    cores: int | None = None

    @property
    def passages_per_second(self) -> float:
        return 1.0 / self.passage_seconds if self.passage_seconds > 0 else float("inf")

    @property
    def archive_hours(self) -> float:
        """The whole archive's embedding at this rate (the build's other phases add ~10-15 minutes)."""
        return ARCHIVE_PASSAGES * self.passage_seconds / 3600.0

    def summary(self) -> str:
        cpu = {True: "int8 dot products (VNNI): yes", False: "no VNNI: int8 runs at float speed"}
        return (
            f"{self.passages_per_second:.1f} passages/s, a question in {self.question_ms:.0f} ms; "
            f"the whole archive's passages would take ~{self.archive_hours:.1f} h to embed here"
            + (f"; {cpu[self.vnni]}" if self.vnni is not None else "")
            + (f" (measured at load {self.load:.1f} on {self.cores} cores)" if self.load is not None else "")
        )


def cpu_has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool | None:
    """Whether the CPU lists one of :data:`VNNI_FLAGS`; None where its flags cannot be read."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.split(":", 1)[-1] for line in text.splitlines() if line.startswith("flags")]
    flags = {f for line in lines for f in line.split()}
    return any(f in flags for f in VNNI_FLAGS) if flags else None


def sample_passages(tokenizer: object, n: int = TIMED_PASSAGES) -> list[str]:
    """``n`` passages as a build embeds them: the chunks of the release the repository carries for the demo
    (``index.cli.ask.BUILTIN_DEMO``), with their title and date prefix."""
    from corpus.sources import Skipped, parse_bytes
    from index.build.chunking import chunk_release, passage_text, token_counter
    from index.cli.ask import BUILTIN_DEMO

    path = min(BUILTIN_DEMO.glob("*.txt"))
    release = parse_bytes(path.read_bytes(), path.name)
    if isinstance(release, Skipped):
        raise ValueError(f"{path} does not parse: {release.reason}")
    chunks = chunk_release(release, token_counter(tokenizer))
    texts = [passage_text(release.title, release.date, c.text) for c in chunks]
    return [texts[i % len(texts)] for i in range(n)]


def measure(settings: Settings) -> EmbeddingSpeed:
    """Time the configured engines: passages in one batch call (as a build does, after a warm-up call),
    then each question of :data:`TIMED_QUESTIONS` alone."""
    from index.build.embedding import Embedder

    embedder = Embedder(settings)
    passages = sample_passages(embedder.tokenizer)
    embedder.encode_passages(passages[:2])  # loads the engine: not part of the rate
    started = time.perf_counter()
    embedder.encode_passages(passages)
    per_passage = (time.perf_counter() - started) / len(passages)
    embedder.encode_queries(["warm up"])
    times = []
    for q in TIMED_QUESTIONS:
        started = time.perf_counter()
        embedder.encode_queries([q])
        times.append((time.perf_counter() - started) * 1000.0)
    int8 = settings.embedding_backend == "onnx-int8" or settings.embedding_query_backend == "onnx-int8"
    vnni = cpu_has_vnni() if int8 else None
    return EmbeddingSpeed(per_passage, statistics.median(times), vnni, _load(), os.cpu_count())


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this platform
        return None
