"""Thai-aware word tokens: what BM25 matches, for the build (stored tokens) and the questions alike.

Why our own tokenizer: Thai writes words without spaces and FTS5's tokenizers know nothing of it. The
build stores these tokens space-joined in the FTS5 table (:mod:`index.build.fts`) and compiles the BM25
arrays from them; questions are split by the same function. It sits at ``index/`` level, below both
:mod:`index.build` and :mod:`index.search`, so that neither imports the other for it.

Words are split by pythainlp's newmm algorithm, run by its compiled twin nlpo3 when installed
(:func:`_nlpo3_dict`). The dictionary is pythainlp's default word list plus names it would split
(``หัวเว่ย`` → ``หัว|เว่ย``), kept in ``index/data/thai_names.txt`` (mined from the corpus: Thai
transliterations written next to their Latin spelling, see :func:`mine_names`). A name kept whole
matches only itself, so a question about Huawei does not match every release that mentions a head
(``หัว``).

``tokenize`` is public: the retrieval and alert parts tokenize questions with the same function, which is
what makes query tokens meet document tokens.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from corpus.text import normalize

log = logging.getLogger(__name__)

NAMES_FILE = Path(__file__).resolve().parent / "data" / "thai_names.txt"
#: Thai abbreviations the archive writes with a dot that pythainlp's dictionary lacks ("กกจ.", "มอก."),
#: mined by ``bench/mine_thai_abbreviations.py``: kept whole, not cut into words of their own (กก + จ).
ABBREVIATIONS_FILE = Path(__file__).resolve().parent / "data" / "thai_abbreviations.txt"

_THAI = re.compile(r"[\u0e01-\u0e4e]")
_THAI_RUN = re.compile(r"([\u0e01-\u0e5b]+)")
#: A token worth indexing holds a letter or a digit (Thai letters and marks count as letters).
_WORDISH = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u0e01-\u0e4e\u0e50-\u0e59]")
#: Characters stripped from both ends of a token (punctuation the word splitter leaves attached).
_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?-–—_/\\|*#@%^&+=~`…•·ๆฯ"
#: Non-Thai runs are split here (words, numbers with their separators kept together).
_LATIN_TOKEN = re.compile(r"[0-9]+(?:[.,:/][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _load_names() -> set[str]:
    """The custom dictionary: the mined names and abbreviations (see their files' headers)."""
    return read_words(NAMES_FILE) | read_words(ABBREVIATIONS_FILE)


def read_words(path: Path) -> set[str]:
    """The words of a one-a-line file (``#`` starts a comment), normalized; none when it is missing."""
    if not path.is_file():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(normalize(line))
    return words


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The Thai words the splitter knows: pythainlp's dictionary and the mined names."""
    from pythainlp.corpus import thai_words

    return frozenset(thai_words()) | _load_names()


@lru_cache(maxsize=1)
def _trie():  # noqa: ANN202 - pythainlp's Trie
    from pythainlp.util import dict_trie

    return dict_trie(set(lexicon()))


def word_engine() -> str:
    """Which splitter cuts Thai words here: ``nlpo3`` when installed, else ``newmm``."""
    return "nlpo3" if _nlpo3_dict() is not None else "newmm"


def warn_if_split_otherwise(built: object, generation: int) -> None:
    """Say once, when an index generation opens, that its words were split with another dictionary than
    this version's (``built``: its manifest's ``lexicon``): it still serves, but a question's words the new
    dictionary keeps whole ("กกจ") miss the old pieces until the next ``index update`` re-tokenizes it (none
    re-embedded)."""
    if built is not None and built != lexicon_version():
        log.warning(
            "the index generation %d was split into words with another dictionary than this version's: "
            "run `thaigov-qa index update` (or /reindex) to re-tokenize it (nothing is embedded again)",
            generation,
        )


def lexicon_version() -> str:
    """A short hash of the custom dictionary and the word splitter: documents and questions must be
    tokenized alike, so a build records it and an update after a change re-tokenizes everything (no
    re-embedding). The two splitters differ on a few words outside the dictionary (9 tokens in 305k)."""
    import hashlib

    names = "\n".join(sorted(_load_names()))
    engine = word_engine()
    key = names if engine == "newmm" else f"{names}\nengine={engine}"  # newmm keeps older indexes' key
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def custom_words() -> frozenset[str]:
    """The words added to pythainlp's dictionary, names and abbreviations (for tests and the glossary)."""
    return frozenset(_load_names())


@lru_cache(maxsize=1)
def _nlpo3_dict() -> str | None:
    """The name of our dictionary loaded into nlpo3 (pythainlp's Rust newmm), or None without nlpo3.

    Why nlpo3: it is the same maximal-matching algorithm as pythainlp's ``newmm`` (its unsafe mode is
    newmm's default), compiled: on the 194 releases of ``../shared/corpus/sample`` both give the same tokens
    for every Thai run, 17x faster. Tokenizing is most of a full build's BM25 pass, and of the answer
    step (each candidate sentence is tokenized). nlpo3 loads dictionaries from files, so the words are
    written once per process to a temporary file named by their hash.
    """
    try:
        from pythainlp.tokenize import nlpo3
    except ImportError:  # pragma: no cover - pythainlp without its nlpo3 wrapper
        return None
    try:
        import nlpo3 as _  # noqa: F401 - the compiled package itself
    except ImportError:
        log.info("nlpo3 is not installed: Thai words are split by pythainlp's newmm (same tokens, slower)")
        return None
    import hashlib
    import os
    import tempfile

    from pythainlp.corpus import thai_words

    words = sorted(set(thai_words()) | _load_names())
    text = "\n".join(words)
    name = "thaigov-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    fd, path = tempfile.mkstemp(prefix=name, suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        nlpo3.load_dict(path, name)  # False when already loaded under that name: same words
    finally:
        os.unlink(path)  # nlpo3 keeps the words in memory
    return name


@lru_cache(maxsize=1)
def _nlpo3_segment() -> Callable[[str], list[str]] | None:
    """nlpo3's newmm over our dictionary, as pythainlp's wrapper calls it (unsafe, single-threaded), or None
    without nlpo3. Bound once: the wrapper's per-call imports and checks were a tenth of splitting a
    sentence, and the answer step splits a few hundred sentences a question."""
    name = _nlpo3_dict()
    if name is None:
        return None
    from nlpo3 import segment

    return functools.partial(segment, dict_name=name, safe=False, parallel=False)


def split_thai(piece: str) -> tuple[str, ...]:
    """The words of one space-free Thai run as documents and questions are split (newmm, uncleaned;
    :func:`tokenize` caches them by piece, with the cleaning)."""
    segment = _nlpo3_segment()
    if segment is not None:
        return tuple(t for t in segment(piece) if not t.isspace())
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(piece, custom_dict=_trie(), engine="newmm", keep_whitespace=False))


