"""bench/reader_oof.py's learning curve (``--train-fractions``): the questions a share of the train fold
keeps."""

from __future__ import annotations

from types import SimpleNamespace

from tests.bench_scripts import bench_script


def _question(i: int, fold: str) -> SimpleNamespace:
    url = f"https://www.thaigov.go.th/news/contents/details/{i // 3}"  # three questions a release
    return SimpleNamespace(fold=fold, question={"qid": str(i), "source_url": url})


def test_a_smaller_share_is_part_of_a_larger_one_and_whole_releases_go_together() -> None:
    mod = bench_script("reader_oof")
    train = [_question(i, "train") for i in range(600)]
    kept = {f: {e.question["qid"] for e in train if mod._kept(e, f)} for f in (0.25, 0.5, 1.0)}
    assert kept[0.25] < kept[0.5] < kept[1.0] and len(kept[1.0]) == 600
    assert 0.35 < len(kept[0.5]) / 600 < 0.65, "about the share asked for"
    for i in range(0, 600, 3):  # a release's questions are kept or left out together
        assert len({str(j) in kept[0.5] for j in range(i, i + 3)}) == 1


def test_validation_questions_are_always_learned_from() -> None:
    mod = bench_script("reader_oof")
    assert all(mod._kept(_question(i, "validation"), 0.1) for i in range(90))
