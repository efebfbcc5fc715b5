"""Telegram's HTML parse mode, as the real server checks it: the allowed tags, entities and lengths.

Why it exists: the bot sends every answer with ``parse_mode=HTML``, and Telegram refuses (400 "can't
parse entities") a text with an unknown tag, an unbalanced one or a stray ``<``/``&``. The fake server
runs each text through this parser so that a test fails where Telegram would; tests also call
:func:`html_plain_text` directly to read what a user would see, and :func:`utf16_len` to measure it the
way Telegram does.
"""

from __future__ import annotations

from html.parser import HTMLParser

#: Tags Telegram accepts in HTML parse mode, with the attributes each may carry.
_ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class TelegramHTMLError(ValueError):
    """The text is not valid Telegram HTML; the message mimics Telegram's "can't parse entities"."""


class _TelegramHTMLParser(HTMLParser):
    """Checks a text against Telegram's HTML subset and collects its plain text (to measure its length)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise TelegramHTMLError(f"unsupported start tag {tag!r}")
        for name, _value in attrs:
            if name not in _ALLOWED_TAGS[tag]:
                raise TelegramHTMLError(f"unsupported attribute {name!r} in tag {tag!r}")
        if tag == "a" and not dict(attrs).get("href"):
            raise TelegramHTMLError("tag 'a' without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise TelegramHTMLError(f"unsupported self-closing tag {tag!r}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHTMLError(f"unexpected end tag {tag!r} (open: {self.stack})")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>&":
            if ch in data:
                raise TelegramHTMLError(f"unescaped {ch!r} in text near {data[:40]!r}")
        self.plain.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            raise TelegramHTMLError(f"unsupported entity &{name};")
        self.plain.append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        try:
            self.plain.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except ValueError as exc:
            raise TelegramHTMLError(f"bad character reference &#{name};") from exc

    def handle_comment(self, data: str) -> None:
        raise TelegramHTMLError("comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        raise TelegramHTMLError("declarations are not allowed")

    def handle_pi(self, data: str) -> None:
        raise TelegramHTMLError("processing instructions are not allowed")

    def unknown_decl(self, data: str) -> None:
        raise TelegramHTMLError("declarations are not allowed")


def html_plain_text(text: str) -> str:
    """Validate ``text`` as Telegram HTML and return its plain text; raises :class:`TelegramHTMLError`."""
    parser = _TelegramHTMLParser()
    parser.feed(text)
    parser.close()
    # HTMLParser keeps an unterminated "<tag" or "&name" in its buffer instead of reporting it.
    if parser.rawdata:
        raise TelegramHTMLError(f"unterminated markup at end: {parser.rawdata[:40]!r}")
    if parser.stack:
        raise TelegramHTMLError(f"unclosed tags {parser.stack}")
    return "".join(parser.plain)


def utf16_len(text: str) -> int:
    """Telegram measures lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
