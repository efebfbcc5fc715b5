"""A release shown on its own: its title, date, link and opening lines (a "card").

Why here: the bot shows one for an alert's deep link and for a pasted release link, the console chat and
``thaigov-qa ask`` for a pasted link; all of them show the same opening lines. The bot renders the card in
HTML (``bot.format.render_release_card``), the command line as plain text (:func:`card_text`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thaigov_qa.markup import clean_text
from thaigov_qa.messages import reply_texts

if TYPE_CHECKING:  # pragma: no cover
    from corpus.release import Release

#: Characters of a release's opening lines a card shows.
LEAD_CHARS = 500


def excerpt(text: str, limit: int) -> str:
    """``text`` with its whitespace collapsed, cut at a space before ``limit`` characters (with "…")."""
    text = " ".join(clean_text(text).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


def lead(release: Release, limit: int = LEAD_CHARS) -> str:
    """The body's first three lines that are not the title again, cut to ``limit`` characters."""
    lines = [line.strip() for line in release.body.splitlines() if line.strip()]
    return excerpt(" ".join([line for line in lines if line != release.title.strip()][:3]), limit)


def card_text(release: Release | None, lang: str) -> str:
    """The plain-text card of ``release`` in ``lang``, with how to ask about it; for None (a link to a
    release the index does not hold) the sentence that says so."""
    from index.reply import format_date

    t = reply_texts(lang)
    if release is None:
        return t["card_unknown"]
    parts = [release.title, format_date(release.date, lang), release.url]
    opening = lead(release)
    return "\n".join(parts) + (f"\n\n{opening}" if opening else "") + "\n\n" + t["card_ask"]
