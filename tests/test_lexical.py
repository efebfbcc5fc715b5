"""Thai/English tokenization and the FTS5 table the BM25 arrays are compiled from: what matches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index import lexical
from index.build import fts as fts_store
from index.build import store
from index.lexical import mine_names, tokenize
from tests.index_base import fts5_bm25


def test_custom_dictionary_keeps_names_whole() -> None:
    from pythainlp.tokenize import word_tokenize

    assert word_tokenize("หัวเว่ย", engine="newmm") == ["หัว", "เว่ย"]  # what the default dictionary does
    assert "หัวเว่ย" in lexical.custom_words()
    tokens = tokenize("บริษัท หัวเว่ย เทคโนโลยี่ (ประเทศไทย) จำกัด")
    assert "หัวเว่ย" in tokens and "หัว" not in tokens


def test_mined_abbreviations_are_kept_whole(tmp_path: Path) -> None:
    """Thai abbreviations the default dictionary lacks were cut into words of their own (กกจ → กก + จ, the
    reed or the kilogram and a letter): BM25 matched "กก" and lost the Department of Employment. The
    archive's own abbreviations (bench/mine_thai_abbreviations.py) are in the splitter's dictionary."""
    from pythainlp.corpus import thai_words

    from tests.bench_scripts import bench_script, one_release_jsonl

    assert "กกจ" not in thai_words() and "กกจ" in lexical.custom_words()  # the default dictionary lacks it
    assert tokenize("กกจ. อบรมเจ้าหน้าที่") == ["กกจ", "อบรม", "เจ้าหน้าที่"]
    assert tokenize("มอก. และ ททท.") == ["มอก", "และ", "ททท"]
    mod = bench_script("mine_thai_abbreviations")
    body = "กกจ. แถลง (กกจ.) ผล และ กก. 5 กก. ไม่ใช่ของกกจ. ครม. อนุมัติ"
    source = one_release_jsonl(tmp_path, "ข่าว", body)
    # Three consonants or more after a space or a bracket (not glued to a word: "ของกกจ."), closed by a dot.
    assert mod.count_abbreviations(str(source)) == {"กกจ": 2, "ครม": 1}
    # A word written against an abbreviation ("ของบมจ." for ของ บมจ.) is no abbreviation of its own.
    assert mod.glued("ของบมจ", frozenset({"ของ", "บมจ"}), set())
    assert not mod.glued("กกจ", frozenset({"กก"}), set())


def test_compiled_splitter_gives_newmms_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """nlpo3 (the default when installed) and pythainlp's newmm split real releases alike, custom names
    included, and the lexicon version names the splitter so an index is never queried with the other."""
    from tests.index_base import SAMPLE

    pytest.importorskip("nlpo3")
    text = "\n".join(
        (SAMPLE / rel).read_text(encoding="utf-8")
        for rel in (
            "data/2021/01/12/ด้านสังคม_4.txt",
            "data/2021/06/05/มาตรการเยียวยาฯ_2.txt",
            "data/2025/01/02/ด้านการศึกษาฯ _1_2d1e4ece-37ab-40d2-ab09-b5fc27a422fd.txt",
        )
    )
    text += "\nบริษัท หัวเว่ย เทคโนโลยี่ (ประเทศไทย) จำกัด"
    assert lexical.word_engine() == "nlpo3"
    fast, version = tokenize(text), lexical.lexicon_version()
    lexical._piece_tokens.cache_clear()
    monkeypatch.setattr(lexical, "_nlpo3_dict", lambda: None)
    try:
        assert lexical.word_engine() == "newmm"
        slow = tokenize(text)
        assert lexical.lexicon_version() != version
    finally:
        lexical._piece_tokens.cache_clear()
    assert len(fast) > 400 and fast == slow and "หัวเว่ย" in fast


def test_english_is_case_folded_and_punctuation_dropped() -> None:
    assert tokenize("The MOU, signed by Huawei!") == ["the", "mou", "signed", "by", "huawei"]
    assert tokenize("COVID-19ระบาด") == ["covid", "19", "ระบาด"]
    assert tokenize("... — !!") == []


def test_normalisation_before_tokenizing() -> None:
    # Zero-width and no-break spaces from the site must not change the tokens.
    assert tokenize("รัฐบาล\u200bกำหนด") == tokenize("รัฐบาลกำหนด")
    assert tokenize("นายก\u00a0รัฐมนตรี") == tokenize("นายก รัฐมนตรี")


@pytest.fixture
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    store.create_schema(conn)
    rows = [
        (1, "ลงนาม MOU กับหัวเว่ย", "บริษัท หัวเว่ย เทคโนโลยี่ ลงนามความร่วมมือด้านคลาวด์", 1, None),
        (2, "ข่าวทั่วไป", "ผู้บริหารระดับหัวหน้า ประชุมเรื่องหัวเว่ยและคลาวด์", 1, None),
        (3, "เรื่องเก่า", "ข้อความของรุ่นที่ถูกแทนที่ หัวเว่ย", 1, 2),
        (4, "Cabinet approves budget", "The cabinet approved the 2024 budget.", 1, None),
    ]
    for cid, _title, body, gen_from, gen_to in rows:
        conn.execute(
            "INSERT INTO chunks(chunk_id, url, position, text, start_char, end_char, n_tokens, sha, gen_from,"
            " gen_to) VALUES (?, ?, 0, ?, 0, 0, 0, '', ?, ?)",
            (cid, f"u{cid}", body, gen_from, gen_to),
        )
    fts_store.insert_rows(conn, [(cid, title, body) for cid, title, body, _, _ in rows])
    return conn


def _ranked(conn: sqlite3.Connection, text: str, generation: int) -> list[tuple[int, float]]:
    scores = fts5_bm25(conn, tokenize(text), generation)
    return sorted(scores.items(), key=lambda r: -r[1])


def test_fts_keeps_thai_marks_inside_words(fts: sqlite3.Connection) -> None:
    # unicode61's default treats Thai vowel/tone marks as separators; ours must not.
    hits = dict(_ranked(fts, "หัวเว่ย", generation=1))
    assert set(hits) == {1, 2, 3}
    assert _ranked(fts, "เว่ย", generation=1) == []


def test_title_weight_and_generation_filter(fts: sqlite3.Connection) -> None:
    hits = _ranked(fts, "หัวเว่ย", generation=2)
    assert [cid for cid, _ in hits][:2] == [1, 2]  # the title match ranks first; row 3 is retired in gen 2
    assert 3 not in dict(hits)
    assert all(score > 0 for _, score in hits)


def test_mine_names_keeps_transliterations_only() -> None:
    text = (
        "บริษัท หัวเว่ย (Huawei) ลงนาม และ หัวเว่ย (Huawei) อีกครั้ง "
        "ส่งเสริม เศรษฐกิจสีเขียว (Green Economy) และ เศรษฐกิจสีเขียว (Green Economy)"
    )
    names = mine_names([text])
    assert ("หัวเว่ย", "Huawei") in names
    assert not any(thai == "เศรษฐกิจสีเขียว" for thai, _ in names)


def test_an_index_split_with_another_dictionary_is_said_at_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It serves on, but the operator is told to re-tokenize it (a question's "กกจ" misses its old pieces)."""
    import shutil

    from index.build.pipeline import build_index
    from index.search.reader import IndexReader
    from tests.index_base import SEED, SHARED_MODEL, make_settings

    settings = make_settings(tmp_path / "var", embedding_model=str(SHARED_MODEL))
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SEED, src / SEED.name)
    build_index(settings, src, progress=False)
    with caplog.at_level("WARNING", logger="index.search.reader"):
        IndexReader.open(settings).close()
        assert "another dictionary" not in caplog.text
        manifest = store.read_manifest(settings.index_dir, 1)
        store.write_manifest(settings.index_dir, 1, {**manifest, "lexicon": "0123456789ab"})
        IndexReader.open(settings).close()
    assert "another dictionary" in caplog.text and "index update" in caplog.text
