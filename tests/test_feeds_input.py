"""corpus.feeds against hostile or odd input found by fuzzing the feed side (lab40/feedfuzz).

Each test is one finding: input a real feed server could send that made the fetcher raise, lose entries,
garble Thai text or disable a feed, where the product rule is "report the bad feed or entry, skip it,
lose nothing else".
"""

from __future__ import annotations

import pytest

from corpus.feeds import parse_feed

BASE = "https://www.thaigov.go.th/news/contents/details/"


def _rss(items: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f'{head}<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def _item(n: int, title: str, extra: str = "") -> str:
    body = f"<description>ข่าว {n}</description>"
    return f"<item><title>{title}</title><link>{BASE}{n}</link>{extra}{body}</item>"


def test_an_impossible_buddhist_era_date_is_no_date_not_a_crash() -> None:
    # 29 Feb 2568 is a Gregorian leap day, but 2568 BE is 2025, which has none: the BE conversion raised
    # ValueError out of parse_feed, and through fetch_feeds' gather out of the whole alert poll.
    doc = _rss(_item(1, "leap", "<pubDate>Sat, 29 Feb 2568 10:00:00 +0700</pubDate>") + _item(2, "ok"))
    result = parse_feed(doc.encode(), "http://feed")
    assert [(r.url, r.date) for r in result.releases] == [(f"{BASE}1", ""), (f"{BASE}2", "")]


THAI_DOC = _rss(_item(3, "ข่าวรัฐบาลไทย"), '<?xml version="1.0"{decl}?>')


@pytest.mark.parametrize("decl", [' encoding="windows-874"', ' encoding="TIS-620"', "", ' encoding="utf-8"'])
@pytest.mark.parametrize("headers", [{}, {"content-type": "application/rss+xml"}])
def test_thai_legacy_encodings_are_read_as_thai(decl: str, headers: dict[str, str]) -> None:
    # windows-874 (the registered name; Python calls it cp874) was unknown, and a TIS-620 document that did
    # not say so was read as windows-1252: Latin mojibake ("¢èÒÇ…") was recorded, indexed and alerted.
    result = parse_feed(THAI_DOC.format(decl=decl).encode("cp874"), "http://feed", headers)
    assert [r.title for r in result.releases] == ["ข่าวรัฐบาลไทย"]
    assert result.releases[0].body == "ข่าว 3"


def test_an_undeclared_latin1_feed_stays_latin1() -> None:
    doc = _rss(_item(4, "Café crème à la française", "")).replace('encoding="UTF-8"', "")
    [release] = parse_feed(doc.replace("ข่าว", "news").encode("latin-1"), "http://feed").releases
    assert release.title == "Café crème à la française"


def test_relative_links_are_resolved_against_the_feed() -> None:
    # RFC 4287 allows relative links in Atom (and RSS feeds write them): each such entry was skipped,
    # "entry has no http(s) link", so its release was never alerted.
    doc = _rss(_item(5, "relative").replace(BASE, "/news/contents/details/"))
    [release] = parse_feed(doc.encode(), "https://www.thaigov.go.th/rss/news.xml").releases
    assert release.url == f"{BASE}5" and release.release_id == "5"
