"""A local HTTP server serving RSS/Atom feeds for the feed and alert tests.

Real HTTP on 127.0.0.1 (a thread running :class:`http.server.ThreadingHTTPServer`), so the fetcher's
conditional GET, timeouts and error handling run exactly as against a real site. Each path serves a
:class:`Feed` the test edits between polls (add an entry, edit one, make it malformed or slow). The
server answers ``If-None-Match`` / ``If-Modified-Since`` with 304 when the document has not changed,
records every request (path, headers, status) and can delay a path beyond the client's timeout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Entry:
    """One feed entry; ``published`` is an RFC 822 date as RSS writes it."""

    link: str
    title: str
    body: str
    published: str = "Tue, 19 Dec 2023 10:00:00 +0700"
    category: str = ""
    guid: str = ""


@dataclass
class Feed:
    """A feed document the test can change; ``kind`` is rss or atom; ``raw`` replaces it (malformed)."""

    title: str = "Thai Government News"
    kind: str = "rss"
    entries: list[Entry] = field(default_factory=list)
    raw: bytes | None = None
    status: int = 200
    retry_after: str = "120"
    delay: float = 0.0
    etag_enabled: bool = True
    modified_at: float = field(default_factory=time.time)

    def touch(self) -> None:
        self.modified_at = time.time()

    def document(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return (
            rss(self.title, self.entries) if self.kind == "rss" else atom(self.title, self.entries)
        ).encode()


def rss(title: str, entries: list[Entry]) -> str:
    items = []
    for e in entries:
        cat = f"<category>{html.escape(e.category)}</category>" if e.category else ""
        items.append(
            f"<item><title>{html.escape(e.title)}</title><link>{html.escape(e.link)}</link>"
            f"<guid>{html.escape(e.guid or e.link)}</guid><pubDate>{e.published}</pubDate>{cat}"
            f"<description>{html.escape(e.body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>https://www.thaigov.go.th/</link>"
        f"<description>test feed</description>{''.join(items)}</channel></rss>"
    )


def atom(title: str, entries: list[Entry]) -> str:
    items = []
    for e in entries:
        published = parsedate_to_datetime(e.published).isoformat()
        cat = f'<category term="{html.escape(e.category)}"/>' if e.category else ""
        items.append(
            f'<entry><title>{html.escape(e.title)}</title><link href="{html.escape(e.link)}"/>'
            f"<id>{html.escape(e.guid or e.link)}</id><published>{published}</published>"
            f"<updated>{published}</updated>{cat}"
            f'<content type="html">{html.escape(e.body)}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:test</id><updated>2023-12-19T10:00:00+07:00</updated>"
        f"{''.join(items)}</feed>"
    )


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


class FeedServer:
    """``with FeedServer() as server: server.feeds["/a.xml"] = Feed(...); server.url("/a.xml")``."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> FeedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                feed = server.feeds.get(self.path)
                headers = {k: v for k, v in self.headers.items()}
                if feed is None:
                    server._record(Request(self.path, headers, 404))
                    self._send(404, b"not found", {})
                    return
                if feed.delay:
                    time.sleep(feed.delay)
                body = feed.document()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                modified = format_datetime(
                    dt.datetime.fromtimestamp(int(feed.modified_at), tz=dt.UTC), usegmt=True
                )
                extra = {"Last-Modified": modified}
                if feed.etag_enabled:
                    extra["ETag"] = etag
                if feed.status != 200:
                    server._record(Request(self.path, headers, feed.status))
                    retry = {"Retry-After": feed.retry_after} if feed.status in (429, 503) else {}
                    self._send(feed.status, b"error", retry)
                    return
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                not_modified = (feed.etag_enabled and inm == etag) or (
                    not inm and ims is not None and ims == modified
                )
                if not_modified:
                    server._record(Request(self.path, headers, 304))
                    self._send(304, b"", extra)
                    return
                server._record(Request(self.path, headers, 200))
                self._send(200, body, {"Content-Type": "application/rss+xml; charset=utf-8", **extra})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="feed-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
