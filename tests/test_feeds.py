"""corpus.feeds: RSS/Atom entries → Release, and polite fetching against a real local HTTP server."""

from __future__ import annotations

import time

import httpx
import pytest

from corpus.feeds import (
    USER_AGENT,
    FeedError,
    backoff_seconds,
    fetch_feed,
    fetch_feeds,
    parse_feed,
)
from tests.feed_server import Entry, Feed, FeedServer, atom, rss

TH_URL = "https://www.thaigov.go.th/news/contents/details/76362"
EN_URL = "https://www.thaigov.go.th/news/contents/details/76400"

TH_ENTRY = Entry(
    link=TH_URL,
    title="รัฐบาลลงนาม MOU กับหัวเว่ย ส่งเสริมเศรษฐกิจดิจิทัล",
    body="<p>วันนี้ นายกรัฐมนตรีเป็นประธานพิธีลงนามบันทึกความเข้าใจ</p><p>ความร่วมมือด้าน &amp; คลาวด์</p>",
    published="Tue, 19 Dec 2023 10:00:00 +0700",
    category="ข่าวทำเนียบรัฐบาล",
)
EN_ENTRY = Entry(
    link=EN_URL,
    title="Cabinet approves rice farmer support",
    body="The cabinet approved support measures. Farmers will receive 1,000 baht per rai.",
    published="Wed, 20 Dec 2023 23:30:00 +0000",
    category="Government News",
)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with FeedServer() as srv:
        yield srv


def test_rss_entries_become_releases() -> None:
    result = parse_feed(rss("t", [TH_ENTRY, EN_ENTRY]).encode(), "http://feed")
    assert result.status == "ok" and not result.skipped
    th, en = result.releases
    assert th.url == TH_URL and th.release_id == "76362"
    assert th.title == TH_ENTRY.title
    assert th.date == "2023-12-19"
    assert th.category == "ข่าวทำเนียบรัฐบาล"
    assert th.lang == "th"
    # HTML paragraphs become lines, entities decoded, no tags left.
    assert th.body == "วันนี้ นายกรัฐมนตรีเป็นประธานพิธีลงนามบันทึกความเข้าใจ\nความร่วมมือด้าน & คลาวด์"
    assert th.extra["source"] == "http://feed"
    assert en.lang == "en" and en.category == "Government News"
    # 23:30 UTC on the 20th is the 21st in Bangkok, where the site publishes.
    assert en.date == "2023-12-21"
    assert th.hash and th.hash != en.hash


def test_atom_content_is_used() -> None:
    result = parse_feed(atom("t", [TH_ENTRY]).encode(), "http://feed")
    [release] = result.releases
    assert release.url == TH_URL
    assert release.date == "2023-12-19"
    assert release.category == "ข่าวทำเนียบรัฐบาล"
    assert "ประธานพิธีลงนาม" in release.body and "<p>" not in release.body


def test_other_sites_get_a_stable_deep_link_id() -> None:
    entry = Entry(link="https://example.org/news?id=5&x=1", title="Some news", body="Text.")
    [a] = parse_feed(rss("t", [entry]).encode(), "f").releases
    [b] = parse_feed(rss("t", [entry]).encode(), "f").releases
    assert a.release_id == b.release_id
    assert a.release_id.startswith("u") and a.release_id.isalnum()


def test_entry_without_link_is_skipped_not_fatal() -> None:
    doc = rss("t", [EN_ENTRY]).replace("</channel>", "<item><title>No link</title></item></channel>")
    result = parse_feed(doc.encode(), "f")
    assert [r.url for r in result.releases] == [EN_URL]
    assert len(result.skipped) == 1 and "link" in result.skipped[0].reason


@pytest.mark.parametrize("raw", [b"<html><body>Not a feed</body></html>", b"\x00\x01garbage", b""])
def test_malformed_feed_raises(raw: bytes) -> None:
    with pytest.raises(FeedError, match="malformed"):
        parse_feed(raw, "http://feed")


