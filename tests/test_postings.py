"""Compiled BM25 (``index.build.postings``): the same scores as FTS5's ``bm25()`` on a real FTS5 table,
incremental
updates equal to compiling anew, files that round-trip, and the build and reader using them."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index import lexical
from index.build import fts, store
from index.build.fts import BM25_K1
from index.build.postings import FILES, IDF_FLOOR, Postings, compile_generation, token_rows
from index.search.reader import IndexReader
from tests import index_base
from tests.index_base import EXTRA_FILES, BaseIndex, copy_release, fts5_bm25, fts_table

base_index = index_base.base_index  # the shared session fixture

COMMON = "the government ministry และ ที่ รัฐบาล"
ROWS = [
    (1, "หัวเว่ย ลงนาม MOU คลาวด์", f"{COMMON} หัวเว่ย cloud agreement signed with the ministry ดิจิทัล"),
    (2, "Cloud policy", f"{COMMON} cloud policy of the government the the ministry cloud cloud"),
    (3, "งบประมาณ", f"{COMMON} คณะรัฐมนตรี อนุมัติ งบประมาณ budget approved by the cabinet"),
    (4, "น้ำท่วม ภาคใต้", "น้ำท่วม ภาคใต้ ผู้ได้รับผลกระทบ ช่วยเหลือ flood relief in the south"),
    # Tokens FTS5 splits again (its unicode61 cuts at "," "." "’"): document lengths must count them alike.
    (5, "ช่วยเหลือ 1,000 ครัวเรือน", "เมื่อ 18 ธ.ค. 2566 รัฐบาล ช่วยเหลือ 1,000 ครัวเรือน the king’s project 2.5 ล้าน"),
    (6, "Relief", "relief of 12,500 baht on 3.5 million rai the government’s flood plan"),
    *[(10 + i, f"News {i}", f"{COMMON} routine news item number {i} the government") for i in range(30)],
]
QUERIES = [
    "หัวเว่ย cloud MOU",
    "the government cloud policy",
    "คณะรัฐมนตรี อนุมัติ งบประมาณ",
    "น้ำท่วม ภาคใต้ ช่วยเหลือ",
    "routine news item 7 ministry",
    "ไม่มีคำนี้ในดัชนี",
    "flood relief ช่วยเหลือ ครัวเรือน government",
]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_fts5(query: str) -> None:
    conn = fts_table(ROWS)
    postings = compile_generation(conn, 1)
    assert postings.n_chunks == len(ROWS)
    tokens = lexical.tokenize(query)
    got = dict(postings.search(tokens, 1000))
    want = fts5_bm25(conn, tokens)
    # Words in half the chunks or more weigh FTS5's floor idf and are not scored (when the query has other
    # words): chunks they alone match are left out; the others keep FTS5's score within a millionth.
    floor = len(set(tokens)) * IDF_FLOOR * (BM25_K1 + 1)
    meaningful = {cid for cid, score in want.items() if score > floor}
    assert set(got) == (meaningful or set(want))
    for cid, score in got.items():
        assert score == pytest.approx(want[cid], rel=1e-5)


def test_words_in_most_chunks_alone_still_find() -> None:
    """A query of only the commonest words (every chunk holds them) returns what FTS5 returns."""
    conn = fts_table(ROWS)
    postings = compile_generation(conn, 1)
    tokens = lexical.tokenize("the government")
    got, want = dict(postings.search(tokens, 1000)), fts5_bm25(conn, tokens)
    assert got and set(got) == set(want)
    assert postings.search(lexical.tokenize("the government cloud"), 1000)[0][0] == 2


def test_a_word_whose_chunks_were_all_removed_does_not_hide_the_common_ones() -> None:
    """After an update removes every chunk holding หัวเว่ย, the word has no postings: the query's common
    words then find what they find alone, not nothing."""
    postings = compile_generation(fts_table(ROWS), 1).updated([1], [])
    assert postings.doc_freq("หัวเว่ย") == 0
    alone = postings.search(lexical.tokenize("the government"), 1000)
    assert alone and postings.search(lexical.tokenize("หัวเว่ย the government"), 1000) == alone


def test_order_is_best_first_and_k_bounds_it() -> None:
    postings = compile_generation(fts_table(ROWS), 1)
    assert postings.search(lexical.tokenize("the government cloud policy"), 3)[0][0] == 2  # its title
    hits = postings.search(lexical.tokenize("cloud policy flood relief ช่วยเหลือ"), 3)
    assert len(hits) == 3
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert postings.search([], 5) == [] and postings.search(["cloud"], 0) == []


def test_equal_scores_keep_the_lowest_chunk_ids_also_at_the_cut() -> None:
    # 400 chunks alike, equal lengths: one score; a partition of them picks any 7 unless told otherwise.
    rows = [(100 + i, f"Notice {i}", f"routine news item number {i}") for i in range(400)]
    postings = compile_generation(fts_table([*ROWS[:6], *rows]), 1)
    words = lexical.tokenize("routine news item")
    for k in (1, 7, 100, 399, 400, 500):
        hits = postings.search(words, k)
        assert [cid for cid, _ in hits] == list(range(100, 100 + min(k, 400)))
        assert len({s for _, s in hits}) == 1


def test_only_the_generations_chunks_are_compiled() -> None:
    conn = fts_table(ROWS)
    conn.execute("UPDATE chunks SET gen_to = 1 WHERE chunk_id = 1")  # retired before generation 1
    postings = compile_generation(conn, 1)
    assert 1 not in postings.chunks.tolist() and postings.doc_freq("หัวเว่ย") == 0


@pytest.mark.parametrize("block", [1_000_000, 7])  # one block, and many (blocks of ~7 postings)
def test_update_equals_compiling_anew(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing chunks and adding new ones (larger ids) gives the arrays a fresh compile gives."""
    from index.build import postings

    monkeypatch.setattr(postings, "UPDATE_BLOCK", block)
    added = [
        (50, "หัวเว่ย เปิดศูนย์ข้อมูล", "หัวเว่ย ศูนย์ข้อมูล คลาวด์ new data centre cloud"),
        (51, "Brand-new words", "zyxwvut quokka the government"),
    ]
    removed = [2, 12, 13]
    old = compile_generation(fts_table(ROWS), 1)
    # ``updated`` takes rows as stored: the space-joined tokens of title and body.
    updated = old.updated(removed, [(c, fts.fts_text(t), fts.fts_text(b)) for c, t, b in added])
    final_rows = [r for r in ROWS if r[0] not in removed] + added
    fresh = compile_generation(fts_table(final_rows), 1)
    assert updated.chunks.tolist() == fresh.chunks.tolist()
    assert updated.lengths.tolist() == fresh.lengths.tolist()

    def postings_of(p: Postings, term: str) -> list[tuple[int, int]]:
        t = p.term_ids.get(term)
        if t is None:
            return []
        lo, hi = int(p.indptr[t]), int(p.indptr[t + 1])
        return [(int(p.chunks[r]), int(f)) for r, f in zip(p.rows[lo:hi], p.freqs[lo:hi], strict=True)]

    for term in set(fresh.terms) | set(updated.terms):  # every term: same chunks, same frequencies
        assert postings_of(updated, term) == postings_of(fresh, term), term
    for query in [*QUERIES, "zyxwvut quokka", "ศูนย์ข้อมูล คลาวด์"]:
        tokens = lexical.tokenize(query)
        a, b = updated.search(tokens, 100), fresh.search(tokens, 100)
        assert [c for c, _ in a] == [c for c, _ in b]
        assert [s for _, s in a] == pytest.approx([s for _, s in b], rel=1e-5)
    with pytest.raises(ValueError, match="larger"):
        updated.updated([], [(3, "t", "an id below the kept ones")])


