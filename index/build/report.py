"""What a build or update did, for the admin: counts, the URLs new, changed and removed, the files skipped
and why, and each phase's wall and CPU seconds (``index build --json``'s summary).

Why apart from the pipeline: the report is filled by every step of a run and read by the command line and
the benchmarks; the pipeline decides what a run does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far, in MiB (None where the OS does not say): what an admin
    sizes a machine for. Linux reports ``ru_maxrss`` in KiB, macOS in bytes."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


@dataclass
class BuildReport:
    """What a build or update did. ``embedded`` counts chunks embedded by this run (not cached ones)."""

    releases: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped: int = 0
    seconds: float = 0.0
    generation: int = 0
    new_urls: list[str] = field(default_factory=list)
    changed_urls: list[str] = field(default_factory=list)
    removed_urls: list[str] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    #: (path of a file not indexed, path of the file indexed for its URL): two files of one release in
    #: one source (between two sources, the later crawl replacing the older one is what is expected).
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    #: (path, URL) of each file that could not be read this time and kept the release it gave before
    #: (:mod:`index.build.unread`).
    kept_unread: list[tuple[str, str]] = field(default_factory=list)
    #: What was read (build, update): named when the run is refused.
    sources: list[str] = field(default_factory=list)
    #: Sources of a several-source update that gave no release (an unmounted folder): the run is refused,
    #: since it would drop every release only they hold.
    empty_sources: list[str] = field(default_factory=list)
    #: Whether the chunk phase kept the rows a stopped run had written for the same work (no chunking).
    chunks_reused: bool = False
    #: phase → {"wall": s, "cpu": s}: read, chunk (chunking, word splitting, FTS5, rows), embed, vectors
    #: (FAISS), bm25 (arrays), registry. CPU is the process's, all threads (the model's too).
    phases: dict[str, dict[str, float]] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time what runs inside as phase ``name`` (added to what it already has), wall and CPU seconds; the
        CPU of worker processes the phase started and ended counts too (chunking's: index.build.prepare)."""
        wall, cpu = time.monotonic(), _cpu_seconds()
        try:
            yield
        finally:
            got = self.phases.setdefault(name, {"wall": 0.0, "cpu": 0.0})
            got["wall"] = round(got["wall"] + time.monotonic() - wall, 2)
            got["cpu"] = round(got["cpu"] + _cpu_seconds() - cpu, 2)

    def summary(self) -> dict[str, object]:
        """The ``--json`` object: counts only (URL lists can be long)."""
        return {
            "releases": self.releases,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "skipped": self.skipped,
            "duplicates": len(self.duplicates),
            "kept_unread": len(self.kept_unread),
            "seconds": round(self.seconds, 2),
            "generation": self.generation,
            "new": len(self.new_urls),
            "changed": len(self.changed_urls),
            "removed": len(self.removed_urls),
            "chunks_reused": self.chunks_reused,
            "phases": self.phases,
            "peak_rss_mb": None if (peak := peak_rss_mb()) is None else round(peak, 1),
        }

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (a process pool's workers count
    once the pool is shut down); the process's own where the platform keeps no such account."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
