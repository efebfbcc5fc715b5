"""Romanised Thai words in English questions (index/search/transliteration.py, bench/romanise_vocab.py):
the spelling key, run and single-word matching, the glossary's use of them, and the table's making with
pythainlp's real royin engine."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from index.build.postings import Postings
from index.search.glossary import default_glossary
from index.search.transliteration import TRANSLIT_FILE, Transliterations, key
from tests.bench_scripts import bench_script
from tests.tables import glossary_of

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _table(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "translit.tsv",
        "# thai\troyin\tdf\n"
        "ร่วมใจ\truamchai\t233\n"
        "รวม\truam\t900\n"
        "เลิง\tloeng\t12\n"
        "ลุง\tlung\t40\n"
        "หนองเลิง\tnongloeng\t9\n"
        "ไคร้\tkhrai\t5\n"
        "บ่อ\tbo\t300\n",
    )


def test_key_merges_the_spellings_romanisations_disagree_on() -> None:
    assert key("ruam jai") == key("ruamchai")
    assert key("loeng") == key("lung")  # oe / u
    assert key("Phuket") == key("puket")
    assert key("Khon Kaen") == key("konkaen")
    assert key("tha-bo") == "tabo"  # a run needs 5+ letters of key: "tha bo" is too short to trust


def test_runs_match_before_single_words_and_short_keys_do_not_match(tmp_path: Path) -> None:
    t = Transliterations.load(_table(tmp_path))
    words = ["the", "ruam", "jai", "fair", "at", "nong", "loeng"]
    found = t.match(words, [w not in {"the", "at"} for w in words])
    assert found[1] == [("ruam jai", "ร่วมใจ")]  # a run: "ruam" alone is not matched as well
    assert found[5] == [("nong loeng", "หนองเลิง")]
    assert set(found) == {1, 5}
    # one word: 4+ letters of key; "bo" alone is too short to trust
    assert t.match(["loeng"], [True]) == {0: [("loeng", "ลุง"), ("loeng", "เลิง")]}
    assert t.match(["bo"], [True]) == {}
    # words that are not candidates (known to a glossary, stop words) are never matched
    assert t.match(["ruam", "jai"], [False, True]) == {}
    # ... unless they join an unknown word beside them into one word of the corpus
    assert t.match(["ruam", "jai"], [False, True], [True, False]) == {0: [("ruam jai", "ร่วมใจ")]}
    assert t.match(["loeng"], [False], [True]) == {}  # alone, a known word is never read as romanised


def test_glossary_uses_transliterations_for_unknown_words_only(tmp_path: Path) -> None:
    tables = dict(
        mined="flood\tน้ำท่วม\t0.9\t3\nfair\tงานแสดงสินค้า\t0.8\t3\n",
        names="ประยุทธ์\tprayut\t50\n",
        induced="jai\tแจ้\t0.54\nkhrai\tใคร\t0.5\nbroken\tล้มเหลว\t0.47\n",
    )
    g = glossary_of(tmp_path, **tables, translit=_table(tmp_path))
    got = {t.thai: (t.kind, t.source) for t in g.translate("ruam jai flood fair in khrai, broken")}
    assert got["ร่วมใจ"] == ("translit", "ruam jai")
    assert got["ไคร้"] == ("translit", "khrai")
    assert "แจ้" not in got and "ใคร" not in got  # an induced guess gives way to the spelled word
    assert got["น้ำท่วม"][0] == "glossary" and got["งานแสดงสินค้า"][0] == "glossary"
    assert got["ล้มเหลว"] == ("induced", "broken")  # an English word no Thai word spells keeps its rendering
    assert "ร่วมใจ" not in g.reverse
    # a word a table knows joins an unknown one into a romanised run, and then speaks only through it
    mixed = glossary_of(tmp_path, mined="ruam\tรวม\t0.4\t3\n", translit=_table(tmp_path))
    got = {t.thai: (t.kind, t.source) for t in mixed.translate("ruam jai fair")}
    assert got["ร่วมใจ"] == ("translit", "ruam jai") and "รวม" not in got
    # without the table nothing is spelled out
    plain = glossary_of(tmp_path, **tables)
    assert "ร่วมใจ" not in {t.thai for t in plain.translate("ruam jai")}


def test_missing_table_is_empty_not_an_error(tmp_path: Path) -> None:
    assert Transliterations.load(tmp_path / "absent.tsv").by_key == {}


def test_shipped_table_is_well_formed_and_finds_a_place_name() -> None:
    lines = TRANSLIT_FILE.read_text(encoding="utf-8").splitlines()
    rows = [r.split("\t") for r in lines if not r.startswith("#")]
    assert len(rows) > 10_000
    assert all(len(r) == 3 and int(r[2]) >= 2 for r in rows)
    got = {t.thai for t in default_glossary().translate("the deputy minister visited nong loeng")}
    assert "เลิง" in got


def test_romanise_vocab_writes_the_table_from_a_generation(tmp_path: Path) -> None:
    mod = bench_script("romanise_vocab")
    gen = tmp_path / "000001"
    terms = ["ร่วมใจ", "สุโขทัย", "flood", "2566", "ไคร้", "บ่อ", "หนองเลิง"]
    indptr = np.cumsum([0, 5, 9, 40, 3, 2, 7, 1])  # chunks holding each term: 5, 9, 40, 3, 2, 7, 1
    n_chunks = 50
    Postings(
        chunks=np.arange(n_chunks, dtype=np.int64),
        lengths=np.full(n_chunks, 10, dtype=np.int32),
        terms=terms,
        indptr=indptr,
        rows=(np.arange(int(indptr[-1])) % n_chunks).astype(np.int32),
        freqs=np.ones(int(indptr[-1]), dtype=np.uint16),
    ).save(gen)  # a generation's BM25 arrays, as an index build writes them
    words = mod.thai_vocabulary(gen, min_df=2)
    assert [w for w, _ in words] == ["ร่วมใจ", "สุโขทัย", "ไคร้", "บ่อ"]  # Thai only, df >= 2
    rows = {thai: (latin, df) for thai, latin, df in mod.romanise(words)}
    assert rows["ร่วมใจ"] == ("ruamchai", 5)
    assert rows["สุโขทัย"] == ("sukhothai", 9)
    assert "บ่อ" not in rows  # its key is too short to be matched
    out = tmp_path / "translit.tsv"
    sys.argv = ["romanise_vocab", "--generation", str(gen), "-o", str(out)]
    assert mod.main() == 0
    loaded = Transliterations.load(out)
    assert loaded.by_key[key("ruam jai")] == ["ร่วมใจ"]