def test_save_load_round_trip_and_corrupt_files(tmp_path: Path) -> None:
    conn = fts_table(ROWS)
    postings = compile_generation(conn, 1)
    postings.save(tmp_path)
    loaded = Postings.load(tmp_path)
    assert loaded is not None
    assert isinstance(loaded.rows, np.memmap)  # postings stay on disk, paged in by the terms a question asks
    tokens = lexical.tokenize("หัวเว่ย cloud MOU")
    assert loaded.search(tokens, 10) == postings.search(tokens, 10)
    assert Postings.load(tmp_path / "missing") is None  # a generation built before the arrays
    np.save(tmp_path / FILES["indptr"], np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="rebuild"):
        Postings.load(tmp_path)


def test_postings_cut_short_on_disk_are_a_rebuild_error(tmp_path: Path) -> None:
    compile_generation(fts_table(ROWS), 1).save(tmp_path)
    loaded = Postings.load(tmp_path)
    assert loaded is not None
    rows_file = tmp_path / FILES["rows"]
    with rows_file.open("r+b") as fh:  # the file shrinks under the loaded index (a damaged disk, a bad copy)
        fh.truncate(rows_file.stat().st_size - 8)
    with pytest.raises(OSError, match="rebuild"):
        loaded.search([loaded.terms[-1]], 10)  # the last term's postings end the file


def test_token_rows_read_the_stored_tokens() -> None:
    conn = fts_table(ROWS)
    rows = token_rows(conn, [4, 1])
    assert [r[0] for r in rows] == [1, 4]
    assert "หัวเว่ย" in rows[0][1].split() and "น้ำท่วม" in rows[1][2].split()


