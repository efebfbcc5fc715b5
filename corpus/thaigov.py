"""Parse one thaigov-v2 text file into a :class:`Release`.

The file format and its quirks are described in ``../shared/corpus/README.md``. In short::

    รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-<title>
    วัน<weekday>ที่ <d> <Thai month> <BE year>
    dd/mm/BBBB            (newer files)
    พิมพ์                  (a leftover print-button label)
    <title>               (repeated one to three times)
    <body paragraphs>
    ที่มา : https://www.thaigov.go.th/news/contents/details/<id>

A file that is not a usable release raises :class:`ParseError` with a short, stable ``reason`` code, so
that a reader can count and report skipped files without stopping.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import PurePosixPath

from corpus.release import Release, release_id_from_url
from corpus.text import detect_lang, normalize, normalize_line
from corpus.thaidate import find_dates

HEADER_PREFIX = "รัฐบาลไทย-"
HEADER_SECTION = "ข่าวทำเนียบรัฐบาล-"
PRINT_LABEL = "พิมพ์"
#: The site's empty page: a placeholder file carries this publication date.
PLACEHOLDER_YEAR = 1970

#: Reason codes of :class:`ParseError`, stable: reports and tests count files by them.
REASONS = {
    "bad_encoding": "not valid UTF-8 text, or mostly replacement characters",
    "no_title": "no title in the header line",
    "no_date": "no publication date line (วัน…ที่ d เดือน BBBB)",
    "placeholder_date": "the site's 1970-01-01 placeholder date: an empty page, not a release",
    "no_url": "no 'ที่มา : http…' source line",
    "empty_body": "no body text",
    "title_only": "the body only repeats the title",
    "not_release": "not a thaigov release file",
}

# The publication date line: "วันอังคารที่ 19 ธันวาคม 2566" (the weekday is sometimes missing or misspelt).
_DATE_LINE = re.compile(r"^วัน\S{0,12}?\s*ที่\s*\S.*$")
_NUMERIC_DATE = re.compile(r"^\(?\d{1,2}/\d{1,2}/\d{4}\)?$")
_SOURCE_URL = re.compile(r"^ที่มา\s*[:：]?\s*(https?://\S+)\s*$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SEPARATOR = re.compile(r"^[\s*=_\-~#.•·]+$")
_FILE_NAME = re.compile(r"^(?P<cat>.*)_(?P<n>\d+)(?:_(?P<uuid>[0-9a-fA-F-]{32,36}))?$")
_CRAWL_DIR = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})/[^/]+$")
#: How many lines after the header the date line may be looked for.
_HEAD_LINES = 12

#: Section names that the site has spelt two ways (after spaces and trailing dots are normalised).
CATEGORY_ALIASES = {
    "ข่าวรอง นรม รมตนร": "ข่าวรองนายกรัฐมนตรี รัฐมนตรีประจำสำนักนายกรัฐมนตรี",
    "other": "Others",
}


class ParseError(ValueError):
    """A file that is not a usable release; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def normalize_category(name: str) -> str:
    """One spelling per site section: TABs and odd spaces made single spaces, trailing dots dropped."""
    name = normalize_line(name).rstrip(". ").strip()
    return CATEGORY_ALIASES.get(name, name)


def category_from_path(path: str) -> str:
    """The section from a corpus file name ``<category>_<n>[_<uuid>].txt``; ``""`` for other names."""
    stem = PurePosixPath(path.replace("\\", "/")).name
    if stem.lower().endswith(".txt"):
        stem = stem[:-4]
    m = _FILE_NAME.match(stem)
    return normalize_category(m.group("cat")) if m else ""


def crawl_date_from_path(path: str) -> str:
    """The crawl date from the ``YYYY/MM/DD/`` folders of an archive path (ISO), or ``""``."""
    m = _CRAWL_DIR.search(path.replace("\\", "/"))
    return "-".join(m.groups()) if m else ""


def _squash(s: str) -> str:
    """A key for comparing title lines: no spaces at all (the site doubles and drops them freely)."""
    return "".join(s.split())


def release_lang(title: str, body: str) -> str:
    """``'en'`` only when both title and body read as English: an English release never has a Thai title
    or a Thai body, while Thai releases often carry English names, event titles or a quoted English text.
    """
    return "en" if detect_lang(title) == "en" and detect_lang(body) == "en" else "th"


