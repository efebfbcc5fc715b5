"""Read releases from any source the product accepts, one file at a time, never stopping on a bad one.

Sources: a folder of thaigov-v2 ``*.txt`` files (any depth), one ``.txt`` file, the ``.tar.xz`` archive
(streamed once by :mod:`corpus.tarstream`, never unpacked), a subset of that archive (``only``: archive
paths, one a line, as in ``../shared/eval/dev-corpus.txt``), or JSONL with the Release fields.
A file that is not a usable release comes out as :class:`Skipped` with its path and a reason code, so the
caller can count and report it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from corpus.release import Release, release_id_from_url
from corpus.tarstream import TarStreamError, iter_members
from corpus.text import normalize, normalize_line
from corpus.thaigov import (
    ParseError,
    category_from_path,
    crawl_date_from_path,
    normalize_category,
    parse_release,
    release_lang,
)
from thaigov_qa.textfile import NotUtf8, read_utf8

log = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tar")
#: Reason codes a reader adds to those of :data:`corpus.thaigov.REASONS`.
SOURCE_REASONS = {
    "not_found": "listed in --only but not in the source",
    "bad_archive": "the archive is damaged or truncated: reading stopped here",
    "bad_record": "a JSONL line that is not a release object",
    "read_error": "the file could not be read",
}

OnlyList = Iterable[str] | str | os.PathLike[str] | None


class SourceError(ValueError):
    """The source itself is unusable (missing, unknown kind): one readable line."""


@dataclass(frozen=True)
class Skipped:
    """A file or record that is not a usable release: ``reason`` is a short stable code."""

    path: str
    reason: str
    detail: str = ""


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
        return "folder"
    if not p.exists():
        raise SourceError(f"source not found: {source}")
    name = p.name.lower()
    if name.endswith(ARCHIVE_SUFFIXES):
        return "archive"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".txt"):
        return "file"
    raise SourceError(f"unknown source kind (expected a folder, .tar.xz, .jsonl or .txt): {source}")


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
        yield from _iter_jsonl(Path(source), wanted)
    else:
        p = Path(source)
        if wanted is None or _clean_path(p.name) in wanted or _clean_path(str(p)) in wanted:
            yield _read_file(p, str(p))
        elif wanted:
            yield from (Skipped(w, "not_found") for w in wanted)


def _read_file(p: Path, name: str) -> Release | Skipped:
    try:
        data = p.read_bytes()
    except OSError as exc:
        return Skipped(name, "read_error", exc.strerror or str(exc))
    return parse_bytes(data, name)


def _iter_folder(root: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    if wanted is not None:
        for rel in wanted:
            p = root / rel
            yield _read_file(p, rel) if p.is_file() else Skipped(rel, "not_found")
        return
    for p in sorted(root.rglob("*.txt")):
        if p.is_file():
            yield _read_file(p, _clean_path(p.relative_to(root).as_posix()))


def _iter_archive(path: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    remaining = set(wanted) if wanted is not None else None

    def want(name: str) -> bool:
        if not name.endswith(".txt"):
            return False  # data/README.md and folders are not releases
        return remaining is None or _clean_path(name) in remaining

    try:
        # One pass over the stream, no seeking, no unpacking: members not wanted are never copied.
        for raw_name, data in iter_members(path, want):
            name = _clean_path(raw_name)
            if remaining is not None:
                remaining.discard(name)
            yield parse_bytes(data, name)
            if remaining is not None and not remaining:
                break  # every listed file found: no need to decompress the rest
    except TarStreamError as exc:
        log.error("archive %s is damaged, reading stopped: %s", path, exc)
        yield Skipped(str(path), "bad_archive", str(exc))
    if remaining:
        for name in wanted or ():
            if name in remaining:
                yield Skipped(name, "not_found")


_RELEASE_FIELDS = {f.name for f in fields(Release)}


def release_from_dict(record: dict[str, object], where: str = "") -> Release:
    """A release from its JSON fields, normalised like a parsed file; ``ValueError`` if unusable."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    url = str(record.get("url") or "").strip()
    title = normalize_line(str(record.get("title") or ""))
    body = normalize(str(record.get("body") or "")).strip()
    date = str(record.get("date") or "").strip()
    if not url:
        raise ValueError("no url")
    if not title:
        raise ValueError("no title")
    if not body:
        raise ValueError("no body")
    try:
        date = dt.date.fromisoformat(date[:10]).isoformat()
    except ValueError:
        raise ValueError(f"bad date {date!r}") from None
    path = str(record.get("path") or where)
    extra = record.get("extra") or {}
    return Release(
        url=url,
        release_id=str(record.get("release_id") or release_id_from_url(url)),
        title=title,
        date=date,
        category=normalize_category(str(record.get("category") or category_from_path(path))),
        lang=str(record.get("lang") or release_lang(title, body)),
        body=body,
        path=path,
        crawled=str(record.get("crawled") or crawl_date_from_path(path)),
        extra={str(k): str(v) for k, v in extra.items()} if isinstance(extra, dict) else {},
    )


def _iter_jsonl(path: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    remaining = set(wanted) if wanted is not None else None
    with path.open(encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                release = release_from_dict(json.loads(line), where)
            except (ValueError, AttributeError, TypeError, RecursionError) as exc:
                yield Skipped(where, "bad_record", str(exc)[:200])
                continue
            if remaining is not None:
                if release.path not in remaining:
                    continue
                remaining.discard(release.path)
            yield release
    for name in wanted or ():
        if remaining and name in remaining:
            yield Skipped(name, "not_found")


def write_jsonl(releases: Iterable[Release], path: str | os.PathLike[str]) -> int:
    """Write releases as JSONL (one :meth:`Release.to_dict` a line), the format :func:`iter_source` reads."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for release in releases:
            fh.write(json.dumps(release.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


def dedupe(releases: Iterable[Release]) -> list[Release]:
    """One release per URL: the later crawl wins (on a tie, the one read later), first-seen order kept."""
    by_url: dict[str, Release] = {}
    for release in releases:
        old = by_url.get(release.url)
        if old is None or release.crawled >= old.crawled:
            by_url[release.url] = release  # a replaced entry keeps its first-seen position
    return list(by_url.values())


def read_releases(
    source: str | os.PathLike[str],
    only: OnlyList = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> list[Release]:
    """All releases of ``source``, one per URL (the later crawl wins); skipped files go to ``on_skip``."""

    def releases() -> Iterator[Release]:
        for item in iter_source(source, only):
            if isinstance(item, Skipped):
                log.debug("skipped %s: %s %s", item.path, item.reason, item.detail)
                if on_skip is not None:
                    on_skip(item)
            else:
                yield item

    return dedupe(releases())