@pytest.mark.slow
def test_build_writes_arrays_and_reader_uses_them(base_index: BaseIndex, tmp_path: Path) -> None:
    """The real build writes the arrays, an update rewrites them, and the reader's BM25 ranks like FTS5."""
    settings, report = base_index.clone_with_extra(tmp_path, EXTRA_FILES[1])
    folder = store.gen_dir(settings.index_dir, report.generation)
    assert all((folder / name).is_file() for name in FILES.values())

    reader = IndexReader.open(settings)
    try:
        assert reader._gen.postings is not None
        assert reader._gen.postings.n_chunks == report.chunks
        conn = store.connect(settings.db_path, readonly=True)
        for query in ("หัวเว่ย คลาวด์", "Thailand government tourism", "ประชุม คณะรัฐมนตรี"):
            want = fts5_bm25(conn, lexical.tokenize(query), report.generation)
            fts = sorted(want, key=lambda c: -want[c])
            ours = reader.bm25(query, 10)
            assert [c for c, _ in ours][:3] == fts[:3]
        conn.close()
    finally:
        reader.close()


@pytest.mark.slow
def test_generation_without_arrays_is_a_rebuild_error(base_index: BaseIndex, tmp_path: Path) -> None:
    """An index written before the arrays existed is refused with a message that says to rebuild (the
    FTS5 search it needed is gone), and `ask` prints it as a one-line user error; an update compiles them."""
    from index.build.pipeline import update_index
    from index.cli.ask import _open_answerer
    from index.search.reader import IndexCorrupt
    from thaigov_qa.errors import UserError

    settings, source = base_index.clone(tmp_path)
    folder = store.gen_dir(settings.index_dir, 1)
    for name in FILES.values():
        (folder / name).unlink()
    with pytest.raises(IndexCorrupt, match="older version .*rebuild it"):
        IndexReader.open(settings)
    with pytest.raises(UserError, match="rebuild it"):
        _open_answerer(settings)

    shutil.copyfile(base_index.source / "76362.txt", source / "76362.txt")
    copy_release(EXTRA_FILES[0], source)
    report = update_index(settings, source, progress=False)
    reader = IndexReader.open(settings)
    assert reader._gen.postings.n_chunks == report.chunks
    reader.close()


@pytest.mark.slow
def test_unreadable_arrays_are_a_clear_error(base_index: BaseIndex, tmp_path: Path) -> None:
    """A truncated BM25 file: the reader refuses with a message that says to rebuild (not "no index
    yet"), and `ask` prints it as a one-line user error."""
    from index.cli.ask import _open_answerer
    from index.search.reader import IndexCorrupt
    from thaigov_qa.errors import UserError

    settings, _ = base_index.clone(tmp_path)
    rows = store.gen_dir(settings.index_dir, 1) / FILES["rows"]
    rows.write_bytes(rows.read_bytes()[:200])
    with pytest.raises(IndexCorrupt, match="cannot be read .*rebuild it"):
        IndexReader.open(settings)
    with pytest.raises(UserError, match="generation 1 cannot be read"):
        _open_answerer(settings)  # what `ask` and `chat` open the index with
    from bot.service import BotService
    from index.service import IndexUnavailable

    with pytest.raises(IndexUnavailable, match="cannot be read") as caught:
        BotService(settings).ask("หัวเว่ย")
    assert caught.value.missing is False  # the bot tells users "cannot be used", not "no index yet"


@pytest.mark.slow
def test_a_damaged_database_is_a_clear_error(base_index: BaseIndex, tmp_path: Path) -> None:
    """A database file that is not SQLite: `ask` raised sqlite3.DatabaseError at the first question and
    `index stats` called the index healthy; the reader now refuses it at open."""
    from index.cli.ask import _open_answerer
    from index.search.reader import IndexCorrupt
    from thaigov_qa.errors import UserError

    settings, _ = base_index.clone(tmp_path)
    for name in ("thaigov.sqlite-wal", "thaigov.sqlite-shm"):
        (settings.db_path.parent / name).unlink(missing_ok=True)
    current = settings.index_dir / "CURRENT"
    live = current.read_text()
    current.write_text("garbage\n")  # a damaged pointer is said, not "no index yet"
    with pytest.raises(IndexCorrupt, match="does not name a generation"):
        IndexReader.open(settings)
    current.write_text(live)
    settings.db_path.write_bytes(b"not a database " * 4096)
    with pytest.raises(IndexCorrupt, match="cannot be read .*restore a backup or rebuild"):
        IndexReader.open(settings)
    with pytest.raises(UserError, match="cannot be read"):
        _open_answerer(settings)
