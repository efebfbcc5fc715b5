"""Read releases from any source the product accepts, one file at a time, never stopping on a bad one.

Sources: a folder of thaigov-v2 ``*.txt`` files (any depth), one ``.txt`` file, the ``.tar.xz`` archive
(streamed once by :mod:`corpus.tarstream`, never unpacked), a subset of that archive (``only``: archive
paths, one a line, as in ``../shared/eval/dev-corpus.txt``), or JSONL with the Release fields.
A file that is not a usable release comes out as :class:`Skipped` with its path and a reason code, so the
caller can count and report it: nothing named like a release is dropped without a word (links, folders
and special files named ``*.txt``, unreadable folders, names that are not UTF-8, files too large to be a
release).
"""

from __future__ import annotations

import contextlib
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from corpus.jsonl_source import iter_jsonl, release_from_dict, write_jsonl
from corpus.release import Release
from corpus.skipped import MAX_RELEASE_BYTES, SOURCE_REASONS, Skipped, printable, utf8_name
from corpus.tarstream import NotRead, TarStreamError, iter_members
from corpus.thaigov import ParseError, parse_release
from thaigov_qa.textfile import NotUtf8, read_utf8

__all__ = [
    "MAX_RELEASE_BYTES",
    "SOURCE_REASONS",
    "Skipped",
    "SourceError",
    "dedupe",
    "iter_source",
    "read_releases",
    "release_from_dict",
    "write_jsonl",
]

log = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tar")

OnlyList = Iterable[str] | str | os.PathLike[str] | None


class SourceError(ValueError):
    """The source itself is unusable (missing, unknown kind): one readable line."""


def _clean_path(path: str) -> str:
    path = unicodedata.normalize("NFC", path.replace("\\", "/")).strip("\r\n")
    # Spaces at the ends are list-file noise; TABs inside names are real (``Government News\t_4_….txt``).
    path = path.strip(" ")
    while path.startswith("./"):
        path = path[2:]
    return path


def read_only_list(path: str | os.PathLike[str]) -> list[str]:
    """Archive paths from a list file: one a line; blank lines and ``#`` comments ignored."""
    try:
        text = read_utf8(Path(path))
    except OSError as exc:
        raise SourceError(f"cannot read the --only list {path}: {exc.strerror or exc}") from None
    except NotUtf8 as exc:
        raise SourceError(f"the --only list {path}: {exc}") from None
    paths = [_clean_path(line) for line in text.splitlines()]
    return [p for p in paths if p and not p.startswith("#")]


def _bad_name(name: str) -> Skipped | None:
    """A :class:`Skipped` for a file name that is not UTF-8. Why: the release's path is stored in SQLite,
    which refused it in the middle of the build (a traceback, no generation) after every file was read."""
    return None if utf8_name(name) else Skipped(printable(name), "bad_name")


def _only_set(only: OnlyList) -> list[str] | None:
    if only is None:
        return None
    if isinstance(only, str | os.PathLike):
        return read_only_list(only)
    return [p for p in (_clean_path(str(x)) for x in only) if p]


def decode(data: bytes) -> str | None:
    """UTF-8 text, tolerating only a multi-byte character cut off at the very end (a truncated file)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8", errors="replace")
        return None


def parse_bytes(data: bytes, path: str) -> Release | Skipped:
    """One file's bytes → a release, or :class:`Skipped` saying why not."""
    text = decode(data)
    if text is None:
        return Skipped(path, "bad_encoding", "not UTF-8")
    try:
        return parse_release(text, path)
    except ParseError as exc:
        return Skipped(path, exc.reason, exc.detail)


