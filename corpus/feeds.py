"""RSS 2.0 / Atom feeds of new releases → :class:`Release`, fetched politely.

Feeds are someone else's server: we send a User-Agent that says who we are, ask with a conditional GET
(``If-None-Match`` / ``If-Modified-Since``) so that an unchanged feed costs one 304, give up after a
timeout so that one slow feed never holds up the others, and back off when a feed keeps failing. The
conditional-GET and backoff *state* belongs to the caller (the alert poller keeps it in SQLite); this module
only turns a state and a URL into a :class:`FeedFetch`.

Parsing is feedparser's job: RSS and Atom dialects have too many quirks to parse by hand
(:mod:`corpus.feed_encoding` adds the Thai legacy encodings it misreads).
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import hashlib
import logging
import re
import time
import traceback
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import unquote

import httpx

from corpus import feed_encoding
from corpus.release import Release, canonical_url, release_id_from_url
from corpus.text import detect_lang, normalize, normalize_line
from corpus.thaidate import BANGKOK, be_to_ce

log = logging.getLogger(__name__)

#: Who we are, sent with every feed request (a polite client names itself).
USER_AGENT = "thaigov-qa/0.1 (release alerts; feed reader)"
#: Seconds before a feed request is abandoned (connect, read and the whole transfer).
DEFAULT_TIMEOUT = 20.0
#: A feed larger than this is refused: a feed is a list of recent entries, not an archive.
MAX_FEED_BYTES = 10 * 1024 * 1024
#: Backoff after consecutive failures: BASE, 2*BASE, 4*BASE ... at most CAP seconds.
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0

FetchStatus = Literal["ok", "not_modified", "error"]


class FeedError(Exception):
    """A feed could not be read or parsed; the message is one readable line."""


@dataclass(frozen=True)
class SkippedEntry:
    """A feed entry that could not become a release (no link, no title...)."""

    feed_url: str
    entry_id: str
    reason: str


@dataclass
class FeedFetch:
    """What one conditional GET of one feed gave.

    ``etag`` and ``last_modified`` are what to send next time (the old values are kept on a 304 or an
    error). ``retry_after`` is the server's own ``Retry-After`` in seconds, when it sent one.
    """

    url: str
    status: FetchStatus
    releases: list[Release] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""
    http_status: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0


_USERINFO = re.compile(r"(?<=//)([^/?#@]*)@")


def shown_url(url: str) -> str:
    """``url`` as reports and logs show it: the credentials of ``https://user:password@host/feed`` masked.

    Why: a private feed carries its credentials in RELEASE_FEEDS, and every failure message, log line
    and operator alert used to quote the URL, password included.
    """
    return _USERINFO.sub("***@", url, count=1)


def _hide(text: str, url: str) -> str:
    """``text`` with ``url``'s credentials masked wherever they appear (an exception may quote them)."""
    m = _USERINFO.search(url)
    for secret in (m.group(1), m.group(1).partition(":")[2]) if m else ():
        if secret:
            text = text.replace(secret, "***")
    return text


def _without_credentials(url: str) -> tuple[str, httpx.BasicAuth | None]:
    """The URL to request and its credentials as basic auth: httpx logs each request's URL at INFO."""
    m = _USERINFO.search(url)
    if not m:
        return url, None
    user, _, password = m.group(1).partition(":")
    return url[: m.start()] + url[m.end() :], httpx.BasicAuth(unquote(user), unquote(password))


