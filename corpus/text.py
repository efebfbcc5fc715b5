"""Text normalisation shared by the parser, the index and the question analysis.

Everything that matches or tokenizes text must see the same characters, so this is the one place that
decides them. NFC, never NFKC: NFKC splits the Thai vowel SARA AM (U+0E33) into NIKHAHIT + SARA AA, and
pythainlp then mis-splits words (รัฐบาลกำหนด → รัฐ|บา|ลก|ําหนด).
"""

from __future__ import annotations

import re
import unicodedata

#: Characters with no width that the site leaves between words; they break matching and tokenizing.
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
#: Every other space-like character (NBSP, thin spaces, ideographic space, TAB...) becomes a plain space.
_SPACES = re.compile(r"[^\S\n]+")
#: Control characters that are not spaces or line breaks (NUL, BEL, ESC, DEL): a file padded with NUL bytes
#: was indexed with them and its passages quoted them to the user. No release of the archive holds one.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]+")
_THAI = re.compile(r"[\u0e01-\u0e5b]+")
_LATIN = re.compile(r"[A-Za-z]+")
#: Characters :func:`detect_lang` looks at.
LANG_SAMPLE = 4000


def has_thai(text: str) -> bool:
    """Whether ``text`` holds a Thai letter, mark or digit (what :func:`detect_lang` counts)."""
    return _THAI.search(text) is not None


def normalize(text: str) -> str:
    """NFC, zero-width characters removed, odd spaces made plain, spaces collapsed and trimmed per line.

    Line breaks are kept (paragraphs matter to chunking); ``\\r\\n`` and lone ``\\r`` become ``\\n``.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    for char in _ZERO_WIDTH:  # str.replace is far faster than str.translate on long texts
        if char in text:
            text = text.replace(char, "")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Unicode line and paragraph separators are line breaks too.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


#: Longest question the search and the answer step read (a pasted document is not a question; the Thai
#: query analysis grows faster than linearly with a run of Thai letters).
MAX_QUERY_CHARS = 1_000
#: Lone surrogates: bytes that were not UTF-8 (a command-line argument or a line read with
#: ``surrogateescape``). No tokenizer or database takes them.
_SURROGATES = re.compile(r"[\ud800-\udfff]+")


def query_text(text: str | None, limit: int = MAX_QUERY_CHARS) -> str:
    """A question as the search and the answer step read it: bytes that were not UTF-8 become a space,
    whitespace is collapsed, and it is cut at ``limit`` characters."""
    if not text:
        return ""
    if _SURROGATES.search(text):
        text = _SURROGATES.sub(" ", text)
    return " ".join(text.split())[:limit].strip()


def normalize_line(text: str) -> str:
    """:func:`normalize` for one-line fields (titles, categories): line breaks become spaces too."""
    return " ".join(normalize(text).split())


def detect_lang(text: str) -> str:
    """``'th'`` when Thai letters make at least a fifth of the letters, else ``'en'``.

    A fifth, not a half: English releases quote few Thai words, while Thai releases often carry English
    names, acronyms and URLs. Text with no letters at all counts as Thai, the corpus's main language.
    """
    # Runs, not single letters: far fewer match objects on long texts.
    thai = sum(map(len, _THAI.findall(text)))
    latin = sum(map(len, _LATIN.findall(text)))
    if thai + latin == 0:
        return "th"
    return "th" if thai >= 0.2 * (thai + latin) else "en"