def source_kind(source: str | os.PathLike[str]) -> str:
    """``folder``, ``archive``, ``jsonl`` or ``file``; :class:`SourceError` if missing or unknown."""
    p = Path(source)
    if p.is_dir():
        _check_readable(p, folder=True)
        return "folder"
    if not p.exists():
        raise SourceError(f"source not found: {source}")
    _check_readable(p, folder=False)
    name = p.name.lower()
    if name.endswith(ARCHIVE_SUFFIXES):
        return "archive"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".txt"):
        return "file"
    raise SourceError(f"unknown source kind (expected a folder, .tar.xz, .jsonl or .txt): {source}")


def _check_readable(p: Path, folder: bool) -> None:
    """:class:`SourceError` when the source cannot be opened. Why: an unreadable archive ended the build
    with a traceback, and an unreadable folder read as an empty one (every release then left the index)."""
    try:
        if folder:
            with os.scandir(p):
                pass
        else:
            with p.open("rb"):
                pass
    except OSError as exc:
        raise SourceError(f"cannot read the source {p}: {exc.strerror or exc}") from None


def iter_source(source: str | os.PathLike[str], only: OnlyList = None) -> Iterator[Release | Skipped]:
    """Every release of ``source`` in its order, and a :class:`Skipped` for every file that is not one.

    ``only``: archive paths (``data/YYYY/MM/DD/<file>.txt``) to read and nothing else, given as an
    iterable or as the path of a list file; each listed path missing from the source is reported as
    ``Skipped(path, "not_found")`` at the end. For a folder, paths are relative to it.
    """
    kind = source_kind(source)
    wanted = _only_set(only)
    if kind == "folder":
        yield from _iter_folder(Path(source), wanted)
    elif kind == "archive":
        yield from _iter_archive(Path(source), wanted)
    elif kind == "jsonl":
        yield from iter_jsonl(Path(source), wanted)
    else:
        p = Path(source)
        if wanted is None or _clean_path(p.name) in wanted or _clean_path(str(p)) in wanted:
            yield _read_file(p, str(p))
        elif wanted:
            yield from (Skipped(w, "not_found") for w in wanted)


def _read_file(p: Path, name: str) -> Release | Skipped:
    """One file, read up to :data:`MAX_RELEASE_BYTES` (a bigger one is ``too_large``, never read whole)."""
    bad = _bad_name(name)
    if bad is not None:
        return bad
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_RELEASE_BYTES + 1)
    except OSError as exc:
        return Skipped(name, "read_error", exc.strerror or str(exc))
    if len(data) > MAX_RELEASE_BYTES:
        return Skipped(name, "too_large", f"over {MAX_RELEASE_BYTES:,} bytes")
    return parse_bytes(data, name)


def _inside(root: Path, listed: str) -> str | None:
    """A listed path as a path relative to the source folder; None when it leaves the folder (``/etc/x.txt``,
    ``../x.txt``: read by mistake before). An absolute path inside the folder (a list made with ``find
    /corpus/data``) is the file's relative path, as a walk of the folder names it."""
    path = Path(listed)
    if path.is_absolute():
        for base in (root, root.resolve()):
            with contextlib.suppress(ValueError):
                path = path.relative_to(base)
                break
        else:
            return None
    return None if ".." in path.parts else path.as_posix()


