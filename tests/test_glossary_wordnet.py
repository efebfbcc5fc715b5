"""Dictionary renderings from Princeton WordNet and the Thai WordNet (bench/wordnet_glossary.py): how the
glossary merges them with the mined ones, the shipped table, and the table's making on small real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index.search.glossary import WORDNET_FILE, default_glossary
from tests.bench_scripts import bench_script
from tests.tables import glossary_of, tsv_rows

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_dictionary_renderings_join_the_mined_ones_third_and_serve_unknown_words(tmp_path: Path) -> None:
    g = glossary_of(
        tmp_path,
        mined="mother\tเสียงพันธมิตร\t0.86\t3\nmother\tรับฟังเสียง\t0.85\t3\nmother\tพันธมิตรสู่\t0.8\t3\n"
        "flood\tน้ำท่วม\t0.9\t3\n",
        names="ช้าง\tchang\t50\n",
        curated="act\tพระราชบัญญัติ\t2.0\n",
        induced="fee\tค่าโดยสาร\t0.5\nmerchant\tผู้ค้า\t0.5\n",
        wordnet="# header\nmother\tมารดา\t0.97\nmother\tแม่\t0.9\nflood\tน้ำท่วม\t0.4\nflood\tอุทกภัย\t0.2\n"
        "fee\tค่าธรรมเนียม\t0.96\nact\tทำ\t0.5\nchang\tแม่น้ำแยงซี\t0.9\nobject\tของ\t0.4\n",
    )
    # A mined word keeps its best two and gets the dictionary's best after them; the rest follow.
    assert [thai for thai, _ in g.entries["mother"]] == ["เสียงพันธมิตร", "รับฟังเสียง", "มารดา", "พันธมิตรสู่"]
    # A dictionary rendering already mined is not repeated: the next one joins instead.
    assert [thai for thai, _ in g.entries["flood"]] == ["น้ำท่วม", "อุทกภัย"]
    assert g.entries["act"] == [("พระราชบัญญัติ", 2.0)]  # a curated word keeps its own renderings alone
    got = {t.thai: t.kind for t in g.translate("Mother pays a fee; merchant floods", per_word=3)}
    assert got["มารดา"] == "glossary" and "พันธมิตรสู่" not in got
    # A word only the dictionary knows takes its rendering, not the induced guess; others keep theirs.
    assert got["ค่าธรรมเนียม"] == "dictionary" and "ค่าโดยสาร" not in got
    assert got["ผู้ค้า"] == "induced"
    assert "มารดา" not in {t.thai for t in g.translate("mother", per_word=2)}
    # Capitalised, a word is a Thai name first (Chang: ช้าง, not the Yangtze); lower case, a dictionary word.
    assert [(t.thai, t.kind) for t in g.translate("minister Chang")] == [("ช้าง", "name")]
    assert [t.thai for t in g.translate("the chang river")] == ["แม่น้ำแยงซี"]
    # The dictionary never speaks for a Thai word in the Thai → English map.
    assert "ของ" not in g.reverse and "มารดา" not in g.reverse and g.reverse["น้ำท่วม"] == "flood"


def test_shipped_dictionary_table_is_well_formed_and_used() -> None:
    rows = tsv_rows(WORDNET_FILE)
    assert len(rows) > 10_000
    assert all(len(r) == 3 and r[0] == r[0].lower() and 0.0 < float(r[2]) <= 1.0 for r in rows)
    got = {t.thai for t in default_glossary().translate("mothers pay fees for carbon", per_word=3)}
    assert {"มารดา", "ค่าธรรมเนียม", "คาร์บอน"} <= got  # "fees", "mothers": their forms are in the table


def test_table_is_made_from_sense_counts_and_archive_words(tmp_path: Path) -> None:
    mod = bench_script("wordnet_glossary")
    wn = tmp_path / "wordnet"
    wn.mkdir()
    # index.sense: sense key, offset, sense number, tag count; index.<pos>: lemma pos n_synsets ... offsets
    _write(
        wn / "index.sense",
        "bank%1:14:00:: 08420278 1 20\nbank%1:17:01:: 09213565 2 25\nfee%1:21:00:: 13308999 1 10\n",
    )
    _write(
        wn / "index.noun",
        "  1 licence header line\nbank n 2 2 @ ~ 2 2 09213565 08420278\nfee n 1 1 @ 1 1 13308999\n",
    )
    for name in ("index.verb", "index.adj", "index.adv"):
        _write(wn / name, "")
    db = tmp_path / "wordnet_th.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE word_synset(synsetid text, li text)")
        conn.executemany(
            "INSERT INTO word_synset VALUES (?, ?)",
            [
                ("08420278-n", "ธนาคาร"),
                ("09213565-n", "ฝั่ง"),
                ("09213565-n", "ตลิ่งหายาก"),
                ("13308999-n", "ค่าธรรมเนียม"),
                ("13308999-n", "0"),
            ],
        )
    thai = mod.thai_synsets(db)
    assert thai[("13308999", "n")] == ["ค่าธรรมเนียม"]  # "0" placeholders are not words
    archive = {"ธนาคาร": 900, "ฝั่ง": 300, "ค่าธรรมเนียม": 50}  # ตลิ่งหายาก: not in the archive
    table = mod.renderings(mod.senses(wn), thai, archive, {"bank", "fee"})
    assert [t for t, _ in table["bank"]] == ["ฝั่ง", "ธนาคาร"]  # annotators used the river bank more
    assert table["fee"] == [("ค่าธรรมเนียม", 1.0)]
    assert mod.renderings(mod.senses(wn), thai, archive, {"fee"}).keys() == {"fee"}
    # Inflected forms carry their lemma's renderings of the part of speech they inflect: regular ones, and
    # WordNet's exception lists; -ed and -ing forms are verbs' (bank has no verb sense here: "banked" none).
    _write(wn / "noun.exc", "feez fee\n")
    forms = mod.inflections(wn, {"bank", "fee", "plan", "au"})
    assert forms["fees"] == {("fee", "n"), ("fee", "v")} and forms["banked"] == {("bank", "v")}
    assert ("fee", "n") in forms["feez"] and ("plan", "v") in forms["planned"] and "aus" not in forms
    english = {"fees", "feez", "banks", "banked", "fee"}
    table = mod.renderings(mod.with_forms(mod.senses(wn), forms), thai, archive, english)
    assert table["fees"] == table["feez"] == table["fee"] and [t for t, _ in table["banks"]] == [
        "ฝั่ง",
        "ธนาคาร",
    ]
    assert "banked" not in table
    # Function words ("can", "may", "as") are never looked up.
    assert "can" not in mod.renderings({"can": [("13308999", "n", 1.0)]}, thai, archive, {"can"})