@lru_cache(maxsize=1 << 18)
def _clean(token: str) -> str:
    """The token trimmed of edge punctuation and case-folded, or "" when nothing wordish is left (cached:
    words recur, and cleaning them one by one was a third of splitting a sentence)."""
    token = token.strip(_EDGE_PUNCT).casefold()
    return token if token and _WORDISH.search(token) else ""


def tokenize(text: str) -> list[str]:
    """Word tokens of ``text``: Thai by newmm with the custom dictionary, other scripts by word; case-folded.

    Punctuation and spaces are dropped. The same function serves documents and questions.
    """
    out: list[str] = []
    for piece in normalize(text).split():
        out.extend(_piece_tokens(piece))
    return out


@lru_cache(maxsize=100_000)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    """The cleaned tokens of one space-free piece of normalized text.

    Cached because pieces recur: phrases across releases at build time, and at answer time the same
    sentences come back as candidates, contexts and evidence. Splitting at spaces first is also ~4x faster
    than splitting a whole 200 kB release at once (0.67 s against 2.8 s with pure-Python newmm).
    """
    if not _THAI.search(piece):
        return tuple(t for t in map(_clean, _LATIN_TOKEN.findall(piece)) if t)
    out: list[str] = []
    # Split the piece into Thai and non-Thai runs: "COVID-19ระบาด" → "COVID-19", "ระบาด".
    for run in _THAI_RUN.split(piece):
        if not run:
            continue
        if _THAI.search(run):
            out.extend(t for t in map(_clean, split_thai(run)) if t)
        else:
            out.extend(t for t in map(_clean, _LATIN_TOKEN.findall(run)) if t)
    return tuple(out)


# --- mining names for the dictionary ------------------------------------------------------------
_NAME_BESIDE_LATIN = re.compile(
    r"(?:^|[\s(])([\u0e01-\u0e4e]{3,18})\s?\(([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)\)"
)


def _skeleton(text: str) -> str:
    """Consonants of a romanised word, with the letters RTGS and English spell differently merged."""
    text = text.lower().replace("ph", "p").replace("th", "t").replace("kh", "k").replace("ch", "c")
    text = text.translate(str.maketrans("zqcgvxj", "sksksss"))
    skeleton = re.sub(r"[^a-z]|[aeiou]", "", text)
    return skeleton or re.sub(r"[^a-z]", "", text)


def sounds_alike(thai: str, latin: str) -> bool:
    """Whether ``thai`` reads like a transliteration of ``latin`` (romanised consonant skeletons agree)."""
    from difflib import SequenceMatcher

    from pythainlp.transliterate import romanize

    a, b = _skeleton(romanize(thai, engine="royin")), _skeleton(latin)
    if not a or not b:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.6


def mine_names(texts: Iterable[str], min_count: int = 2) -> Counter[tuple[str, str]]:
    """Thai transliterations written right before their Latin spelling, e.g. ``หัวเว่ย (Huawei)``.

    Kept when newmm splits them (otherwise the dictionary already knows them), when their romanisation
    sounds like the Latin word (so ``เศรษฐกิจสีเขียว (Green Economy)``, a translation, is dropped) and
    when seen at least ``min_count`` times. The Thai run must start after a space or bracket and be
    short, so that a whole phrase glued before the bracket is not taken for a name.
    """
    from pythainlp.tokenize import word_tokenize

    found: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for match in _NAME_BESIDE_LATIN.finditer(normalize(text)):
            found[(match.group(1), match.group(2))] += 1
    kept: Counter[tuple[str, str]] = Counter()
    for (name, latin), count in found.items():
        if count < min_count or len(word_tokenize(name, engine="newmm", keep_whitespace=False)) < 2:
            continue
        if sounds_alike(name, latin):
            kept[(name, latin)] = count
    return kept
