"""Lexical search: Thai-aware word tokens in SQLite FTS5, ranked with BM25.

Why pre-tokenize: FTS5's own tokenizers know nothing of Thai, which writes words without spaces. We
split with pythainlp's ``newmm`` (dictionary maximal matching) and store the tokens space-joined, so FTS5
only has to split on spaces. Its ``unicode61`` tokenizer must be told that combining marks (category M:
Thai vowels above/below and tone marks) are token characters: by default it treats them as separators and
cuts ``หัวเว่ย`` into ``ห``, ``วเว``, ``ย``.

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

import logging
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from corpus.text import normalize

log = logging.getLogger(__name__)

NAMES_FILE = Path(__file__).resolve().parent / "data" / "thai_names.txt"

#: The FTS5 tokenizer for our space-joined tokens; ``M*`` keeps Thai combining marks inside words.
FTS_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
#: Weight of the title column against the body column in ``bm25()``.
TITLE_WEIGHT = 2.0

_THAI = re.compile(r"[\u0e01-\u0e4e]")
_THAI_RUN = re.compile(r"([\u0e01-\u0e5b]+)")
#: A token worth indexing holds a letter or a digit (Thai letters and marks count as letters).
_WORDISH = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u0e01-\u0e4e\u0e50-\u0e59]")
#: Characters stripped from both ends of a token (punctuation the word splitter leaves attached).
_EDGE_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?-–—_/\\|*#@%^&+=~`…•·ๆฯ"
#: Non-Thai runs are split here (words, numbers with their separators kept together).
_LATIN_TOKEN = re.compile(r"[0-9]+(?:[.,:/][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _load_names() -> set[str]:
    if not NAMES_FILE.is_file():
        return set()
    names = set()
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(normalize(line))
    return names


@lru_cache(maxsize=1)
def _trie():  # noqa: ANN202 - pythainlp's Trie
    from pythainlp.corpus import thai_words
    from pythainlp.util import dict_trie

    words = set(thai_words()) | _load_names()
    return dict_trie(words)


def word_engine() -> str:
    """Which splitter cuts Thai words here: ``nlpo3`` when installed, else ``newmm``."""
    return "nlpo3" if _nlpo3_dict() is not None else "newmm"


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
    """The names added to pythainlp's dictionary (for tests and for the retrieval part's glossary)."""
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


def split_thai(piece: str) -> tuple[str, ...]:
    """The words of one space-free Thai run as documents and questions are split (newmm, uncleaned;
    :func:`tokenize` caches them by piece, with the cleaning)."""
    name = _nlpo3_dict()
    if name is not None:
        from pythainlp.tokenize import nlpo3

        return tuple(t for t in nlpo3.segment(piece, custom_dict=name) if not t.isspace())
    from pythainlp.tokenize import word_tokenize

    return tuple(word_tokenize(piece, custom_dict=_trie(), engine="newmm", keep_whitespace=False))


def _clean(token: str) -> str:
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


def fts_text(text: str) -> str:
    """What is stored in an FTS5 column: the tokens space-joined."""
    return " ".join(tokenize(text))


def match_expression(tokens: Iterable[str]) -> str:
    """An FTS5 query matching any of ``tokens`` (quoted, so no token is read as an operator)."""
    seen: dict[str, None] = {}
    for token in tokens:
        if token:
            seen.setdefault(token.replace('"', '""'), None)
    return " OR ".join(f'"{t}"' for t in seen)


# --- schema ------------------------------------------------------------------------------------
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(title, body, tokenize="{FTS_TOKENIZER}");
"""


def create_schema(conn: sqlite3.Connection) -> None:
    """The FTS5 table; its rowid is the chunk id (rows are filtered by generation through ``chunks``)."""
    conn.executescript(SCHEMA)