def backoff_seconds(failures: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait before trying a feed again after ``failures`` consecutive failures.

    Exponential, so a feed that is down for a day costs a handful of requests, not one every poll.
    """
    if failures <= 0:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - 1, 30)))


# --- parsing ----------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """HTML → text with paragraph breaks kept (the index chunks on paragraphs)."""

    _BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain, normalised text of an HTML fragment, one paragraph a line, no blank-line runs."""
    if "<" not in markup and "&" not in markup:
        text = markup
    else:
        parser = _TextExtractor()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    lines = [line for line in normalize(text).split("\n") if line]
    return "\n".join(lines)


def _entry_date(entry: Any) -> str:
    """ISO publication date of an entry ('' when it has none); Buddhist-era years are converted."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if not parsed:
            continue
        try:
            moment = dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
            # feedparser reads times as UTC; thaigov publishes in Bangkok time (UTC+7).
            local = moment.astimezone(BANGKOK).date()
            if local.year > 2400:  # a Buddhist-era year written into an RFC 822 date
                local = local.replace(year=be_to_ce(local.year))
        except (ValueError, OverflowError, OSError):
            # 29 February of a BE year whose CE year has none (2568 BE = 2025): an impossible date is no
            # date, not the loss of the entry (or, raised out of the parse, of the whole poll).
            continue
        return local.isoformat()
    return ""


def _entry_text(entry: Any) -> str:
    """The entry's full content when it has some, else its summary, as plain text."""
    best = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    if not best:
        best = entry.get("summary") or entry.get("description") or ""
    return html_to_text(best)


def _entry_category(entry: Any, default: str) -> str:
    for tag in entry.get("tags") or []:
        term = normalize_line(tag.get("term") or tag.get("label") or "")
        if term:
            return term
    return default


def feed_release_id(url: str) -> str:
    """The thaigov number of the link, or a short stable id made from the URL for other sites.

    The id goes into the bot's deep link (``?start=r<id>``), which allows only ``[A-Za-z0-9_-]``.
    """
    rid = release_id_from_url(url)
    if rid:
        return rid
    return "u" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def entry_to_release(entry: Any, feed_url: str, default_category: str = "", crawled: str = "") -> Release:
    """One feed entry as a :class:`Release`; raises :class:`FeedError` when it has no usable link or title."""
    link = (entry.get("link") or "").strip()
    if not link.startswith(("http://", "https://")):
        raise FeedError(f"entry has no http(s) link: {link!r}")
    link = canonical_url(link)
    title = normalize_line(html_to_text(entry.get("title") or ""))
    body = _entry_text(entry)
    if not title:
        title = body.split("\n", 1)[0][:200] if body else ""
    if not title:
        raise FeedError(f"entry {link} has neither title nor text")
    # Bodies of thaigov releases repeat the title; the index does not need it twice.
    if body.startswith(title):
        body = body[len(title) :].lstrip("\n ")
    extra = {"source": shown_url(feed_url)}  # kept with the release: no credentials
    if entry.get("id"):
        extra["guid"] = str(entry.get("id"))
    return Release(
        url=link,
        release_id=feed_release_id(link),
        title=title,
        date=_entry_date(entry),
        category=_entry_category(entry, default_category),
        lang=detect_lang(f"{title}\n{body}"),
        body=body,
        path=shown_url(feed_url),
        crawled=crawled or dt.date.today().isoformat(),
        extra=extra,
    )


def parse_feed(content: bytes, feed_url: str, headers: dict[str, str] | None = None) -> FeedFetch:
    """Parse a feed document into releases; raises :class:`FeedError` when it is not a feed at all.

    feedparser is lenient (``bozo`` marks any oddity): a document with entries is accepted even when
    slightly broken, and only one that yields neither entries nor a feed title counts as malformed.
    Entries without a link are skipped and reported, not fatal.
    """
    # The document's own address is the base of relative links (RFC 4287 allows them in Atom; RSS feeds
    # write them too): without it every such entry was skipped for having "no http(s) link".
    parsed = feed_encoding.parse(content, {"content-location": feed_url, **(headers or {})})
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.bozo or not version):
        reason = parsed.get("bozo_exception") or "no RSS or Atom content"
        raise FeedError(f"malformed feed {shown_url(feed_url)}: {str(reason)[:200]}")
    if parsed.bozo:
        shown, reason = shown_url(feed_url), parsed.bozo_exception
        log.warning("feed %s is slightly malformed (%s); using what parsed", shown, reason)
    default_category = ""
    for tag in parsed.feed.get("tags") or []:
        default_category = normalize_line(tag.get("term") or "")
        if default_category:
            break
    result = FeedFetch(url=feed_url, status="ok")
    seen: set[str] = set()
    for entry in parsed.entries:
        entry_id = str(entry.get("id") or entry.get("link") or "?")
        try:
            release = entry_to_release(entry, feed_url, default_category)
        except FeedError as exc:
            result.skipped.append(SkippedEntry(feed_url, entry_id, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd entry must not lose the feed's others
            log.exception("feed %s: entry %s could not be read", shown_url(feed_url), entry_id)
            result.skipped.append(SkippedEntry(feed_url, entry_id, f"unreadable entry: {type(exc).__name__}"))
            continue
        if release.url in seen:  # the same link twice in one feed: the first (newest) wins
            continue
        seen.add(release.url)
        result.releases.append(release)
    return result


# --- fetching ---------------------------------------------------------------------------------


def _retry_after(value: str | None) -> float | None:
    """The server's ``Retry-After`` in seconds (a number or an HTTP date), at most :data:`BACKOFF_CAP`.

    ``None`` when unreadable. Capped because the caller waits that long before the next try: a server
    asking for years (or sending garbage) would otherwise switch the feed off for good. Only ASCII digits
    count: ``"²".isdigit()`` is true, and ``float`` raised out of the whole poll.
    """
    if not value:
        return None
    value = value.strip()
    try:
        if value.isascii() and value.isdigit():
            seconds = float(value)
        else:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError, OverflowError):
        return None
    return min(BACKOFF_CAP, max(0.0, seconds))


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float
) -> tuple[httpx.Response, bytes]:
    target, auth = _without_credentials(url)
    kwargs: dict[str, Any] = {"auth": auth} if auth else {}
    async with client.stream(
        "GET", target, headers=headers, timeout=timeout, follow_redirects=True, **kwargs
    ) as resp:
        chunks: list[bytes] = []
        size = 0
        if resp.status_code == 200:
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError(f"feed {shown_url(url)} is larger than {MAX_FEED_BYTES // 2**20} MB")
                chunks.append(chunk)
        return resp, b"".join(chunks)


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> FeedFetch:
    """One conditional GET of ``url`` and the parse of its body. Never raises for a feed's own faults.

    The whole request, not only each read, is bounded by ``timeout``: a server that trickles bytes
    forever would otherwise hold the poll pass. Errors come back as ``status="error"`` with a
    one-line ``error`` so that the caller can report the feed and go on with the others.
    """
    started = time.monotonic()
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    kept = {"etag": etag, "last_modified": last_modified}
    shown = shown_url(url)
    try:
        resp, content = await asyncio.wait_for(_get(client, url, headers, timeout), timeout=timeout + 1.0)
    except (TimeoutError, httpx.TimeoutException):
        return FeedFetch(url, "error", error=f"feed {shown} timed out after {timeout:g} s", **kept)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a typo in RELEASE_FEEDS
        error = _hide(f"feed {shown} unreachable: {type(exc).__name__}: {exc}", url)
        return FeedFetch(url, "error", error=error, **kept)
    except FeedError as exc:
        return FeedFetch(url, "error", error=str(exc), **kept)
    seconds = time.monotonic() - started
    if resp.status_code == 304:
        return FeedFetch(
            url,
            "not_modified",
            etag=resp.headers.get("ETag") or etag,
            last_modified=resp.headers.get("Last-Modified") or last_modified,
            http_status=304,
            seconds=seconds,
        )
    if resp.status_code != 200:
        return FeedFetch(
            url,
            "error",
            error=f"feed {shown} answered HTTP {resp.status_code}",
            http_status=resp.status_code,
            retry_after=_retry_after(resp.headers.get("Retry-After")),
            seconds=seconds,
            **kept,
        )
    try:
        result = parse_feed(content, url, {"content-location": str(resp.url), **dict(resp.headers)})
    except FeedError as exc:
        return FeedFetch(url, "error", error=str(exc), http_status=200, seconds=seconds, **kept)
    result.etag = resp.headers.get("ETag")
    result.last_modified = resp.headers.get("Last-Modified")
    result.http_status = 200
    result.seconds = seconds
    return result


