"""BM25 term pruning (``BM25_MAX_POSTINGS``) on a real small FTS5 index: frequent query words stop
selecting candidates, the rarest always select, and the rescored ranking equals FTS5's full query."""

from __future__ import annotations

import sqlite3

import pytest

from index import lexical
from tests.index_base import fts_table
from thaigov_qa.settings import load_settings

#: 40 chunks share the common words; the rare ones sit in a few.
COMMON = "the government ministry และ ที่"
ROWS = [
    (1, "หัวเว่ย signs cloud MOU", f"{COMMON} หัวเว่ย cloud agreement signed with the ministry"),
    (2, "Cloud policy", f"{COMMON} cloud policy of the government the the ministry"),
    (3, "Budget", f"{COMMON} budget approved by the cabinet"),
    *[(10 + i, f"News {i}", f"{COMMON} routine news item number {i} the government") for i in range(37)],
]


@pytest.fixture
def fts() -> sqlite3.Connection:
    return fts_table(ROWS)


def _df(conn: sqlite3.Connection):  # noqa: ANN202 - a doc_freq callable
    return lambda term: lexical.doc_freq(conn, term)


def test_pruning_drops_frequent_terms_and_keeps_the_rarest(fts: sqlite3.Connection) -> None:
    tokens = lexical.tokenize("the government หัวเว่ย และ cloud ministry ที่ agreement")
    assert lexical.doc_freq(fts, "the") == len(ROWS) and lexical.doc_freq(fts, "หัวเว่ย") == 1
    kept = lexical.prune_terms(tokens, _df(fts), max_postings=5)
    assert kept == ["หัวเว่ย", "cloud", "agreement"]  # df 1, 2, 1; every common word (df 40) dropped
    # However common all words are, the KEEP_RAREST rarest still search (in question order).
    everywhere = lexical.tokenize("the government ministry และ ที่")
    assert len(lexical.prune_terms(everywhere, _df(fts), max_postings=5)) == lexical.KEEP_RAREST
    # A cap above every frequency, or 0, keeps all (deduplicated, in order).
    assert lexical.prune_terms(tokens + ["the"], _df(fts), max_postings=1000) == tokens
    assert lexical.prune_terms(tokens, _df(fts), max_postings=0) == tokens


def test_rescored_pruned_query_equals_the_full_fts5_query(fts: sqlite3.Connection) -> None:
    tokens = lexical.tokenize("the government signed cloud agreement with the ministry และ ที่")
    full = lexical.search_tokens(fts, tokens, 10, generation=1)
    pruned = lexical.search_pruned(fts, tokens, 10, 1, _df(fts), max_postings=5)
    # Candidates come from the rare words only (rows 1 and 2), ranked with all words' BM25 as FTS5 would.
    assert [cid for cid, _ in pruned] == [1, 2]
    assert [cid for cid, _ in full][:2] == [1, 2]
    full_scores = dict(full)
    for cid, score in pruned:
        assert score == pytest.approx(full_scores[cid], rel=1e-9)
    # Nothing to prune: one plain FTS5 query, the same result.
    assert lexical.search_pruned(fts, tokens, 10, 1, _df(fts), max_postings=10_000) == full


def test_rescore_matches_fts5_bm25_for_any_term_split(fts: sqlite3.Connection) -> None:
    tokens = lexical.tokenize("หัวเว่ย cloud budget the government ministry")
    full = dict(lexical.search_tokens(fts, tokens, 50, generation=1))
    rare = lexical.search_tokens(fts, ["หัวเว่ย", "cloud", "budget"], 50, generation=1)
    rescored = lexical.rescore(fts, rare, ["the", "government", "ministry"], _df(fts))
    assert {cid for cid, _ in rescored} == {1, 2, 3}
    assert [s for _, s in rescored] == sorted((s for _, s in rescored), reverse=True)
    for cid, score in rescored:
        assert score == pytest.approx(full[cid], rel=1e-9)
    n_rows, avgdl = lexical.fts_averages(fts)
    assert n_rows == len(ROWS) and avgdl > 5


def test_setting_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BM25_MAX_POSTINGS", raising=False)
    assert load_settings(_env_file=None).bm25_max_postings == 20_000
    monkeypatch.setenv("BM25_MAX_POSTINGS", "0")
    assert load_settings(_env_file=None).bm25_max_postings == 0
