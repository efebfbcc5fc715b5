"""Sentence choice helpers: the curated vocabulary, space-tolerant Thai phrase matching, and the
discriminating-word weighting (``focus``) on a real release's sentences."""

from __future__ import annotations

from pathlib import Path

from index.answer.candidates import Candidate, focus
from index.answer.sentences import split_sentences
from index.answer.words import compact
from index.search.glossary import CURATED_FILE, Glossary, default_glossary
from tests.tables import tsv_rows


def test_curated_vocabulary_replaces_noisy_mined_renderings(tmp_path: Path) -> None:
    mined = tmp_path / "mined.tsv"
    mined.write_text("labour\tระบุ\t0.9\t3\nlabour\tชลบุรี\t0.8\t3\nrubber\tยางพารา\t0.7\t4\n", encoding="utf-8")
    curated = tmp_path / "curated.tsv"
    curated.write_text("# comment\nlabour\tแรงงาน\t2.0\nflash flood\tน้ำป่า\t2.0\n", encoding="utf-8")
    g = Glossary.load(mined, tmp_path / "no-names.tsv", curated, wordnet_file=None)
    assert g.entries["labour"] == [("แรงงาน", 2.0)]  # replaced, not merged
    assert g.entries["rubber"] == [("ยางพารา", 0.7)]  # words the curated file lacks keep the mined ones
    thai = {t.thai: t.source for t in g.translate("Labour ministry warns of a flash flood")}
    assert thai["แรงงาน"] == "labour" and thai["น้ำป่า"] == "flash flood"
    assert "ระบุ" not in thai and "ชลบุรี" not in thai


def test_shipped_vocabulary_is_loaded_and_well_formed() -> None:
    rows = tsv_rows(CURATED_FILE)
    assert len(rows) > 400
    assert all(len(r) == 3 and r[0] == r[0].lower() and r[1] == r[1].strip() for r in rows)
    assert all(float(r[2]) > 1 for r in rows)  # above every mined weight
    g = default_glossary()
    assert {t.thai for t in g.translate("people affected by floods")} >= {"ได้รับผลกระทบ", "น้ำท่วม", "ประชาชน"}


def test_compact_joins_thai_broken_by_spaces_but_keeps_names_apart() -> None:
    assert compact("ผู้ได้รับผล กระทบจำนวน 3,400 ครัวเรือน") == "ผู้ได้รับผลกระทบจำนวน 3,400 ครัวเรือน"
    assert compact("Mr. Kitti Tangjitmaneesakda ประธาน") == "mr. kitti tangjitmaneesakda ประธาน"


def _candidates(body: str, found: list[set[str]], words: dict[str, float]) -> list[Candidate]:
    sentences = split_sentences(body)
    assert len(sentences) == len(found)
    out = []
    for i, hit in enumerate(found):
        c = Candidate(0, "u", None, sentences, i, 1.0, None, words=words, found=hit)
        c.lex = sum(words[t] for t in hit) / sum(words.values())
        c.score = c.lex
        out.append(c)
    return out


def test_focus_prefers_the_sentence_with_the_rare_question_word() -> None:
    # The topic words (storm, province) are in every sentence; only one says where it made landfall.
    body = (
        "พายุไต้ฝุ่นคาจิกิ ทำให้จังหวัดน่านมีฝนตกหนัก และหน่วยงานในจังหวัดเตรียมพร้อมรับมือสถานการณ์อย่างใกล้ชิดตลอดทั้งวัน\n"
        "พายุไต้ฝุ่นคาจิกิ ขึ้นฝั่งที่เมืองวิญ ประเทศเวียดนาม\n"
        "พายุไต้ฝุ่นคาจิกิ ทำให้จังหวัดน่านต้องเปิดศูนย์พักพิงชั่วคราวสำหรับประชาชนที่อยู่ในพื้นที่เสี่ยงริมแม่น้ำน่านหลายแห่ง\n"
    )
    words = {"พายุไต้ฝุ่น": 2.0, "คาจิกิ": 2.0, "จังหวัด": 2.0, "ขึ้นฝั่ง": 2.0}
    cands = _candidates(
        body,
        [{"พายุไต้ฝุ่น", "คาจิกิ", "จังหวัด"}, {"พายุไต้ฝุ่น", "คาจิกิ", "ขึ้นฝั่ง"}, {"พายุไต้ฝุ่น", "คาจิกิ", "จังหวัด"}],
        words,
    )
    assert len({round(c.score, 6) for c in cands}) == 1  # plain overlap cannot tell them apart
    focus(cands)
    best = max(cands, key=lambda c: c.score)
    assert "ขึ้นฝั่ง" in best.sentences[best.index].text
    assert all(c.score < best.score for c in cands if c is not best)


