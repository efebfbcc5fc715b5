"""Compiled BM25: the live generation's inverted index as numpy arrays on disk, scored in memory.

Why, beside FTS5: FTS5 calls its ``bm25()`` function once for every row a query term occurs in, about
0.4 µs a row. At full-archive size (249k chunks, 25M postings) a question's terms match 10^5-10^6 rows, and
BM25 cost 60-150 ms of the ``ask`` budget even with the rare-terms-first query (``bench/query_latency.py``).
The same BM25 over arrays is a gather and a ``bincount``: a few milliseconds for the whole query, every term
kept. FTS5 stays the store of record: its content table holds each chunk's tokens, which is what these
arrays are compiled from, and it answers for generations written before this module (no arrays).

Layout (files in the generation's folder, written before ``CURRENT`` moves, like the FAISS vectors, so a
crashed build leaves the previous generation's arrays serving):

- ``bm25-chunks.npy``: int64 chunk ids of the generation, ascending; a chunk's *row* is its position here;
- ``bm25-lengths.npy``: int32 tokens per row (title and body, FTS5's document length);
- ``bm25-terms.txt``: the vocabulary, one token a line (tokens hold no whitespace), in term-id order;
- ``bm25-indptr.npy``: int64 ``n_terms + 1`` offsets; term ``t``'s postings are ``[indptr[t], indptr[t+1])``;
- ``bm25-rows.npy``: int32 rows of the postings, ascending within a term;
- ``bm25-freqs.npy``: uint16 weighted term frequency (title counted :data:`index.build.fts.TITLE_WEIGHT`
  times, FTS5's column weights).

The postings are memory-mapped: a query touches only its terms' pages, so resident memory grows with what
questions ask for, not with the archive (the vocabulary, ~90k tokens, and the per-row lengths are loaded).

Scores are FTS5's: ``idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len / avglen))`` with
``idf = max(log((N - n + 0.5) / (n + 0.5)), 1e-6)``, ``k1 = 1.2``, ``b = 0.75``, summed over the query's
distinct terms, with lengths and split tokens counted as FTS5 counts them (:func:`fts5_parts`). ``N``,
``n`` and ``avglen`` count the generation's own chunks (FTS5 also counts rows retired but not yet
collected).
"""

from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.build import store
from index.build.fts import BM25_B, BM25_K1, TITLE_WEIGHT
from index.build.postings_file import PostingsFile

log = logging.getLogger(__name__)

FILES = {
    "chunks": "bm25-chunks.npy",
    "lengths": "bm25-lengths.npy",
    "indptr": "bm25-indptr.npy",
    "rows": "bm25-rows.npy",
    "freqs": "bm25-freqs.npy",
}
TERMS_FILE = "bm25-terms.txt"
_MAX_FREQ = np.iinfo(np.uint16).max
#: FTS5's lowest idf: a term in half of the chunks or more weighs this (see :meth:`Postings.search`).
IDF_FLOOR = 1e-6
#: Postings handled at once by :meth:`Postings.updated` (bounds its temporaries to a few tens of MB).
UPDATE_BLOCK = 1_000_000


