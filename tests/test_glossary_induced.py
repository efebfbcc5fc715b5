"""Renderings induced from e5 word vectors (bench/induce_glossary.py): how the glossary uses them, and the
induction itself on the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.search.glossary import INDUCED_FILE, default_glossary
from tests.bench_scripts import bench_script
from tests.tables import glossary_of, tsv_rows

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT.parent / "shared" / "models" / "multilingual-e5-small"


def test_induced_renderings_serve_only_words_no_table_knows(tmp_path: Path) -> None:
    # no romanised-Thai table, no dictionary: induced alone
    g = glossary_of(
        tmp_path,
        mined="flood\tน้ำท่วม\t0.9\t3\n",
        names="ประยุทธ์\tprayut\t50\n",
        curated="ministry\tกระทรวง\t2.0\n",
        induced="# induced\nflood\tฝนตก\t0.5\nmerchant\tผู้ค้า\t0.53\nmerchant\tผู้ทำการค้า\t0.51\n"
        "government\tรัฐบาล\t0.6\nprayut\tหมู\t0.46\n",
    )
    got = {t.thai: t.kind for t in g.translate("Flood relief for merchants? merchant support, Prayut says")}
    assert got["น้ำท่วม"] == "glossary" and "ฝนตก" not in got  # a mined word keeps its mined rendering
    assert got["ผู้ค้า"] == "induced" and got["ผู้ทำการค้า"] == "induced"
    assert got["ประยุทธ์"] == "name" and "หมู" not in got  # a name found by sound is not re-rendered
    # a possessive is looked up as its bare word, and induced words never enter the Thai → English map
    assert {t.thai for t in g.translate("the government's plan")} == {"รัฐบาล"}
    assert "ผู้ค้า" not in g.reverse


def test_shipped_induced_renderings_are_well_formed_and_used() -> None:
    rows = tsv_rows(INDUCED_FILE)
    assert len(rows) > 5_000
    assert all(len(r) == 3 and r[0] == r[0].lower() and 0.0 < float(r[2]) <= 1.0 for r in rows)
    assert "นักแสดง" in {t.thai for t in default_glossary().translate("a famous actress")}


@pytest.mark.skipif(not MODEL.is_dir(), reason="needs ../shared/models/multilingual-e5-small")
def test_induction_finds_translations_with_the_real_model() -> None:
    mod = bench_script("induce_glossary")
    thai = ["เครือข่าย", "ปลอม", "ไฟฟ้า", "นักท่องเที่ยว", "ข้าว", "บาดเจ็บ"]
    english = ["network", "fake", "electricity", "tourists"]
    tv = mod.centred(mod.embed(str(MODEL), thai))
    ev = mod.centred(mod.embed(str(MODEL), english))
    rows = mod.induce(english, ev, thai, tv, per_word=1, min_sim=-1.0)
    assert {(en, th) for en, th, _ in rows} == {
        ("network", "เครือข่าย"),
        ("fake", "ปลอม"),
        ("electricity", "ไฟฟ้า"),
        ("tourists", "นักท่องเที่ยว"),
    }


def test_a_weakly_mined_name_is_also_matched_by_sound(tmp_path: Path) -> None:
    g = glossary_of(
        tmp_path,
        mined="varawut\tยุทธศาสตร์ระยะยาว\t0.43\t3\nprayut\tประยุทธ์จันทร์\t0.84\t9\n",
        names="วราวุธ\tvarawut\t50\nประยุทธ์\tprayut\t80\n",
    )
    got = {t.thai: t.kind for t in g.translate("Varawut and Prayut")}
    assert got["วราวุธ"] == "name" and got["ยุทธศาสตร์ระยะยาว"] == "glossary"
    assert "ประยุทธ์" not in got  # a confident alignment speaks alone
    assert "วราวุธ" not in {t.thai for t in g.translate("varawut")}  # lower case: not read as a name