def test_sentences_around_passages_keep_their_neighbours() -> None:
    """LineSentences.around gives every sentence of the asked ranges with the same neighbours as splitting
    the whole release: on the sample's longest releases (cabinet summaries), for spread-out ranges."""
    import random

    from index.answer.sentences import LineSentences
    from tests.index_base import SAMPLE

    longest = sorted(SAMPLE.rglob("*.txt"), key=lambda p: p.stat().st_size)[-3:]
    rng = random.Random(3)
    for path in longest:
        body = path.read_text(encoding="utf-8")
        full = split_sentences(body)
        lines = LineSentences(body)
        for _ in range(20):
            ranges = []
            for _ in range(rng.randint(1, 3)):
                a = rng.randrange(len(body))
                ranges.append((a, min(len(body), a + rng.randint(1, 1500)), 1.0))
            part = lines.around(ranges)
            assert len(part) < len(full)  # only the lines around the ranges were split
            assert part == sorted(part, key=lambda s: s.start) and set(part) <= set(full)
            where = {s.start: i for i, s in enumerate(full)}
            for i, s in enumerate(part):
                if not any(s.start < b and s.end > a for a, b, _ in ranges):
                    continue
                j = where[s.start]
                assert (part[i - 1] if i else None) == (full[j - 1] if j else None)
                assert (part[i + 1] if i + 1 < len(part) else None) == (
                    full[j + 1] if j + 1 < len(full) else None
                )


_FOCUS_IN_A_CHILD = """
import random
from index.answer.candidates import Candidate, focus
rng = random.Random(7)
words = {f"w{i}": rng.uniform(0.1, 3.0) for i in range(40)}
cands = []
for k in range(4):
    c = Candidate(0, "u", None, [], k, 0.0, None)
    c.words = words
    c.found = {w for i, w in enumerate(words) if (i + k) % 3}
    cands.append(c)
focus(cands)
print([c.focused.hex() for c in cands])
"""


def test_lexical_scores_do_not_depend_on_the_processes_string_hashes() -> None:
    """Sets of words iterate in an order set by string hashes, which differ between processes: a plain
    float sum over them differed in its last bits, broke ties between candidate sentences differently,
    and a reader trained over the same questions in two processes was not the same file (stop 22)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        child = [sys.executable, "-c", _FOCUS_IN_A_CHILD]
        run = subprocess.run(child, env=env, cwd=root, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        outs.add(run.stdout)
    assert len(outs) == 1


def test_the_runner_up_quote_is_not_the_first_quote_said_again() -> None:
    """A release repeats its lead in its body; within one release a hedged reply's second quote skips a
    passage that says what the first said and quotes the next one that says something else."""
    from corpus.release import Release
    from index.answer.evidence import second_passage

    lines = [
        "นายเศรษฐา ทวีสิน นายกรัฐมนตรี เป็นประธานการประชุมคณะกรรมการนโยบายข้าวแห่งชาติ ครั้งที่ 1/2567",
        "ที่ประชุมเห็นชอบมาตรการช่วยเหลือชาวนา วงเงิน 50,000 ล้านบาท",
        "โดยมีนายเศรษฐา ทวีสิน นายกรัฐมนตรี เป็นประธานการประชุมคณะกรรมการนโยบายข้าวแห่งชาติ",
        "การประชุมจัดขึ้นที่ทำเนียบรัฐบาล กรุงเทพมหานคร",
    ]
    body = "\n\n".join(lines)
    release = Release(
        url="https://www.thaigov.go.th/news/contents/details/1", release_id="1", title="ข้าว",
        date="2024-01-01", category="", lang="th", body=body,
    )  # fmt: skip
    sentences = split_sentences(body)
    assert len(sentences) == 4

    def candidate(i: int) -> Candidate:
        return Candidate(1, release.url, release, sentences, i, 1.0, None)

    candidates = [candidate(i) for i in range(4)]
    assert second_passage(candidates, [2, 3, 1], 0) == lines[3]  # not lines[2], the lead again
    assert second_passage(candidates, [1, 2], 0) == lines[1]
    assert second_passage(candidates, [2], 0) is None