async def test_conditional_get_etag(server: FeedServer) -> None:
    server.feeds["/a.xml"] = feed = Feed(entries=[TH_ENTRY])
    url = server.url("/a.xml")
    async with httpx.AsyncClient() as client:
        first = await fetch_feed(client, url)
        assert first.status == "ok" and len(first.releases) == 1 and first.etag
        second = await fetch_feed(client, url, etag=first.etag, last_modified=first.last_modified)
        assert second.status == "not_modified" and not second.releases
        assert second.etag == first.etag
        feed.entries.append(EN_ENTRY)
        third = await fetch_feed(client, url, etag=second.etag, last_modified=second.last_modified)
        assert third.status == "ok" and len(third.releases) == 2 and third.etag != first.etag
    reqs = server.requests_to("/a.xml")
    assert [r.status for r in reqs] == [200, 304, 200]
    assert reqs[1].headers["If-None-Match"] == first.etag
    assert all(r.headers["User-Agent"] == USER_AGENT for r in reqs)


async def test_conditional_get_last_modified_only(server: FeedServer) -> None:
    server.feeds["/lm.xml"] = Feed(entries=[TH_ENTRY], etag_enabled=False)
    async with httpx.AsyncClient() as client:
        first = await fetch_feed(client, server.url("/lm.xml"))
        assert first.etag is None and first.last_modified
        second = await fetch_feed(client, server.url("/lm.xml"), last_modified=first.last_modified)
    assert second.status == "not_modified"
    assert server.requests_to("/lm.xml")[1].headers["If-Modified-Since"] == first.last_modified


async def test_errors_are_results_not_exceptions(server: FeedServer) -> None:
    server.feeds["/bad.xml"] = Feed(raw=b"<html>oops</html>")
    server.feeds["/busy.xml"] = Feed(entries=[TH_ENTRY], status=503)
    async with httpx.AsyncClient() as client:
        bad = await fetch_feed(client, server.url("/bad.xml"), etag='"old"')
        busy = await fetch_feed(client, server.url("/busy.xml"))
        missing = await fetch_feed(client, server.url("/none.xml"))
        refused = await fetch_feed(client, "http://127.0.0.1:9/feed.xml", timeout=2)
    assert bad.status == "error" and "malformed" in bad.error
    assert bad.etag == '"old"'  # the old validator is kept: nothing usable was read
    assert busy.status == "error" and busy.http_status == 503 and busy.retry_after == 120
    assert missing.status == "error" and "404" in missing.error
    assert refused.status == "error" and "unreachable" in refused.error


async def test_slow_feed_does_not_hold_the_others(server: FeedServer) -> None:
    server.feeds["/slow.xml"] = Feed(entries=[TH_ENTRY], delay=5.0)
    server.feeds["/fast.xml"] = Feed(entries=[EN_ENTRY])
    started = time.monotonic()
    slow, fast = await fetch_feeds(
        [(server.url("/slow.xml"), None, None), (server.url("/fast.xml"), None, None)], timeout=0.5
    )
    elapsed = time.monotonic() - started
    assert slow.status == "error" and "timed out" in slow.error
    assert fast.status == "ok" and fast.releases[0].url == EN_URL
    assert elapsed < 2.5


def test_backoff_grows_and_is_capped() -> None:
    assert backoff_seconds(0) == 0
    assert backoff_seconds(1) == 60
    assert backoff_seconds(2) == 120
    assert backoff_seconds(5) == 960
    assert backoff_seconds(100) == 6 * 3600


async def test_an_unforeseen_error_is_logged_without_the_feeds_credentials(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The traceback of an error nobody foresaw is logged, masked like the result's message: the exception
    may quote the feed's URL with its user and password."""
    import corpus.feeds as feeds

    url = "https://reader:s3cret-pw@feeds.example.org/news.xml"

    async def broken(client: httpx.AsyncClient, feed_url: str, **kwargs: object) -> None:
        raise RuntimeError(f"cannot read {feed_url}")

    monkeypatch.setattr(feeds, "fetch_feed", broken)
    (got,) = await fetch_feeds([(url, None, None)])
    assert got.status == "error" and "RuntimeError" in got.error
    assert "unexpected error" in caplog.text and "Traceback" in caplog.text and "RuntimeError" in caplog.text
    assert "s3cret-pw" not in caplog.text and "s3cret-pw" not in got.error
