"""Thai legacy encodings in feeds: the names Python does not know, and the fallback feedparser gets wrong.

Thai sites that are not UTF-8 write TIS-620 or its Microsoft superset, whose registered name is
``windows-874``. Python knows that codec only as ``cp874``: a feed declaring ``encoding="windows-874"``
(what Windows tools and IIS write) was not decodable under its own name, and feedparser fell back to
windows-1252, so every Thai letter became Latin mojibake (``ข่าว`` → ``¢èÒÇ``) that was indexed and alerted.
A feed that does not say it is TIS-620 (no declaration, or a wrong ``utf-8`` one) fell back the same way.
"""

from __future__ import annotations

import codecs
import re

import feedparser

#: The spellings of windows-874 in the wild, as :func:`codecs.lookup` normalises them.
_WINDOWS_874 = frozenset({"windows_874", "x_windows_874", "ms874", "windows874"})
#: Thai letters make at least this share of the letters when a document is read as cp874: it is Thai.
#: Latin-1 text read as cp874 has a Thai letter for each accented one, a few percent at most.
THAI_SHARE = 0.1

_THAI = re.compile(r"[\u0e01-\u0e5b]")
_LATIN = re.compile(r"[A-Za-z]")


def _search(name: str) -> codecs.CodecInfo | None:
    return codecs.lookup("cp874") if name in _WINDOWS_874 else None


codecs.register(_search)


def _reads_as_thai(content: bytes) -> bool:
    text = content.decode("cp874", errors="ignore")
    thai = len(_THAI.findall(text))
    return thai > 0 and thai >= THAI_SHARE * (thai + len(_LATIN.findall(text)))


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse(content: bytes, headers: dict[str, str]) -> feedparser.FeedParserDict:
    """``feedparser.parse``, but a document that is not UTF-8 and that feedparser read as windows-1252 (its
    guess when the declared or default encoding fails) or ISO-8859-1 (HTTP's default when a server sends no
    Content-Type) is read as cp874 when that makes it Thai text."""
    parsed = feedparser.parse(content, response_headers=headers)
    latin = parsed.get("encoding") in ("windows-1252", "iso-8859-1")
    if latin and not _is_utf8(content) and _reads_as_thai(content):
        thai = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        thai["content-type"] = "application/xml; charset=cp874"  # an HTTP charset outranks the declaration
        parsed = feedparser.parse(content, response_headers=thai)
    return parsed