class Postings:
    """BM25 over one generation's chunks (see the module docstring). Immutable: updates make a new one."""

    def __init__(
        self,
        chunks: np.ndarray,
        lengths: np.ndarray,
        terms: list[str],
        indptr: np.ndarray,
        rows: np.ndarray,
        freqs: np.ndarray,
    ) -> None:
        self.chunks = chunks
        self.lengths = lengths
        self.terms = terms
        self.term_ids = {t: i for i, t in enumerate(terms)}
        self.indptr = indptr
        self.rows = rows
        self.freqs = freqs
        self._files: dict[str, PostingsFile] = {}  # set by load(): searches read the files, not the maps
        n = len(chunks)
        avglen = float(lengths.sum()) / n if n else 1.0
        # Per-row part of the BM25 denominator, computed once per generation.
        self._norm = (
            BM25_K1 * (1 - BM25_B + BM25_B * lengths.astype(np.float32) / max(avglen, 1e-9))
        ).astype(np.float32)

    # --- sizes -----------------------------------------------------------------------------------
    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    def doc_freq(self, term: str) -> int:
        """In how many of the generation's chunks ``term`` occurs (0 when unknown)."""
        t = self.term_ids.get(term)
        return 0 if t is None else int(self.indptr[t + 1] - self.indptr[t])

    # --- search ----------------------------------------------------------------------------------
    def search(self, tokens: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(chunk_id, score)`` for the distinct ``tokens``, best first (ties: lower id)."""
        terms = [self.term_ids[t] for t in dict.fromkeys(tokens) if t in self.term_ids]
        if not terms or k <= 0 or not self.n_chunks:
            return []
        # A term whose every chunk was removed by an update has no postings (and no weight to give).
        weighed = [(t, self.idf(t)) for t in terms if self.indptr[t + 1] > self.indptr[t]]
        # A word in half of the chunks or more (และ, ใน, the) gets the floor idf: it adds at most
        # ~2e-6 to a chunk's score, but its postings are the longest (และ: 93 % of the archive's chunks),
        # and scoring them was two-thirds of a whole-archive query (p95 13 -> 7 ms without them; the top
        # 100 identical for all 131 dev questions). So it is left out when the query has another word; a
        # chunk only such words match then drops out of a list shorter than k (rank fusion sees that).
        # Kept when the query has no other word, so that it still finds.
        if any(idf > IDF_FLOOR for _, idf in weighed):
            weighed = [(t, idf) for t, idf in weighed if idf > IDF_FLOOR]
        if not weighed:
            return []
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1]), idf) for t, idf in weighed]
        # Every term's rows and weights go straight into one pair of arrays (no per-term temporaries to
        # concatenate); the weight is FTS5's idf * f * (k1 + 1) / (f + norm), in float32, the same
        # operations in the same order as before, so the same bits.
        rows = np.empty(sum(hi - lo for lo, hi, _ in spans), dtype=self.rows.dtype)
        weights = np.empty(len(rows), dtype=np.float32)
        at = 0
        for lo, hi, idf in spans:
            r, w = rows[at : at + hi - lo], weights[at : at + hi - lo]
            self._slice_into("rows", lo, hi, r)
            freq = self._slice("freqs", lo, hi).astype(np.float32)
            np.take(self._norm, r, out=w)
            w += freq
            np.divide(np.multiply(freq, idf * (BM25_K1 + 1), out=freq), w, out=w)
            at += hi - lo
        scores = np.bincount(rows, weights=weights, minlength=self.n_chunks)
        hit = _top_rows(scores, k)
        return [(int(self.chunks[r]), float(scores[r])) for r in hit]

    def term_rows(self, term: int) -> np.ndarray:
        """The rows holding term id ``term``, ascending."""
        return self._slice("rows", int(self.indptr[term]), int(self.indptr[term + 1]))

    def idf(self, term: int) -> float:
        """FTS5's idf of a term id, floored at :data:`IDF_FLOOR`."""
        n_hit = int(self.indptr[term + 1] - self.indptr[term])
        return max(math.log((self.n_chunks - n_hit + 0.5) / (n_hit + 0.5)), IDF_FLOOR)

    # --- making ----------------------------------------------------------------------------------
    def updated(self, removed: Sequence[int], added: Iterable[tuple[int, str, str]]) -> Postings:
        """A new generation's postings: these minus the chunks ``removed``, plus ``added`` rows.

        Added chunk ids must be larger than all kept ones (the build numbers new chunks after the largest
        id), so each term's new postings go after its old ones and rows stay ascending. Costs one pass over
        the arrays (~1 s at full-archive size), not a recompilation, made block by block of terms
        (:data:`UPDATE_BLOCK` postings) so that the temporaries stay small: the bot runs updates (alerts)
        in the process that answers, and whole-array temporaries peaked at +1 GB at full size.
        """
        add = _compile(added, 0)
        if len(add.chunks) and len(self.chunks) and add.chunks[0] <= self.chunks[-1]:
            raise ValueError("added chunk ids must be larger than the existing ones")
        keep = ~np.isin(self.chunks, np.asarray(removed, dtype=np.int64))
        n_kept = int(keep.sum())
        new_row = np.full(len(self.chunks), -1, dtype=np.int32)
        new_row[keep] = np.arange(n_kept, dtype=np.int32)
        old_indptr = np.asarray(self.indptr, dtype=np.int64)
        n_old = len(self.terms)

        # Pass 1: how many of each old term's postings survive.
        counts_old = np.zeros(n_old, dtype=np.int64)
        for t0, t1, terms, alive, _ in self._blocks(old_indptr, new_row):
            counts_old[t0:t1] = np.bincount(terms[alive] - t0, minlength=t1 - t0)

        # One vocabulary: old terms first (their ids unchanged), then the added ones not seen before.
        terms_out = list(self.terms)
        term_ids = dict(self.term_ids)
        add_term = np.empty(len(add.terms), dtype=np.int64)
        for i, t in enumerate(add.terms):
            if t not in term_ids:
                term_ids[t] = len(terms_out)
                terms_out.append(t)
            add_term[i] = term_ids[t]
        before = np.zeros(len(terms_out), dtype=np.int64)  # each term's surviving old postings
        before[:n_old] = counts_old
        add_counts = np.diff(add.indptr)
        counts = before.copy()
        np.add.at(counts, add_term, add_counts)
        indptr = np.zeros(len(terms_out) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        rows = np.empty(int(indptr[-1]), dtype=np.int32)
        freqs = np.empty(int(indptr[-1]), dtype=np.uint16)

        # Pass 2: survivors to their term's new start plus their rank among the term's survivors.
        for _t0, _t1, terms, alive, (lo, hi, mapped) in self._blocks(old_indptr, new_row):
            seen = np.cumsum(alive) - alive  # survivors before each posting, within the block
            rank = seen - seen[old_indptr[terms] - lo]
            dest = indptr[terms[alive]] + rank[alive]
            rows[dest] = mapped[alive]
            freqs[dest] = np.asarray(self.freqs[lo:hi])[alive]
        # Added postings go after the term's survivors.
        a_terms = np.repeat(add_term, add_counts)
        a_rank = np.arange(len(a_terms), dtype=np.int64) - np.repeat(add.indptr[:-1], add_counts)
        dest = indptr[a_terms] + before[a_terms] + a_rank
        rows[dest] = np.asarray(add.rows, dtype=np.int64) + n_kept
        freqs[dest] = add.freqs
        chunks = np.concatenate([self.chunks[keep], add.chunks])
        lengths = np.concatenate([self.lengths[keep], add.lengths])
        return Postings(chunks, lengths, terms_out, indptr, rows, freqs)

    def _blocks(self, indptr: np.ndarray, new_row: np.ndarray):  # noqa: ANN202 - a generator of tuples
        """Consecutive term ranges ``[t0, t1)`` of about :data:`UPDATE_BLOCK` postings, each with its
        postings' term ids, which survive, and ``(lo, hi, new rows)``."""
        n_terms = len(indptr) - 1
        t0 = 0
        while t0 < n_terms:
            t1 = int(np.searchsorted(indptr, indptr[t0] + UPDATE_BLOCK, side="right")) - 1
            t1 = min(max(t1, t0 + 1), n_terms)
            lo, hi = int(indptr[t0]), int(indptr[t1])
            mapped = new_row[np.asarray(self.rows[lo:hi])]
            terms = np.repeat(np.arange(t0, t1, dtype=np.int64), np.diff(indptr[t0 : t1 + 1]))
            yield t0, t1, terms, mapped >= 0, (lo, hi, mapped)
            t0 = t1

    # --- files -----------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the arrays into ``folder`` (a generation's, not yet live), each fsynced."""
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {
            "chunks": self.chunks,
            "lengths": self.lengths,
            "indptr": self.indptr,
            "rows": self.rows,
            "freqs": self.freqs,
        }
        for name, array in arrays.items():
            with open(folder / FILES[name], "wb") as fh:
                np.save(fh, np.ascontiguousarray(array))
                fh.flush()
                os.fsync(fh.fileno())
        with open(folder / TERMS_FILE, "w", encoding="utf-8") as fh:
            fh.write("\n".join(self.terms))
            fh.flush()
            os.fsync(fh.fileno())

    @classmethod
    def load(cls, folder: Path) -> Postings | None:
        """The arrays of a generation's folder (postings memory-mapped), or None if it has none."""
        if not all((folder / f).is_file() for f in (*FILES.values(), TERMS_FILE)):
            return None
        text = (folder / TERMS_FILE).read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        arrays = {
            name: np.load(folder / f, mmap_mode="r" if name in ("rows", "freqs") else None)
            for name, f in FILES.items()
        }
        if len(arrays["indptr"]) != len(terms) + 1 or len(arrays["rows"]) != int(arrays["indptr"][-1]):
            raise ValueError(f"BM25 arrays in {folder} do not agree with each other: rebuild the index")
        postings = cls(terms=terms, **arrays)
        postings._files = {
            name: PostingsFile(folder / FILES[name], arrays[name]) for name in ("rows", "freqs")
        }
        return postings

    def _slice_into(self, name: str, lo: int, hi: int, out: np.ndarray) -> None:
        """Postings ``[lo, hi)`` of ``rows`` or ``freqs`` into ``out`` (of the array's dtype): read from the
        file when loaded from one, not through the memory map (why: :mod:`index.build.postings_file`);
        :meth:`updated` reads the maps."""
        file = self._files.get(name)
        if file is None:
            out[:] = getattr(self, name)[lo:hi]
        else:
            file.read_into(lo, out)

    def _slice(self, name: str, lo: int, hi: int) -> np.ndarray:
        """Postings ``[lo, hi)`` of ``rows`` or ``freqs`` as a new array (:meth:`_slice_into`)."""
        out = np.empty(hi - lo, dtype=getattr(self, name).dtype)
        self._slice_into(name, lo, hi, out)
        return out


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the ``k`` best positive ``scores``, best first, equal scores by row (so also at the cut).

    Why a threshold: the k-th best score is found by one partition of the whole array, and the rows at or
    above it by one comparison. Listing every matched row first (``flatnonzero``, then a partition of
    those) cost 2.1 ms of a whole-archive search's 5.4 (a question's words match ~150k of 249k chunks).
    """
    n = len(scores)
    kth = float(np.partition(scores, n - k)[n - k]) if n > k else 0.0
    hit = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores)
    hit = hit[np.lexsort((hit, -scores[hit]))]  # rows ascend within a score: ties at the cut keep the lowest
    return hit[:k]


#: A stored token made of word characters only (the common case): FTS5 keeps it whole.
_PLAIN = re.compile(r"[^\W_]+")


def fts5_parts(token: str) -> list[str]:
    """The tokens FTS5's ``unicode61`` tokenizer (categories ``L* N* Co M*``) makes of one stored token.

    Why it matters: FTS5 cuts ``1,000``, ``king’s`` or ``ธ.ค`` at the separator. BM25 normalises by
    document length, which FTS5 counts in these parts, and ``government`` matches ``government’s`` there.
    The arrays count lengths the same way and index a split token's parts as well as the whole token (so
    a question's ``1,000`` still matches it whole, as FTS5's phrase ``"1,000"`` does): their scores are
    FTS5's. With whole tokens only, scores drifted ~1% on the development index and swapped near-ties
    (English R@5 0.952 → 0.935).
    """
    if _PLAIN.fullmatch(token):
        return [token]
    parts, current = [], []
    for ch in token:
        cat = unicodedata.category(ch)
        if cat[0] in "LNM" or cat == "Co":
            current.append(ch)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


def _compile(rows: Iterable[tuple[int, str, str]], progress_total: int) -> Postings:
    """Postings of ``(chunk_id, title_tokens, body_tokens)`` rows: count, then sort by (term, row)."""
    from tqdm import tqdm

    term_ids: dict[str, int] = {}
    chunk_ids: list[int] = []
    lengths: list[int] = []
    p_terms: list[np.ndarray] = []
    p_rows: list[np.ndarray] = []
    p_freqs: list[np.ndarray] = []
    buf_t: list[int] = []
    buf_r: list[int] = []
    buf_f: list[int] = []
    titles: dict[str, tuple[Counter[str], int]] = {}
    parts_cache: dict[str, list[str]] = {}  # stored tokens that are not plain words, and their FTS5 parts
    bar = tqdm(
        total=progress_total or None,
        desc="bm25",
        unit="chunk",
        disable=not progress_total,
        file=sys.stderr,
    )

    def flush() -> None:
        if buf_t:
            p_terms.append(np.asarray(buf_t, dtype=np.int64))
            p_rows.append(np.asarray(buf_r, dtype=np.int32))
            p_freqs.append(np.asarray(buf_f, dtype=np.int64))
            buf_t.clear()
            buf_r.clear()
            buf_f.clear()

    for cid, title, body in rows:
        row = len(chunk_ids)
        chunk_ids.append(int(cid))
        title = title or ""
        if title not in titles:  # a release's chunks share its title
            if len(titles) > 1000:
                titles.clear()
            titles[title] = _row_counts(title.split(), parts_cache)
        title_counts, title_length = titles[title]
        counts, body_length = _row_counts((body or "").split(), parts_cache)
        for t, n in title_counts.items():
            counts[t] += int(TITLE_WEIGHT) * n  # weighted like FTS5's column weights
        lengths.append(body_length + title_length)
        for t, n in counts.items():
            tid = term_ids.get(t)
            if tid is None:
                tid = term_ids[t] = len(term_ids)
            buf_t.append(tid)
            buf_r.append(row)
            buf_f.append(n)
        if len(buf_t) > 2_000_000:
            flush()
        bar.update(1)
    flush()
    bar.close()
    terms = list(term_ids)
    if p_terms:
        t_all = np.concatenate(p_terms)
        r_all = np.concatenate(p_rows)
        f_all = np.minimum(np.concatenate(p_freqs), _MAX_FREQ).astype(np.uint16)
    else:
        t_all = np.zeros(0, dtype=np.int64)
        r_all = np.zeros(0, dtype=np.int32)
        f_all = np.zeros(0, dtype=np.uint16)
    # Rows were appended in ascending order, so a stable sort by term keeps them ascending per term.
    order = np.argsort(t_all, kind="stable")
    counts = np.bincount(t_all, minlength=len(terms)) if len(terms) else np.zeros(0, dtype=np.int64)
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Postings(
        np.asarray(chunk_ids, dtype=np.int64),
        np.asarray(lengths, dtype=np.int32),
        terms,
        indptr,
        r_all[order],
        f_all[order],
    )


def _row_counts(tokens: Sequence[str], cache: dict[str, list[str]]) -> tuple[Counter[str], int]:
    """Term counts of a row's stored tokens, split ones adding their FTS5 parts, and FTS5's row length."""
    counts = Counter(tokens)
    length = len(tokens)
    for t, n in list(counts.items()):
        if t.isalnum():  # False for Thai words with marks too: those are checked properly
            continue
        parts = cache.get(t)
        if parts is None:
            parts = cache[t] = fts5_parts(t)
        if len(parts) != 1 or parts[0] != t:
            length += n * (len(parts) - 1)
            for part in parts:
                counts[part] += n
    return counts, length


# --- reading the tokens from the database -------------------------------------------------------
def compile_generation(conn: sqlite3.Connection, generation: int, progress: bool = False) -> Postings:
    """Postings of every chunk visible in ``generation``, from FTS5's content table (the stored tokens)."""
    total = conn.execute(
        f"SELECT COUNT(*) FROM chunks AS c WHERE {store.visible('c')}", (generation, generation)
    ).fetchone()[0]
    sql = (
        "SELECT c.chunk_id, f.c0, f.c1 FROM chunks AS c JOIN chunk_fts_content AS f ON f.id = c.chunk_id"
        f" WHERE {store.visible('c')} ORDER BY c.chunk_id"
    )
    return _compile(conn.execute(sql, (generation, generation)), int(total) if progress else 0)


def token_rows(conn: sqlite3.Connection, chunk_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """``(chunk_id, title_tokens, body_tokens)`` of the given chunks, ascending ids."""
    out: list[tuple[int, str, str]] = []
    ids = sorted(int(c) for c in chunk_ids)
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        marks = ",".join("?" * len(part))
        out.extend(conn.execute(f"SELECT id, c0, c1 FROM chunk_fts_content WHERE id IN ({marks})", part))
    out.sort(key=lambda r: r[0])
    return out