async def fetch_feeds(
    requests: list[tuple[str, str | None, str | None]], timeout: float = DEFAULT_TIMEOUT
) -> list[FeedFetch]:
    """Fetch several feeds at once (``(url, etag, last_modified)`` each), in the order given.

    Concurrent, so the pass takes as long as the slowest feed (at most ``timeout``), not their sum.
    """
    if not requests:
        return []
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}) as client:
        return list(await asyncio.gather(*(_fetch_guarded(client, u, e, m, timeout) for u, e, m in requests)))


async def _fetch_guarded(
    client: httpx.AsyncClient, url: str, etag: str | None, last_modified: str | None, timeout: float
) -> FeedFetch:
    """:func:`fetch_feed`, any error it did not foresee made an error result for this feed alone.

    Why: ``gather`` re-raises the first exception, so one feed's surprise used to end the whole pass
    (the other feeds, the watched folders and the delivery of pending alerts), on every pass.
    """
    try:
        return await fetch_feed(client, url, etag=etag, last_modified=last_modified, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        # The traceback is logged masked like the message: the exception may quote the feed's credentials.
        trace = _hide("".join(traceback.format_exception(exc)), url)
        log.error("feed %s: unexpected error\n%s", shown_url(url), trace)
        error = _hide(f"feed {shown_url(url)} failed: {type(exc).__name__}: {exc}", url)
        return FeedFetch(url, "error", error=error, etag=etag, last_modified=last_modified)
