"""Watched folders: thaigov-v2 ``.txt`` files that admins sync into a folder become releases.

A folder may hold the whole corpus (63 k files), so a pass must not re-read what it has already read: the
caller keeps, per file, the ``(mtime_ns, size)`` stamp it last processed, and :func:`scan_dir` parses
only files whose stamp is new or different. Reading content hashes instead would mean reading every
file every pass. A file modified within the last ``settle`` seconds is left for the next pass: a sync
tool may still be writing it, and a half-written file would parse as a truncated release. Hidden files
(``.name``, rsync's temporary files) are ignored for the same reason.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from corpus.release import Release
from corpus.skipped import printable, utf8_name
from corpus.thaigov import ParseError, parse_release

log = logging.getLogger(__name__)

#: Seconds a file must have been left alone before it is read (see the module docstring).
DEFAULT_SETTLE_SECONDS = 2.0
#: Files parsed in one pass at most: a folder holding the whole corpus is read over several passes,
#: so that one pass neither holds 700 MB of text nor blocks the poller for minutes.
DEFAULT_MAX_FILES = 5000


@dataclass(frozen=True)
class FileStamp:
    """What tells a file changed without reading it: modification time (ns) and size."""

    mtime_ns: int
    size: int


@dataclass(frozen=True)
class WatchSkipped:
    """A new or changed file that is not a usable release (placeholder, unreadable...)."""

    path: str
    reason: str


@dataclass
class WatchScan:
    """One pass over one watched folder.

    ``found`` are the new or changed files that parsed, as ``(path, release)``; ``stamps`` holds the stamp
    of every file this pass processed (parsed or skipped), which the caller saves once it has recorded the
    releases; ``vanished`` are known paths no longer present (their stamps can be forgotten; their
    releases stay: a watched folder never removes anything from the index). ``unsettled`` counts files
    left for the next pass because they were still being written; ``more`` is set when ``max_files``
    stopped the pass before the end of the folder (the rest is read next pass).
    """

    directory: str
    found: list[tuple[str, Release]] = field(default_factory=list)
    skipped: list[WatchSkipped] = field(default_factory=list)
    stamps: dict[str, FileStamp] = field(default_factory=dict)
    vanished: list[str] = field(default_factory=list)
    unsettled: int = 0
    more: bool = False
    error: str = ""

    @property
    def releases(self) -> list[Release]:
        return [release for _, release in self.found]


def _walk(root: Path) -> list[Path]:
    """Every ``*.txt`` below ``root``, hidden files and folders excluded, in a stable order."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(".txt"):
                continue
            out.append(Path(dirpath) / name)
    return out


def _broken_link(scan: WatchScan, key: str, path: Path, known: Mapping[str, FileStamp]) -> None:
    """A link to a file that is gone (or a loop of links): reported as skipped once, and again only when
    the link itself changes (stamped by the link's own times). Why: it was dropped at debug level, so an
    operator whose releases sit behind links never learned why they were not indexed."""
    st = path.lstat()
    stamp = FileStamp(st.st_mtime_ns, st.st_size)
    if known.get(key) != stamp:
        scan.skipped.append(WatchSkipped(key, f"broken link to {os.readlink(path)}"))
        scan.stamps[key] = stamp


def scan_dir(
    directory: str | Path,
    known: Mapping[str, FileStamp],
    *,
    settle: float = DEFAULT_SETTLE_SECONDS,
    now: float | None = None,
    max_files: int = DEFAULT_MAX_FILES,
) -> WatchScan:
    """Parse the files of ``directory`` that are new or changed since ``known`` (path → stamp).

    Paths (keys of ``known`` and ``stamps``) are absolute. The release's own ``path`` is relative to the
    watched folder (``data/2023/12/19/<category>_<n>_<uuid>.txt``), which is what the parser reads the
    category and crawl date from. A missing folder is an error on the scan, not an exception: the other
    sources of the pass go on.
    """
    root = Path(directory).expanduser().resolve()
    scan = WatchScan(directory=str(root))
    if not root.is_dir():
        scan.error = f"watched folder {root} does not exist or is not a folder"
        return scan
    now = time.time() if now is None else now
    present: set[str] = set()
    for path in _walk(root):
        key = str(path)
        present.add(key)
        try:
            st = path.stat()
        except OSError as exc:
            if not path.is_symlink():  # deleted between the walk and the stat
                log.debug("cannot stat %s: %s", key, exc)
                continue
            _broken_link(scan, key, path, known)
            continue
        stamp = FileStamp(st.st_mtime_ns, st.st_size)
        if known.get(key) == stamp:
            continue
        if now - st.st_mtime_ns / 1e9 < settle:
            scan.unsettled += 1
            continue
        if len(scan.stamps) >= max_files:
            scan.more = True
            continue  # keep walking: ``present`` must be complete for ``vanished``
        if not utf8_name(key):
            scan.skipped.append(WatchSkipped(printable(key), "file name is not UTF-8: rename it"))
            continue  # not stamped (SQLite cannot store the name); reported again each pass until renamed
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
            release = parse_release(text, rel)
        except ParseError as exc:
            scan.skipped.append(WatchSkipped(key, exc.reason))
        except OSError as exc:
            scan.skipped.append(WatchSkipped(key, f"unreadable: {exc.strerror or exc}"))
            continue  # not stamped: try again next pass
        else:
            scan.found.append((key, release))
        scan.stamps[key] = stamp
    scan.vanished = sorted(k for k in known if k not in present)
    return scan
