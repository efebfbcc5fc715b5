"""Releases as JSONL, one :meth:`Release.to_dict` object a line: read (every bad line reported), written.

A line is refused (``bad_record``, with the line number) rather than coerced when a field has the wrong
type: ``str()`` of a number, a list or an object made releases whose URL was ``12345`` and whose title was
``['a']``, indexed without a word. A line that is not UTF-8 is ``bad_encoding`` (it was decoded with
replacement characters and indexed), and a line over :data:`MAX_RELEASE_BYTES` is ``too_large``, read past
in pieces, never held whole.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from corpus.release import Release, release_id_from_url
from corpus.skipped import MAX_RELEASE_BYTES, Skipped
from corpus.text import normalize, normalize_line
from corpus.thaigov import category_from_path, crawl_date_from_path, normalize_category, release_lang

#: The fields read as text; any other type is a bad record.
_TEXT_FIELDS = ("url", "release_id", "title", "date", "category", "lang", "body", "path", "crawled")
_LANGS = ("th", "en")
_PIECE = 1 << 20


def _text_fields(record: dict[str, object]) -> dict[str, str]:
    """The record's text fields that are set; ``ValueError`` names one of another type or one holding a
    lone surrogate (a ``\\ud800`` escape: SQLite refuses it in the middle of the build)."""
    out: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is None:
            continue
        if name == "release_id" and type(value) is int and value >= 0:
            value = str(value)  # thaigov's ids are numbers: a JSON number is the same id, not a coercion
        if not isinstance(value, str):
            raise ValueError(f"{name} is {type(value).__name__}, not a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{name} holds a lone surrogate (\\ud800-\\udfff), not text") from None
        out[name] = value
    return out


def release_from_dict(record: dict[str, object], where: str = "") -> Release:
    """A release from its JSON fields, normalised like a parsed file; ``ValueError`` if unusable."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    got = _text_fields(record)
    url = got.get("url", "").strip()
    title = normalize_line(got.get("title", ""))
    body = normalize(got.get("body", "")).strip()
    date = got.get("date", "").strip()
    if not url:
        raise ValueError("no url")
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"url {url[:80]!r} is not an http(s) link")
    if not title:
        raise ValueError("no title")
    if not body:
        raise ValueError("no body")
    try:
        date = dt.date.fromisoformat(date[:10]).isoformat()
    except ValueError:
        raise ValueError(f"bad date {date[:40]!r}") from None
    lang = got.get("lang", "").strip().lower() or release_lang(title, body)  # "TH" is th
    if lang not in _LANGS:
        raise ValueError(f"lang {lang[:20]!r} is not one of {', '.join(_LANGS)}")
    path = got.get("path") or where
    extra = record.get("extra") or {}
    return Release(
        url=url,
        release_id=got.get("release_id") or release_id_from_url(url),
        title=title,
        date=date,
        category=normalize_category(got.get("category") or category_from_path(path)),
        lang=lang,
        body=body,
        path=path,
        crawled=got.get("crawled") or crawl_date_from_path(path),
        extra={str(k): str(v) for k, v in extra.items()} if isinstance(extra, dict) else {},
    )


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` of each line; ``None`` for a line over :data:`MAX_RELEASE_BYTES`."""
    lineno = 0
    while line := fh.readline(MAX_RELEASE_BYTES + 1):
        lineno += 1
        if len(line) > MAX_RELEASE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = fh.readline(_PIECE)
            yield lineno, None
        else:
            yield lineno, line


def _record(line: bytes | None, where: str) -> Release | Skipped:
    """One line: a release or why not."""
    if line is None:
        return Skipped(where, "too_large", f"a line over {MAX_RELEASE_BYTES:,} bytes")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(where, "bad_encoding", f"not UTF-8 at byte {exc.start}")
    try:
        return release_from_dict(json.loads(text), where)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        return Skipped(where, "bad_record", str(exc)[:200])


def iter_jsonl(path: Path, wanted: list[str] | None) -> Iterator[Release | Skipped]:
    """The releases of a JSONL file (blank lines ignored), a :class:`Skipped` per bad line; with ``wanted``
    only releases whose ``path`` is listed, and ``not_found`` for each listed path never seen."""
    remaining = set(wanted) if wanted is not None else None
    with path.open("rb") as fh:
        for lineno, line in _lines(fh):
            if line is not None and not line.strip():
                continue
            if lineno == 1 and line is not None and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # a byte-order mark from a Windows editor
            item = _record(line, f"{path}:{lineno}")
            if isinstance(item, Release) and remaining is not None:
                if item.path not in remaining:
                    continue
                remaining.discard(item.path)
            yield item
    for name in wanted or ():
        if remaining and name in remaining:
            yield Skipped(name, "not_found")


def write_jsonl(releases: Iterable[Release], path: str | os.PathLike[str]) -> int:
    """Write releases as JSONL (one :meth:`Release.to_dict` a line), the format :func:`iter_jsonl` reads."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for release in releases:
            fh.write(json.dumps(release.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n
