"""Text made safe for Telegram HTML, in one place: the one HTML escape and the control-character filter.

Why on the ground floor: the index's replies (``index.reply``), the bot's messages and the alerts all put
third-party text (release titles, passages, chat names, user questions) into Telegram HTML, where a stray
``<`` or ``&`` makes Telegram refuse the whole message. They escape through :func:`escape_html` (the
standard library's escape; ``quote=False`` where only text, never an attribute, is written), and what comes
from a user or a release into the bot's own messages is also stripped of control characters (:func:`esc`).
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")


def escape_html(value: object, quote: bool = True) -> str:
    """``<``, ``>``, ``&`` (and with ``quote``, both quotes) as HTML entities."""
    return html.escape(str(value), quote=quote)


def clean_text(value: str) -> str:
    """Remove control characters (keeping newlines and tabs): they are invisible and break clients."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def esc(value: object) -> str:
    """Escape anything for Telegram HTML (``<``, ``>``, ``&``, quotes), dropping control characters."""
    return escape_html(clean_text(str(value)))
