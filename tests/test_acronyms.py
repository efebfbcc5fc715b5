"""Latin acronyms in English questions (index/search/acronyms.py, bench/mine_acronyms.py): when a word is
read as one, how the rendering uses it against the other tables, the shipped table, and its mining from real
BM25 arrays and a real release source."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from index.build.postings import Postings
from index.search.acronyms import ACRONYM_FILE, Acronyms
from index.search.glossary import default_glossary
from index.search.letter_names import THAI_ACRONYM_FILE, ThaiAcronyms
from tests.bench_scripts import bench_script, one_release_jsonl
from tests.tables import glossary_of, tsv_rows

TABLE = (
    "# acronym\tthai\tscore\tchunks together\tcapitals share\n"
    "ghb\tธอส\t4.6\t300\t1.0\n"
    "ghb\tธนาคารอาคารสงเคราะห์\t3.1\t200\t1.0\n"
    "led\tหลอดไฟ\t2.0\t40\t0.3\n"
    "pm\tฝุ่น\t2.0\t90\t0.95\n"
)


def test_a_word_is_an_acronym_in_capitals_or_when_the_archive_always_capitalises_it(tmp_path: Path) -> None:
    path = tmp_path / "acronyms.tsv"
    path.write_text(TABLE, encoding="utf-8")
    acronyms = Acronyms.load(path)
    assert [t for t, _ in acronyms.of("GHB")] == ["ธอส", "ธนาคารอาคารสงเคราะห์"]  # best first
    assert [t for t, _ in acronyms.of("ghb")] == ["ธอส", "ธนาคารอาคารสงเคราะห์"]  # always capitalised
    assert acronyms.of("LED") == [("หลอดไฟ", 2.0)]
    assert acronyms.of("led") == []  # the archive writes "led" in lower case too: the verb
    assert acronyms.of("Ghb") == []  # a capitalised word is a name, not an acronym
    assert acronyms.of("GHBs") == acronyms.of("GHB")  # a plural
    assert acronyms.of("leds") == []
    assert acronyms.of("XYZ") == []
    assert Acronyms.load(tmp_path / "absent.tsv").renderings == {}


def test_an_acronym_beats_the_dictionary_and_the_mined_table_beats_both(tmp_path: Path) -> None:
    g = glossary_of(
        tmp_path,
        mined="pm\tนายกฯ\t0.9\t30\n",
        wordnet="ghb\tจีเอชบี\t1.0\nled\tนำ\t1.0\nled\tพา\t0.9\n",
        acronyms=TABLE,
    )
    got = {t.thai: t.kind for t in g.translate("how many GHB houses did the PM hand over")}
    assert got["ธอส"] == "acronym" and got["ธนาคารอาคารสงเคราะห์"] == "acronym"
    assert "จีเอชบี" not in got  # written as an acronym: the dictionary's sense (the drug) gives way
    assert got["นายกฯ"] == "glossary" and "ฝุ่น" not in got  # the aligned releases know the sense of "PM"
    low = {t.thai: t.kind for t in g.translate("how many ghb houses")}
    assert low["ธอส"] == "acronym" and low["จีเอชบี"] == "dictionary"  # lower case: the word may be meant
    shouting = {t.thai for t in g.translate("HOW MANY GHB HOUSES DID THE PM HAND OVER")}
    assert {"ธอส", "จีเอชบี"} <= shouting  # all capitals: capitals say nothing of any one word
    verb = {t.thai: t.kind for t in g.translate("who led the team")}
    assert verb.get("นำ") == "dictionary" and "หลอดไฟ" not in verb
    lamp = {t.thai for t in g.translate("how many LED lamps")}
    assert "หลอดไฟ" in lamp


def test_letter_names_spell_the_archives_thai_acronyms(tmp_path: Path) -> None:
    table = "# thai acronym\tchunks\nกยศ\t900\nกยส\t3\nอสม\t1600\nอสต\t40\nกสบ\t7\nbad row\n"
    thai = tmp_path / "thai.tsv"
    thai.write_text(table, encoding="utf-8")
    letters = ThaiAcronyms.load(thai)
    words = ["how", "many", "kor", "yor", "sor", "loans", "did", "or", "sor", "mor", "volunteers", "check"]
    assert letters.spelled(words) == [(2, 5, "กยศ"), (7, 10, "อสม")]  # sor: ส ศ ษ ซ, the most used wins
    # a run is tried whole first: "or sor tor lor" is no อสต and a stray "lor"
    assert letters.spelled(["the", "or", "sor", "tor", "lor", "meeting"]) == []
    # an English word at either end of a run that spells nothing is left out; a long run splits at one
    assert letters.spelled(["deadline", "for", "kor", "yor", "sor"]) == [(2, 5, "กยศ")]
    assert letters.spelled(["kor", "yor", "sor", "or", "gor", "sor", "bor"]) == [(0, 3, "กยศ"), (4, 7, "กสบ")]
    assert letters.spelled(["for", "or", "nor"]) == [] and letters.spelled(["kor"]) == []
    assert letters.spelled(["thor"] * 200) == []  # spelled letter by letter: no 6^6 combinations
    g = glossary_of(tmp_path, mined="loan\tสินเชื่อ\t0.9\t3\n", thai_acronyms=table)
    got = {t.thai: (t.kind, t.source) for t in g.translate("Kor-Yor-Sor loan")}
    assert got == {"กยศ": ("acronym", "kor yor sor"), "สินเชื่อ": ("glossary", "loan")}


def test_shipped_table_is_well_formed_and_renders_agencies() -> None:
    rows = tsv_rows(ACRONYM_FILE)
    assert len(rows) > 1_000
    assert all(len(r) == 5 and float(r[2]) > 0 and 0.0 <= float(r[4]) <= 1.0 for r in rows)
    glossary = default_glossary()
    assert {"ธอส", "ธนาคารอาคารสงเคราะห์"} <= {t.thai for t in glossary.translate("ghb housing loans")}
    assert "กระทรวงสาธารณสุข" in {t.thai for t in glossary.translate("what did moph say")}
    assert "กยศ" in {t.thai for t in glossary.translate("kor yor sor student loans")}
    assert all(len(r) == 2 and int(r[1]) >= 5 for r in tsv_rows(THAI_ACRONYM_FILE))


def test_mining_finds_the_thai_words_beside_an_acronym(tmp_path: Path) -> None:
    mod = bench_script("mine_acronyms")
    # 100 chunks: "ghb" in chunks 0-9; ธอส in 0-7 and nowhere else; ลูกค้า in 0-4 and 50-54; บาท in
    # most chunks (frequent everywhere: no lift); "covid" (English, not an acronym) in 20-39.
    postings = {"ghb": range(10), "ธอส": range(8), "ลูกค้า": [*range(5), *range(50, 55)], "บาท": range(0, 90)}
    postings["covid"] = range(20, 40)
    terms = list(postings)
    indptr = np.cumsum([0, *(len(postings[t]) for t in terms)])
    rows = np.concatenate([np.asarray(list(postings[t]), dtype=np.int32) for t in terms])
    gen = tmp_path / "000001"
    Postings(
        chunks=np.arange(100, dtype=np.int64),
        lengths=np.full(100, 10, dtype=np.int32),
        terms=terms,
        indptr=indptr,
        rows=rows,
        freqs=np.ones(len(rows), dtype=np.uint16),
    ).save(gen)
    found = mod.associations(Postings.load(gen), min_chunks=8, min_cover=0.2, min_lift=3.0, per_acronym=3)
    assert [w for w, _, _ in found["ghb"]] == ["ธอส", "ลูกค้า"]  # บาท is everywhere
    assert found["ghb"][0][2] == 8  # chunks together
    source = tmp_path / "releases.jsonl"
    records = [
        {
            "url": "https://www.thaigov.go.th/news/contents/details/1",
            "title": "ธอส. ประมูล",
            "body": "GHB ALL และ GHB Buddy www.ghb.co.th",
            "date": "2024-01-02",
        },
        {
            "url": "https://www.thaigov.go.th/news/contents/details/2",
            "title": "Covid",
            "body": "covid cases led by COVID",
            "date": "2024-01-03",
        },
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    shares = mod.capital_shares(str(source), {"ghb", "covid", "led"})
    assert shares["ghb"] == 1.0  # the web address is left out
    assert shares["covid"] == 1 / 3 and shares["led"] == 0.0
    out = tmp_path / "acronyms.tsv"
    sys.argv = ["mine_acronyms", "--generation", str(gen), "--archive", str(source), "--min-lift", "3"]
    sys.argv += ["-o", str(out), "--thai-output", str(tmp_path / "thai.tsv"), "--thai-min-chunks", "8"]
    assert mod.main() == 0
    assert [t for t, _ in Acronyms.load(out).of("ghb")] == ["ธอส", "ลูกค้า"]
    assert ThaiAcronyms.load(tmp_path / "thai.tsv").chunks == {"ธอส": 8}  # consonants only: ลูกค้า has vowels


def test_handles_and_host_names_in_lower_case_do_not_count_against_capitals(tmp_path: Path) -> None:
    """The archive writes the Comptroller General's Department "CGD" and its social handle "cgd_news", the
    Department of Employment "DOE" and a site "toea.doe go.th": the handles counted as lower-case uses
    (shares 0.78 and 0.71), and "cgd" / "doe" in a question were not read as the agencies. A ticker in
    capitals ("TSLA.O") still counts. ``--shares-only`` rewrites a table's share column from an archive."""
    mod = bench_script("mine_acronyms")
    body = "CGD แจ้ง tiktok (cgd_news) และ CGD Application; สมัครที่ toea.doe go.th หรือ uaeapply.doe; DOE; TSLA.O"
    source = one_release_jsonl(tmp_path, "กรมบัญชีกลาง", body)
    assert mod.capital_shares(str(source), {"cgd", "doe", "tsla"}) == {"cgd": 1.0, "doe": 1.0, "tsla": 1.0}
    table = tmp_path / "acronyms.tsv"
    table.write_text("# header\ncgd\tกรมบัญชีกลาง\t4.3\t103\t0.78\n", encoding="utf-8")
    sys.argv = ["mine_acronyms", "--shares-only", "--archive", str(source), "-o", str(table)]
    assert mod.main() == 0
    assert table.read_text(encoding="utf-8") == "# header\ncgd\tกรมบัญชีกลาง\t4.3\t103\t1.0\n"
    assert [t for t, _ in Acronyms.load(table).of("cgd")] == ["กรมบัญชีกลาง"]  # lower case, read as the agency