def _iter_folder(root: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    if wanted is not None:
        for listed in wanted:
            rel = _inside(root, listed)
            if rel is None:
                yield Skipped(listed, "not_found", "outside the source folder")
            else:
                p = root / rel
                found = _is_file(p)
                if isinstance(found, str):
                    yield Skipped(printable(listed), "read_error", found)
                else:
                    yield _read_file(p, rel) if found else Skipped(listed, "not_found")
        return
    for p, unreadable in _walk_folder(root):
        rel = _clean_path(p.relative_to(root).as_posix())
        found = unreadable or _is_file(p)
        if isinstance(found, str):
            yield Skipped(printable(rel), "read_error", found)
        elif found:
            yield _read_file(p, rel)
        else:
            yield Skipped(printable(rel), "not_regular", _file_kind(p))


def _is_file(p: Path) -> bool | str:
    """Whether ``p`` is a regular file (following links), or why it cannot be told: on Python 3.11 pathlib
    raises for a name too long or a folder that cannot be searched, and a listed path is the user's text."""
    try:
        return p.is_file()
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _walk_folder(root: Path) -> list[tuple[Path, str]]:
    """Every ``*.txt`` entry under ``root`` (files, links, folders, pipes) and every folder that could not
    be listed (with the error), sorted by path. Why not ``rglob``: it drops unreadable folders without a
    word, so their releases vanished from a build unreported."""
    found: list[tuple[Path, str]] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename:
            found.append((Path(exc.filename), exc.strerror or str(exc)))

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        base = Path(folder)
        found += [(base / name, "") for name in (*dirs, *files) if name.endswith(".txt")]
    found.sort()
    return found


def _file_kind(p: Path) -> str:
    """What a ``*.txt`` entry that is not a regular file is, for the skipped list."""
    link = p.is_symlink()
    if p.is_dir():
        return "a link to a folder" if link else "a folder"
    if link and not p.exists():
        try:
            return f"a broken link to {os.readlink(p)} (or a loop of links)"
        except OSError:
            return "a broken link"
    return "a special file (a pipe, socket or device)"


def _iter_archive(path: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    remaining = set(wanted) if wanted is not None else None

    def want(name: str) -> bool:
        if not name.endswith(".txt"):
            return False  # data/README.md and folders are not releases
        return remaining is None or _clean_path(name) in remaining

    try:
        # One pass over the stream, no seeking, no unpacking: members not wanted are never copied.
        for raw_name, data in iter_members(path, want, max_size=MAX_RELEASE_BYTES):
            name = _clean_path(raw_name)
            if remaining is not None:
                remaining.discard(name)
            bad = _bad_name(name)
            if bad is not None:
                yield bad
            elif isinstance(data, NotRead):
                yield Skipped(name, data.reason, data.detail)
            else:
                yield parse_bytes(data, name)
            if remaining is not None and not remaining:
                break  # every listed file found: no need to decompress the rest
    except TarStreamError as exc:
        log.error("archive %s is damaged, reading stopped: %s", path, printable(str(exc)))
        yield Skipped(str(path), "bad_archive", printable(str(exc)))
    if remaining:
        for name in wanted or ():
            if name in remaining:
                yield Skipped(name, "not_found")


def dedupe(
    releases: Iterable[Release], on_duplicate: Callable[[Release, Release], None] | None = None
) -> list[Release]:
    """One release per URL: the later crawl wins (on a tie, the one read later), first-seen order kept.

    ``on_duplicate(dropped, kept)`` hears of every release that lost to another with its URL, once the
    winner is known: two files of one release with different text must not go by unreported.
    """
    by_url: dict[str, Release] = {}
    dropped: list[Release] = []
    for release in releases:
        old = by_url.get(release.url)
        if old is None or release.crawled >= old.crawled:
            by_url[release.url] = release  # a replaced entry keeps its first-seen position
            if old is not None:
                dropped.append(old)
        else:
            dropped.append(release)
    if on_duplicate is not None:
        for release in dropped:
            on_duplicate(release, by_url[release.url])
    return list(by_url.values())


def read_releases(
    source: str | os.PathLike[str],
    only: OnlyList = None,
    on_skip: Callable[[Skipped], None] | None = None,
    on_duplicate: Callable[[Release, Release], None] | None = None,
) -> list[Release]:
    """All releases of ``source``, one per URL (the later crawl wins); skipped files go to ``on_skip``,
    releases that lost to another file of their URL to ``on_duplicate`` (see :func:`dedupe`)."""

    def releases() -> Iterator[Release]:
        for item in iter_source(source, only):
            if isinstance(item, Skipped):
                log.debug("skipped %s: %s %s", item.path, item.reason, item.detail)
                if on_skip is not None:
                    on_skip(item)
            else:
                yield item

    return dedupe(releases(), on_duplicate)