def _visible_lines(text: str) -> tuple[list[str], list[int]]:
    """The file's normalized lines and the indexes of the non-empty ones (bad encodings refused)."""
    if not text or not text.strip():
        raise ParseError("empty_body", "empty file")
    replacement = text.count("\ufffd")
    if replacement > max(20, len(text) // 100):
        raise ParseError("bad_encoding", f"{replacement} replacement characters")
    # A truncated multi-byte character at the end decodes as U+FFFD: drop it, keep the rest.
    text = text.replace("\ufffd", "")
    if "<" in text:
        stripped = _strip_markup(text)
        if stripped != text:
            text = html.unescape(stripped)
    lines = normalize(text).split("\n")
    nonempty = [i for i, line in enumerate(lines) if line]
    if not nonempty:  # only zero-width characters or tags
        raise ParseError("empty_body", "no visible text")
    return lines, nonempty


def _strip_markup(text: str) -> str:
    """HTML comments and tags become spaces. A comment ends at the next ``-->``, so only the text up to the
    last ``-->`` can hold one: each ``<!--`` after it would otherwise scan to the end of the file, and a file
    of many unclosed ``<!--`` took minutes (quadratic time); there they stay as text."""
    end = text.rfind("-->")
    if end >= 0 and "<!--" in text:
        text = _COMMENT.sub(" ", text[: end + 3]) + text[end + 3 :]
    return _TAG.sub(" ", text)


def _header(lines: list[str], nonempty: list[int]) -> tuple[str, int]:
    """The title the header line gives ('' when none) and the index of the first line after it."""
    first = lines[nonempty[0]]
    header_title = ""
    start = nonempty[0]
    if first.startswith(HEADER_PREFIX):
        header_title = first[len(HEADER_PREFIX) :]
        if header_title.startswith(HEADER_SECTION):
            header_title = header_title[len(HEADER_SECTION) :]
        header_title = normalize_line(header_title)
        start += 1
    return header_title, start


def _publication_date(lines: list[str], nonempty: list[int], start: int) -> tuple[int, dt.date]:
    """The publication date line near the top: its index and its day (placeholders refused). A date
    line that does not read as a day (31 February, the year 99999) is quoted in the error: "no_date"
    alone sent the admin looking for a line that is there."""
    unread = ""
    for i in nonempty:
        if i < start:
            continue
        if i > start + _HEAD_LINES:
            break
        if _DATE_LINE.match(lines[i]):
            mentions = find_dates(lines[i])
            if mentions and mentions[0].granularity == "day":
                if mentions[0].date.year <= PLACEHOLDER_YEAR:
                    raise ParseError("placeholder_date", mentions[0].date.isoformat())
                return i, mentions[0].date
            unread = unread or lines[i]
    raise ParseError("no_date", f"date line not understood: {unread[:80]!r}" if unread else "")


def _source_url(lines: list[str], nonempty: list[int]) -> tuple[str, int]:
    """The last "ที่มา : http…" line (earlier "ที่มา :" lines credit agencies): its URL and index."""
    for i in reversed(nonempty):
        m = _SOURCE_URL.match(lines[i])
        if m:
            return m.group(1).rstrip(".,;)"), i
    return "", len(lines)


def _title_and_body(body_lines: list[str], title: str, date_line: str) -> tuple[str, int]:
    """Drop the page furniture and repeated titles opening ``body_lines`` (in place); returns the title
    (the header's, or the line the page repeats right away) and how many title repeats were dropped."""
    key = _squash(title)
    repeated = 0
    while body_lines:
        line = body_lines[0]
        if _NUMERIC_DATE.match(line) or line in (PRINT_LABEL, date_line) or _SEPARATOR.match(line):
            # Page furniture between the date and the text: "dd/mm/BBBB", "พิมพ์", the date line again,
            # and "..." or "##" teaser marks between repeated titles.
            body_lines.pop(0)
        elif key and _squash(line) == key:
            body_lines.pop(0)
            repeated += 1
        elif not key and len(body_lines) > 1 and _squash(body_lines[1]) == _squash(line):
            # No title in the header: a line the page repeats right away is the title.
            title, key = line, _squash(line)
        else:
            break
    return title, repeated


def parse_release(text: str, path: str) -> Release:
    """Parse a thaigov-v2 file's text; ``path`` gives the category and crawl date (see module docstring).

    Raises :class:`ParseError` with a reason code for files that are not usable releases.
    """
    lines, nonempty = _visible_lines(text)
    header_title, start = _header(lines, nonempty)
    date_index, date_value = _publication_date(lines, nonempty, start)
    url, url_index = _source_url(lines, nonempty)
    body_lines = [line for line in lines[date_index + 1 : url_index] if line]
    title, repeated = _title_and_body(body_lines, header_title, lines[date_index])
    key = _squash(title)
    if not title:
        raise ParseError("no_title")
    if not url:
        raise ParseError("no_url")
    if "thaigov.go.th/" in url and not release_id_from_url(url):
        raise ParseError("no_url", f"source URL without a release number (truncated file?): {url}")
    body_lines = [line for line in body_lines if not _SEPARATOR.match(line)]
    if not body_lines:
        raise ParseError("title_only" if repeated else "empty_body")
    if all(_squash(line) == key for line in body_lines):
        raise ParseError("title_only")
    body = "\n".join(body_lines)
    return Release(
        url=url,
        release_id=release_id_from_url(url),
        title=title,
        date=date_value.isoformat(),
        category=category_from_path(path),
        lang=release_lang(title, body),
        body=body,
        path=path,
        crawled=crawl_date_from_path(path),
    )
