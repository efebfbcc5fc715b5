"""Which subscriptions a release matches, and the alert message it becomes.

Keywords are matched on word tokens (``index.lexical.tokenize``, the same tokenizer the index uses), as
a contiguous run of the keyword's own tokens inside the release's title and text. Matching raw substrings
would be wrong for Thai, which writes no spaces: the keyword ``ยา`` (medicine) is a substring of
``พยายาม`` (to try) and ``ยางพารา`` (rubber). Categories are compared after the parser's own
normalisation, case-folded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.alerts_store import Subscription
from corpus.release import URL_PREFIX, Release
from corpus.thaidate import format_en, format_th
from corpus.thaigov import normalize_category
from index.lexical import tokenize
from thaigov_qa.markup import escape_html
from thaigov_qa.messages import ALERT_BUTTON

#: Characters of the lead paragraph shown in an alert (the first sentence or two).
LEAD_CHARS = 320
_EN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


def keyword_tokens(keyword: str) -> tuple[str, ...]:
    return tuple(tokenize(keyword))


def category_key(category: str) -> str:
    return normalize_category(category).casefold()


@dataclass
class ReleaseText:
    """A release with its tokens computed once, however many subscriptions look at it."""

    release: Release

    @cached_property
    def tokens(self) -> list[str]:
        return tokenize(f"{self.release.title}\n{self.release.body}")

    @cached_property
    def _first_positions(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            index.setdefault(token, []).append(i)
        return index

    def has_phrase(self, phrase: Sequence[str]) -> bool:
        """True when the tokens ``phrase`` occur in a row in the release."""
        if not phrase:
            return False
        tokens = self.tokens
        n = len(phrase)
        for start in self._first_positions.get(phrase[0], []):
            if tuple(tokens[start : start + n]) == tuple(phrase):
                return True
        return False


def matches(sub: Subscription, text: ReleaseText) -> bool:
    """A subscription wants a release when a category (if any) and a keyword (if any) match.

    Several keywords are alternatives (any one will do), as are several categories; a subscription with
    both needs one of each. No filters: every release.
    """
    if sub.categories:
        wanted = {category_key(c) for c in sub.categories}
        if category_key(text.release.category) not in wanted:
            return False
    if sub.keywords:
        return any(text.has_phrase(keyword_tokens(k)) for k in sub.keywords)
    return True


# --- the message ---------------------------------------------------------------------------------


def _squash(s: str) -> str:
    return "".join(s.split())


def lead(release: Release, limit: int = LEAD_CHARS) -> str:
    """The first sentence or two of the body (the title's repeats skipped), cut at a word boundary.

    English sentences end in ``. ! ?``; Thai marks phrase and sentence ends with a space, so Thai text is
    cut at the last space that fits.
    """
    title_key = _squash(release.title)
    paragraphs = [p.strip() for p in release.body.split("\n") if p.strip() and _squash(p) != title_key]
    text = " ".join(paragraphs[:3])
    if not text:
        return ""
    if release.lang == "en":
        sentences = _EN_SENTENCE_END.split(text)
        picked = sentences[0]
        if len(picked) < 120 and len(sentences) > 1:
            picked = f"{picked} {sentences[1]}"
        text = picked
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _date_text(release: Release, lang: str) -> str:
    try:
        day = dt.date.fromisoformat(release.date)
    except ValueError:
        return ""
    return format_th(day) if lang == "th" else format_en(day)


def start_link(bot_username: str, release_id: str) -> str | None:
    """``https://t.me/<bot>?start=r<id>``: opens a private chat with the bot about this release.

    Only thaigov ids (digits): the bot's ``/start r<id>`` finds a release by its thaigov URL. The link is
    python-telegram-bot's (:func:`telegram.helpers.create_deep_linked_url`), which also checks the payload.
    """
    if not bot_username or not release_id.isdigit():
        return None
    try:
        return create_deep_linked_url(bot_username, f"r{release_id}")
    except ValueError:  # too long a payload, or not a bot username
        return None


def render_alert(
    release: Release, bot_username: str, lang: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The alert as Telegram HTML and its button: linked title, date · category, the lead, "ask" button.
    The date and the button speak ``lang`` (the subscriber's), else the release's own language; the
    title and the lead are the release's words."""
    lang = lang if lang in ("th", "en") else "th" if release.lang == "th" else "en"
    title = escape_html(release.title, quote=False)
    href = escape_html(release.url, quote=True)
    lines = [f'<b><a href="{href}">{title}</a></b>']
    meta = " · ".join(p for p in (_date_text(release, lang), escape_html(release.category, quote=False)) if p)
    if meta:
        lines.append(f"<i>{meta}</i>")
    summary = lead(release)
    if summary:
        lines.append("")
        lines.append(escape_html(summary, quote=False))
    link = (
        start_link(bot_username, release.release_id)
        if release.url == URL_PREFIX + release.release_id
        else None
    )
    markup = None
    if link:
        label = ALERT_BUTTON[lang]
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, url=link)]])
    return "\n".join(lines), markup
