"""The question's words and the sentences' words, as the answer step compares them.

Tokens are the lexical index's own (:func:`index.lexical.tokenize`: Thai words split by newmm, Latin words
case-folded), so a word matches in the answer step exactly when it matched in BM25.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from typing import TypeVar

from corpus.text import normalize
from corpus.thaidate import be_to_ce

_T = TypeVar("_T")
_THAI = re.compile(r"[\u0e01-\u0e4e]")
_THAI_SPACE = re.compile(r"(?<=[\u0e01-\u0e4e])\s+(?=[\u0e01-\u0e4e])")

_EN_STOP = frozenset(
    """a an the of to in on at for from by with and or is are was were be been being do does did what
    which who whom whose when where why how many much did has have had this that these those it its
    their his her they he she we you i as about into than then there here under over after before during
    until up out not no yes can could will would should may might must s per also so such any
    all some""".split()  # noqa: SIM905
)
#: Thai interrogatives: a message holding one asks something even with no other word ("ที่ไหน").
_TH_INTERROGATIVES = frozenset(
    """กี่ เท่าไร เท่าไหร่ ใคร อะไร ไหน ที่ไหน เมื่อไร เมื่อไหร่ อย่างไร ยังไง ทำไม หรือเปล่า หรือไม่ ไหม ใด บ้าง
    แค่ไหน มั้ย""".split()  # noqa: SIM905
)
_TH_QUESTION = _TH_INTERROGATIVES | {"คะ", "ครับ", "ค่ะ", "จริง", "ใช่"}


#: Chat words that ask for nothing: particles, thanks, greetings, praise, yes and no, what intensifies
#: them, and the bot addressed by name ("thanks bot" in a group reply thread is not a question).
_CHAT = frozenset(
    """ครับ ค่ะ คะ ค่า นะ จ้ะ จ๊ะ จ้า ครับผม คับ ฮะ ขอบคุณ ขอบใจ สวัสดี หวัดดี ดี ดีจ้า โอเค ใช่ มาก เยี่ยม
    สุดยอด บอท ok okay thanks thank thx hi hiya yo hello hey bye yes no please cool great nice good awesome
    perfect wow got very much lot bot""".split()  # noqa: SIM905
)
_THAI_CHAT = re.compile("|".join(sorted((w for w in _CHAT if _THAI.match(w)), key=len, reverse=True)))
#: Laughter as chats write it ("555", the Thai "ha ha ha"; "haha", "lol", "ฮ่า"): asks nothing either.
_LAUGH = re.compile(r"5{3,}|(?:ha){2,}h?|lol|ฮ่า+|ๆ")
#: Interrogatives of both languages ("who?", "ที่ไหน").
_ASKING = _TH_INTERROGATIVES | {"what", "which", "who", "whom", "whose", "when", "where", "why", "how"}

_YEAR = re.compile(r"(?<!\d)((?:19|20|25)\d\d)(?!\d)")


def years_in(text: str) -> set[int]:
    """The years ``text`` names, Buddhist-era years (2567) as Gregorian (2024)."""
    return {be_to_ce(int(y)) if int(y) > 2400 else int(y) for y in _YEAR.findall(text)}


def has_thai(text: str) -> bool:
    return _THAI.search(text) is not None


def is_thai_word(token: str) -> bool:
    return _THAI.match(token) is not None


@functools.cache
def stopwords() -> frozenset[str]:
    """pythainlp's Thai stopwords, English function words, and the question words of both languages."""
    try:
        from pythainlp.corpus import thai_stopwords

        return frozenset(thai_stopwords()) | _EN_STOP | _TH_QUESTION
    except Exception:  # noqa: BLE001 - pythainlp's corpus missing: English and question words only
        return _EN_STOP | _TH_QUESTION


def tokens(text: str) -> list[str]:
    from index.lexical import tokenize

    return tokenize(text)


