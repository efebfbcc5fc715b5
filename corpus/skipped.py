"""What a source reader says of a file it did not index: :class:`Skipped`, reason codes, the size limit.

In a module of its own so that every reader (files, archives, JSONL) reports the same way without
importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Largest release file (or JSONL line) read, in bytes. The archive's largest release is 0.7 MB (a cabinet
#: meeting's summary); a 50 MB one-line file took over 7 minutes and 5 GB to chunk before the build
#: could go on, so anything this big is reported as ``too_large`` instead (and never held in memory).
MAX_RELEASE_BYTES = 4 << 20

#: Reason codes a reader adds to those of :data:`corpus.thaigov.REASONS`.
SOURCE_REASONS = {
    "not_found": "listed in --only but not in the source",
    "bad_archive": "the archive is damaged or truncated: reading stopped here",
    "bad_record": "a JSONL line that is not a release object",
    "read_error": "the file (or a folder above it) could not be read",
    "too_large": f"over {MAX_RELEASE_BYTES >> 20} MiB: not a press release (the largest is under 1 MB)",
    "not_regular": "a link, folder or special file named like a release: not read",
    "bad_name": "the file name is not UTF-8 (the database cannot store it): rename the file",
}


@dataclass(frozen=True)
class Skipped:
    """A file or record that is not a usable release: ``reason`` is a short stable code."""

    path: str
    reason: str
    detail: str = ""


def utf8_name(name: str) -> bool:
    """Whether ``name`` is text: a name of bytes that are not UTF-8 (a Thai name zipped on Windows, in
    TIS-620) comes from ``os.walk`` or an archive with surrogates (``surrogateescape``), which SQLite
    refuses."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(name: str) -> str:
    """A name that may hold undecodable bytes, printable and storable (each such byte becomes U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