def insert_rows(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Index ``(chunk_id, title, text)`` rows (tokenized here)."""
    titles: dict[str, str] = {}  # a release's chunks share its title: tokenize it once

    def title_tokens(title: str) -> str:
        if title not in titles:
            titles[title] = fts_text(title)
        return titles[title]

    conn.executemany(
        "INSERT INTO chunk_fts(rowid, title, body) VALUES (?, ?, ?)",
        [(cid, title_tokens(title), fts_text(text)) for cid, title, text in rows],
    )


def delete_rows(conn: sqlite3.Connection, chunk_ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM chunk_fts WHERE rowid = ?", [(int(c),) for c in chunk_ids])


def search(conn: sqlite3.Connection, query_text: str, k: int, generation: int) -> list[tuple[int, float]]:
    """BM25 over title and body for chunks visible in ``generation``; higher score is better."""
    return search_tokens(conn, tokenize(query_text), k, generation)


def doc_freq(conn: sqlite3.Connection, term: str) -> int:
    """In how many FTS rows ``term`` occurs (all generations: an estimate good enough to prune with)."""
    try:
        row = conn.execute("SELECT doc FROM temp.chunk_fts_vocab WHERE term = ?", (term,)).fetchone()
    except sqlite3.OperationalError:
        # The vocabulary view lives in the connection's temp schema, so read-only connections can have it.
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_fts_vocab USING fts5vocab(main, chunk_fts, 'row')"
        )
        row = conn.execute("SELECT doc FROM temp.chunk_fts_vocab WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


#: Query terms always kept by :func:`prune_terms`, however common: the rarest ones.
KEEP_RAREST = 3


def prune_terms(tokens: Iterable[str], doc_freq: Callable[[str], int], max_postings: int) -> list[str]:
    """The query terms worth asking FTS5 for: those found in at most ``max_postings`` chunks, plus the
    :data:`KEEP_RAREST` rarest ones whatever their frequency; order and first occurrences kept.

    Why: FTS5 scores every row a term occurs in, so a query's cost is the sum of its terms' posting
    lists, and at full-archive size (249k chunks) ``และ``, ``ที่``, ``the``... each hold 10^4-10^5 rows
    while their BM25 weight (idf) is a third of a rare word's. The cap is absolute, not a share of the
    collection, so a small index (tests, the 9.8k-chunk dev index under the default 20k) is left untouched and
    the cost of one query is bounded whatever the archive's size. ``max_postings <= 0`` keeps all terms.
    """
    terms = list(dict.fromkeys(t for t in tokens if t))
    if max_postings <= 0 or len(terms) <= KEEP_RAREST:
        return terms
    df = {t: doc_freq(t) for t in terms}
    rarest = set(sorted(terms, key=lambda t: (df[t], terms.index(t)))[:KEEP_RAREST])
    return [t for t in terms if df[t] <= max_postings or t in rarest]


#: Rows fetched beyond ``k`` so that chunks of other generations (an update's retired rows, kept until
#: the next build's garbage collection) filtered out afterwards rarely leave fewer than ``k``.
EXTRA_ROWS = 32


def search_tokens(
    conn: sqlite3.Connection, tokens: Sequence[str], k: int, generation: int
) -> list[tuple[int, float]]:
    """:func:`search` over already tokenized words (callers that prune or expand the tokens first).

    Why the generation filter is not in the FTS query: joining ``chunks`` made SQLite look up every
    matching row (hundreds of thousands for a common word at full size), doubling the query's cost
    (``bench/bm25_prune.py``). FTS5 ranks alone; the top rows are then checked against ``chunks`` by
    primary key, and rows of other generations (retired, or left by a crashed build) are dropped. If too
    many were dropped, the query is repeated with a larger limit, so the result is the same as the join's.
    """
    expr = match_expression(tokens)
    if not expr or k <= 0:
        return []
    fetch = k + EXTRA_ROWS
    while True:
        rows = conn.execute(
            f"SELECT rowid, bm25(chunk_fts, {TITLE_WEIGHT}, 1.0) AS s FROM chunk_fts"
            " WHERE chunk_fts MATCH ? ORDER BY s LIMIT ?",
            (expr, fetch),
        ).fetchall()
        live = _visible_ids(conn, [int(r[0]) for r in rows], generation)
        hits = [(int(cid), -float(score)) for cid, score in rows if int(cid) in live]
        if len(hits) >= k or len(rows) < fetch:
            return hits[:k]
        fetch *= 4


#: Candidates the pruned query fetches for :func:`rescore` (3x the retrieval's pool of 100).
RESCORE_POOL = 300
#: FTS5's ``bm25()`` parameters, reproduced by :func:`rescore`.
BM25_K1, BM25_B = 1.2, 0.75


def search_pruned(
    conn: sqlite3.Connection,
    tokens: Sequence[str],
    k: int,
    generation: int,
    doc_freq: Callable[[str], int],
    max_postings: int,
) -> list[tuple[int, float]]:
    """BM25 with all of ``tokens`` at the cost of the rare ones (two stages).

    1. FTS5 ranks the chunks with the terms :func:`prune_terms` keeps (no term in more than
       ``max_postings`` chunks, the rarest kept anyway) and returns :data:`RESCORE_POOL` candidates.
    2. :func:`rescore` adds the left-out terms' BM25 (FTS5's formula) to the candidates' scores: they get
       the score the full query gives them, so a common but topical word (``ถนน``, ``ยา``) still orders
       the candidates as the full query would.
    What is lost: chunks holding none of the kept terms. When nothing is pruned, one plain FTS5 query.
    """
    terms = list(dict.fromkeys(t for t in tokens if t))
    kept = prune_terms(terms, doc_freq, max_postings)
    if len(kept) == len(terms) or k <= 0:
        return search_tokens(conn, terms, k, generation)
    candidates = search_tokens(conn, kept, max(k, RESCORE_POOL), generation)
    kept_set = set(kept)
    dropped = [t for t in terms if t not in kept_set]
    return rescore(conn, candidates, dropped, doc_freq)[:k]


def _varints(blob: bytes) -> list[int]:
    """SQLite varints (big-endian, 7 bits a byte, the 9th byte whole), as FTS5 stores sizes."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def fts_averages(conn: sqlite3.Connection) -> tuple[int, float]:
    """FTS5's row count and mean tokens per row (all columns), from its own ``averages`` record (committed
    rows: readers see no open transaction)."""
    row = conn.execute("SELECT block FROM chunk_fts_data WHERE id = 1").fetchone()
    values = _varints(bytes(row[0])) if row and row[0] else []
    if not values:  # no commit yet since the table was made: count the rows
        sizes = [
            sum(_varints(bytes(sz or b""))) for (sz,) in conn.execute("SELECT sz FROM chunk_fts_docsize")
        ]
        values = [len(sizes), sum(sizes)]
    return values[0], sum(values[1:]) / max(1, values[0])