def asks_anything(text: str) -> bool:
    """Whether a message asks for something: an interrogative, or a word of either language beyond chat
    words and stopwords. "ขอบคุณครับ", "ok", "thanks", "?", "👍" or a message in neither language ask
    nothing; answering them would assert a fact nobody asked for (the reader, which weighs how many of the
    question's words a sentence holds, once put "ผมขอขอบคุณ…" forward as the answer to "ขอบคุณครับ")."""
    if any(t in _ASKING for t in tokens(text)):
        return True
    # Thai chat words are taken out before the split: the splitter cuts some of them into other words
    # ("บอท" into บอ + ท, "หวัดดี" into หวัด "a cold" + ดี), which would read as the message's topic.
    rest = _THAI_CHAT.sub(" ", text.casefold())
    return any(t not in _CHAT and not _LAUGH.fullmatch(t) for t in content_tokens(rest))


def content_tokens(text: str) -> list[str]:
    """The question's words that can match a sentence: no stopwords, no question words, no punctuation."""
    stop = stopwords()
    return [t for t in tokens(text) if t not in stop and (len(t) > 1 or t.isdigit())]


def weight(token: str) -> float:
    """Longer tokens, names (Latin) and numbers say more about which sentence answers than short words."""
    w = 1.0 + min(len(token), 12) / 6.0
    if re.search(r"[0-9a-z]", token):
        w *= 1.3
    return w


def compact(text: str) -> str:
    """Case-folded text with the spaces inside Thai removed, for matching Thai phrases.

    Why: releases break Thai words with stray spaces (``ผู้ได้รับผล กระทบ``), which would hide a rendering
    (ผลกระทบ) from a substring match; spaces next to Latin letters or digits stay, so names keep apart.
    """
    return _THAI_SPACE.sub("", text.casefold())


class TokenSets:
    """Token sets of recently weighed texts (sentences, titles, passages), kept across questions.

    Why: splitting the candidate sentences into words is the largest part of the answer step, and the
    same releases come back question after question (the week's news, the cabinet's summaries). Bounded:
    emptied when it holds :attr:`limit` texts (an entry costs ~2-4 KB); a lock keeps concurrent answers
    from racing on the clear.
    """

    def __init__(self, limit: int = 8_192) -> None:
        self.limit = limit
        self._sets: dict[str, frozenset[str]] = {}
        self._folded: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> frozenset[str]:
        got = self._sets.get(text)
        return got if got is not None else self._keep(self._sets, text, frozenset(tokens(text)))

    def folded(self, text: str) -> str:
        """``text`` normalized and case-folded, as its tokens are cut from it (kept like the token sets: a
        sentence is read as a candidate and as two candidates' neighbour)."""
        got = self._folded.get(text)
        return got if got is not None else self._keep(self._folded, text, normalize(text).casefold())

    def _keep(self, kept: dict[str, _T], text: str, value: _T) -> _T:
        """``value`` kept for ``text`` in one of the bounded maps (emptied when full, under the lock)."""
        with self._lock:
            if len(kept) >= self.limit:
                kept.clear()
            kept[text] = value
        return value

    def __len__(self) -> int:
        return len(self._sets)

    def view(self, text: str) -> TokenView:
        """``text``'s tokens, split only when asked about a word that could be one of them."""
        return TokenView(self, text)


class TokenView:
    """The tokens of one text for membership tests, split into words only when a test needs it.

    Why: splitting the candidate sentences and their neighbours was ~10 ms of a whole-archive question's
    ~55 ms, yet most of the question's words are in few of them. Every token of a text is a piece of its
    normalized, case-folded form (words cut from it, trimmed of punctuation, case-folded), so a word that is
    not a substring of that form is not a token: that test is a string search. Only a word found there needs
    the split (kept in the :class:`TokenSets`), so the answer is the same as against the full token set.
    """

    __slots__ = ("_folded", "_sets", "_tokens", "text")

    def __init__(self, sets: TokenSets, text: str) -> None:
        self._sets = sets
        self.text = text
        self._folded = sets.folded(text)
        self._tokens: frozenset[str] | None = None

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str) or token not in self._folded:
            return False
        if self._tokens is None:
            self._tokens = self._sets(self.text)
        return token in self._tokens


class AnyOf:
    """Membership in any of several texts' tokens (a sentence's neighbours), each split only when needed."""

    __slots__ = ("_views",)

    def __init__(self, views: Iterable[TokenView]) -> None:
        self._views = tuple(views)

    def __contains__(self, token: object) -> bool:
        return any(token in v for v in self._views)
