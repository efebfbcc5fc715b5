"""Telegram HTML for the bot: splitting long replies, the "more sources" button, lists of releases.

Why splitting is done on the HTML itself rather than on the plain text: Telegram limits a message to
4,096 characters *after* entity parsing (UTF-16 code units), and a cut in the middle of ``<a href=...>``
or ``&amp;`` makes Telegram refuse the whole message. :func:`split_html` therefore cuts only between
characters of text, prefers paragraph, then line, then word boundaries, and closes the tags open at the
cut (reopening them, attributes and all, at the start of the next part).

Every piece of release text that goes into these helpers is escaped with :func:`thaigov_qa.markup.esc`;
nothing from a release or a user ever reaches Telegram unescaped.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from corpus.release import Release
from index.answer import Source
from index.release_card import excerpt
from index.release_card import lead as release_lead
from index.reply import format_date, quoted
from index.reply import source_line as reply_source_line
from thaigov_qa.markup import clean_text, esc
from thaigov_qa.messages import text

MAX_MESSAGE = 4096
#: Prefix of the "more sources" callback data (the rest is a short key into the chat's ``chat_data``).
MORE_PREFIX = "more:"
#: Characters of a source's passage under the "more sources" list (a glimpse; the link has the rest).
EXCERPT_CHARS = 280

_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);")
#: Characters that must never start a part: they attach to the character before them.
_GLUE = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass
class _Atom:
    raw: str
    units: int  # plain-text length in UTF-16 code units (0 for tags)
    tag: str = ""  # tag name for tags
    closing: bool = False
    char: str = ""  # the plain character for text atoms


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _atoms(markup: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for match in _TOKEN.finditer(markup):
        for ch in markup[pos : match.start()]:
            atoms.append(_Atom(ch, _units(ch), char=ch))
        raw = match.group(0)
        if match.group(2):
            atoms.append(_Atom(raw, 0, tag=match.group(2).lower(), closing=bool(match.group(1))))
        else:
            atoms.append(_Atom(raw, 1, char=html.unescape(raw)))
        pos = match.end()
    for ch in markup[pos:]:
        atoms.append(_Atom(ch, _units(ch), char=ch))
    return atoms


def _close(stack: Sequence[_Atom]) -> str:
    return "".join(f"</{a.tag}>" for a in reversed(stack))


def _open(stack: Sequence[_Atom]) -> str:
    return "".join(a.raw for a in stack)


def _plain_blank(atoms: Sequence[_Atom]) -> bool:
    return all(not a.char.strip() for a in atoms)


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split well-formed Telegram HTML into parts of at most ``limit`` plain-text UTF-16 units each.

    Parts break at a blank line when one lies in the second half of the part, else at a line break,
    else at a space, else between two characters (never inside a tag, an entity or before a joining
    character). Tags open at a cut are closed and reopened, so every part is well-formed on its own.
    Blank parts are dropped.
    """
    atoms = _atoms(markup)
    parts: list[str] = []
    start = 0
    carried: list[_Atom] = []  # tags open at `start`
    while start < len(atoms):
        stack = list(carried)
        length = 0
        i = start
        # best break candidates: kind -> (index, stack snapshot)
        breaks: dict[str, tuple[int, list[_Atom]]] = {}
        while i < len(atoms):
            atom = atoms[i]
            if atom.tag:
                _track(stack, atom)
            else:
                if length + atom.units > limit:
                    break
                length += atom.units
                if atom.char.isspace():
                    breaks["anyspace"] = (i + 1, list(stack))
                if length >= limit // 2:
                    if atom.char == "\n" and i > start and atoms[i - 1].char == "\n":
                        breaks["para"] = (i + 1, list(stack))
                    elif atom.char == "\n":
                        breaks["line"] = (i + 1, list(stack))
                    elif atom.char.isspace():
                        breaks["space"] = (i + 1, list(stack))
            i += 1
        if i >= len(atoms):
            end, end_stack = len(atoms), stack
        else:
            for kind in ("para", "line", "space", "anyspace"):
                if kind in breaks:
                    end, end_stack = breaks[kind]
                    break
            else:
                end, end_stack = i, stack
                # do not separate a combining mark, a joiner or a variation selector from its base
                while end > start + 1 and _glued(atoms[end].char):
                    end -= 1
                    end_stack = _stack_at(atoms, start, carried, end)
        body = atoms[start:end]
        if not _plain_blank(body):
            part = _open(carried) + "".join(a.raw for a in body) + _close(end_stack)
            parts.append(part.strip("\n") if not carried and not end_stack else part)
        start = end
        carried = end_stack
        # a part never starts with the whitespace its predecessor broke at
        while start < len(atoms) and not atoms[start].tag and atoms[start].char.isspace():
            start += 1
    return parts