def rescore(
    conn: sqlite3.Connection,
    hits: Sequence[tuple[int, float]],
    terms: Sequence[str],
    doc_freq: Callable[[str], int],
) -> list[tuple[int, float]]:
    """``hits`` (``(chunk_id, score)``, higher is better) with the BM25 terms of ``terms`` added, best first.

    The terms' part of FTS5's ``bm25(chunk_fts, TITLE_WEIGHT, 1.0)`` is computed here with FTS5's formula
    and statistics (row count, mean row length, each row's length from ``chunk_fts_docsize``, document
    frequencies), so FTS5's score for some terms plus this for the others equals FTS5's score for all.
    Term frequencies are counted on the stored space-joined tokens: a token FTS5 itself would split
    (``1,000``) counts only where stored whole.
    """
    ids = [int(cid) for cid, _ in hits]
    extra = list(dict.fromkeys(t for t in terms if t))
    if not ids or not extra:
        return sorted(((int(c), float(s)) for c, s in hits), key=lambda x: -x[1])
    n_rows, avgdl = fts_averages(conn)
    idf = {}
    for t in extra:
        n_hit = doc_freq(t)
        idf[t] = max(math.log((n_rows - n_hit + 0.5) / (n_hit + 0.5)), 1e-6)
    rows: dict[int, tuple[str, str, int]] = {}
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        marks = ",".join("?" * len(part))
        sizes = dict(conn.execute(f"SELECT id, sz FROM chunk_fts_docsize WHERE id IN ({marks})", part))
        # FTS5's own content table (columns c0, c1 = title, body): half the cost of reading via chunk_fts.
        for cid, title, body in conn.execute(
            f"SELECT id, c0, c1 FROM chunk_fts_content WHERE id IN ({marks})", part
        ):
            rows[int(cid)] = (title or "", body or "", sum(_varints(bytes(sizes.get(cid) or b""))))
    scored = []
    for cid, base in hits:
        if int(cid) not in rows:
            continue
        title, body, length = rows[int(cid)]
        # Whole-token counts without splitting: each token between two spaces (doubled, so that
        # neighbours do not share one).
        title, body = f" {title.replace(' ', '  ')} ", f" {body.replace(' ', '  ')} "
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / max(avgdl, 1e-9))
        score = float(base)
        for t, weight in idf.items():
            needle = f" {t} "
            freq = TITLE_WEIGHT * title.count(needle) + body.count(needle)
            if freq:
                score += weight * freq * (BM25_K1 + 1) / (freq + norm)
        scored.append((int(cid), score))
    scored.sort(key=lambda x: -x[1])
    return scored


def _visible_ids(conn: sqlite3.Connection, ids: Sequence[int], generation: int) -> set[int]:
    """Which of ``ids`` are chunks visible in ``generation`` (same rule as
    :func:`index.build.store.visible`)."""
    found: set[int] = set()
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        marks = ",".join("?" * len(part))
        found.update(
            r[0]
            for r in conn.execute(
                f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({marks})"
                " AND gen_from <= ? AND (gen_to IS NULL OR gen_to > ?)",
                (*part, generation, generation),
            )
        )
    return found


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
