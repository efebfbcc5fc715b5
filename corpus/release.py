"""The :class:`Release`: one press release, whatever source it came from."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit, urlunsplit

URL_PREFIX = "https://www.thaigov.go.th/news/contents/details/"
_THAIGOV_DETAIL = re.compile(
    r"^https?://(?:www\.)?thaigov\.go\.th/news/contents/details/(\d+)/?(?:[?#].*)?$", re.I
)


@dataclass(frozen=True)
class Release:
    """One press release, normalised (NFC, no zero-width or no-break spaces, no print-button leftovers).

    ``date`` is the publication date in ISO form (``2023-12-19``), converted from the Buddhist-era date
    line; ``crawled`` is the crawl date of the file (its date folder), used only to keep the later of
    two files with the same URL. ``hash`` covers what the index depends on (title, date, body), so an
    unchanged release is never embedded again.
    """

    url: str
    release_id: str
    title: str
    date: str
    category: str
    lang: str
    body: str
    hash: str = ""
    path: str = ""
    crawled: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", content_hash(self.title, self.date, self.body))

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        if not data["extra"]:
            data.pop("extra")
        return data


def content_hash(title: str, date: str, body: str) -> str:
    """A stable fingerprint of what the index is built from."""
    digest = hashlib.sha256()
    for part in (title, date, body):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def release_id_from_url(url: str) -> str:
    """The number at the end of a thaigov URL (``.../details/76362`` → ``76362``)."""
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else ""


#: A thaigov release link anywhere in a message (scheme, ``www.``, a query or a fragment optional).
_LINK_IN_TEXT = re.compile(
    r"<?(?:https?://)?(?:www\.)?thaigov\.go\.th/news/contents/details/(\d+)/?(?:[?#][^\s>]*)?>?", re.I
)


def split_release_link(message: str) -> tuple[str | None, str]:
    """The number of the first thaigov release link in a message and the message's other words, or
    (None, the message) when it holds none. Why: people paste a link, alone ("what is this?" is implied) or
    with a question about it; searched as words, a link found the releases that merely link to it
    ("อ่านเพิ่มเติม >> …")."""
    for m in _LINK_IN_TEXT.finditer(message):
        if m.start() and re.match(r"[\w.-]", message[m.start() - 1]):  # notthaigov.go.th, a longer host
            continue
        return m.group(1), " ".join(f"{message[: m.start()]} {message[m.end() :]}".split())
    return None, message


def linked_release_id(message: str) -> str | None:
    """The release number when a message is nothing but a link to a thaigov release (a user pasting one,
    with or without ``https://``, in angle brackets, with a query or a fragment); None otherwise."""
    number, rest = split_release_link(message)
    return number if number is not None and not re.search(r"\w", rest) else None


def canonical_url(url: str) -> str:
    """One spelling per release link: the registry, the index and the alerts' outbox key releases by URL.

    Why: the same release reached us as ``http://``, without ``www.``, with a trailing slash or a tracking
    query (``?utm_source=rss``) from another feed or a later pass, and each spelling was a new release,
    alerted again (and not matched with the corpus file's ``https://www.…/details/<id>``). A thaigov
    release link becomes :data:`URL_PREFIX` + its number; other links lose their ``utm_*`` parameters only
    (their other parameters, or a ``#/news/5`` fragment, may be what names the page).
    """
    url = url.strip()
    m = _THAIGOV_DETAIL.match(url)
    if m:
        return URL_PREFIX + m.group(1)
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("utm_"))
    return urlunsplit(parts._replace(query=query))