def _glued(char: str) -> bool:
    return bool(char) and (char in _GLUE or unicodedata.category(char) in ("Mn", "Me", "Mc"))


def _track(stack: list[_Atom], atom: _Atom) -> None:
    """Update the stack of open tags with one tag atom (a closing tag pops its opener)."""
    if atom.closing:
        if stack and stack[-1].tag == atom.tag:
            stack.pop()
    else:
        stack.append(atom)


def _stack_at(atoms: Sequence[_Atom], start: int, carried: list[_Atom], end: int) -> list[_Atom]:
    stack = list(carried)
    for atom in atoms[start:end]:
        if atom.tag:
            _track(stack, atom)
    return stack


def more_sources_keyboard(key: str, lang: str) -> InlineKeyboardMarkup:
    """The inline "more sources" button; ``key`` finds the payload again (``bot.shared.more_sources_of``)."""
    data = f"{MORE_PREFIX}{key}"
    assert len(data.encode()) <= 64, "Telegram limits callback data to 64 bytes"
    return InlineKeyboardMarkup([[InlineKeyboardButton(text(lang, "more_sources"), callback_data=data)]])


def kept_passage(passage: str) -> str:
    """As much of a passage as :func:`render_more_sources` can show (whitespace collapsed, one character
    past the excerpt's limit so the excerpt of it is the excerpt of the whole): what a "more sources"
    payload keeps in ``chat_data`` instead of the whole passage."""
    return " ".join(clean_text(passage).split())[: EXCERPT_CHARS + 1]


def source_line(n: int, url: str, title: str, date: object) -> str:
    """``n. <a href=url>title</a> (date)``, escaped (the shape is ``index.reply.source_line``)."""
    return reply_source_line(n, url, esc(title or url), esc(date) if date else "")


def render_more_sources(sources: Sequence[Source], lang: str, start: int = 0) -> str:
    """The sources after the first ``start`` (those the reply already lists), each with its passage.

    What the "more sources" button adds to a reply; numbering continues the reply's own list.
    """
    rest = list(sources)[start:]
    if not rest:
        return f"<i>{esc(text(lang, 'no_more_sources'))}</i>"
    lines = [f"<b>{esc(text(lang, 'more_sources_title'))}</b>"]
    for n, source in enumerate(rest, start + 1):
        lines.append(source_line(n, source.url, source.title, display_date(source.date, lang)))
        if source.passage:
            lines.append(f"<i>{esc(quoted(excerpt(source.passage, EXCERPT_CHARS), lang))}</i>")
    return "\n".join(lines)


def display_date(iso: object, lang: str) -> str:
    """A release date as replies show it (``19 ธ.ค. 2566`` / ``19 December 2023``)."""
    return format_date(str(iso or ""), lang)


def render_latest(releases: Iterable[Release], lang: str) -> str:
    """The ``/latest`` list: numbered links with dates, newest first."""
    releases = list(releases)
    if not releases:
        return esc(text(lang, "latest_empty"))
    lines = [f"<b>{esc(text(lang, 'latest_title', n=len(releases)))}</b>"]
    lines += [source_line(n, r.url, r.title, display_date(r.date, lang)) for n, r in enumerate(releases, 1)]
    return "\n".join(lines)


def render_release_card(release: Release, lang: str) -> str:
    """A release's card with how to ask about it (an alert's deep link and a pasted link show this;
    :mod:`index.release_card` has the opening lines and the command line's plain card)."""
    return text(lang, "release_card", card=release_card_html(release, lang, release_lead(release)))


def release_card_html(release: Release, lang: str, lead: str) -> str:
    """A release's title, date, link and opening lines ``lead``: the card the bot sends and the inline
    result that shares the release."""
    link = f'<a href="{esc(release.url)}">{esc(release.url)}</a>'
    card = f"<b>{esc(release.title)}</b>\n{esc(display_date(release.date, lang))}\n{link}"
    return card + (f"\n\n<blockquote>{esc(lead)}</blockquote>" if lead else "")
