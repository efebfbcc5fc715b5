"""The query tower (index.search.tower): its file, its ONNX graph, its place in the dense search, and its
fine-tuning (index.search.tower_training), on the real base index (real model, FAISS, SQLite, onnxruntime)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from index.build.onnx_backend import BackendUnavailable, OnnxEncoder
from index.build.onnx_split import TwinEncoder, Variant, first_replaced_layer
from index.search.rerank import FEATURES
from index.search.tower import QueryTower, TowerError
from tests.index_base import HUAWEI_URL, BaseIndex, base_index, cli_over, make_settings  # noqa: F401
from thaigov_qa.settings import SHARED_MODEL, Settings

ENGLISH, THAI = "Who signed the cloud agreement?", "ใครลงนามข้อตกลงคลาวด์"


BIAS = "encoder.layer.11.output.dense.bias"


def _weights(seed: int = 0) -> dict[str, np.ndarray]:
    """A change to one of e5-small's top layer's weights."""
    rng = np.random.default_rng(seed)
    return {BIAS: rng.normal(0, 0.1, 384).astype(np.float32)}


def test_file_round_trip_writes_the_same_bytes(tmp_path: Path) -> None:
    tower = QueryTower(_weights(), "multilingual-e5-small", "en", 1.0)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    tower.save(a)
    QueryTower(_weights(), "multilingual-e5-small", "en", 1.0).save(b)
    assert a.read_bytes() == b.read_bytes() and not list(tmp_path.glob("*.partial"))
    back = QueryTower.read(a)
    assert (back.model, back.lang, back.weight, back.key) == (tower.model, "en", 1.0, tower.key)
    assert back.fits("intfloat/multilingual-e5-small") and not back.fits("intfloat/multilingual-e5-base")
    assert QueryTower(_weights(1), "multilingual-e5-small").key != tower.key  # new weights, new export
    change, kept = _weights()[BIAS], back.change()[BIAS]  # int8 with one scale a row: within half a step
    assert np.abs(kept - change).max() <= np.abs(change).max() / 254 + 1e-7


@pytest.mark.parametrize("content", [b"", b"not an archive", "npy", "empty", "stop 52", "damaged"])
def test_a_file_that_is_no_tower_is_a_clear_error(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "tower.npz"
    if content == "npy":
        with path.open("wb") as fh:
            np.save(fh, np.zeros(4))  # an array, not the archive
    elif content == "empty":
        np.savez(path, model=np.array("m"), lang=np.array("en"), weight=np.array(1.0))  # no weights
    elif content == "stop 52":  # the opt-in tower's first format: weights, not their change
        np.savez(path, **{"w/x": np.zeros(3, np.float16)}, model=np.array("m"), lang=np.array("en"))
    elif content == "damaged":  # scales that do not fit their codes
        codes, scales = np.zeros((2, 3), np.int8), np.ones(2, np.float32)
        np.savez(path, **{"c/x": codes, "s/x": scales}, model=np.array("m"))
    else:
        path.write_bytes(content)
    with pytest.raises(TowerError, match="tower"):
        QueryTower.read(path)
    with pytest.raises(TowerError):
        QueryTower({"w": np.full(3, np.nan)}, "m")


QUESTIONS = [
    {"question": "When was the Huawei MOU signed?", "fold": "train", "gold_urls": [HUAWEI_URL]},
    {"question": "Which company signed a cloud MOU?", "fold": "train", "gold_urls": [HUAWEI_URL]},
    {"question": "Who signed the cloud deal?", "fold": "validation", "gold_urls": [HUAWEI_URL]},
    {"question": "ลงนาม MOU กับหัวเว่ยวันไหน", "fold": "train", "gold_urls": [HUAWEI_URL]},  # Thai: left out
]
#: Two questions: a few large steps, so that the layers visibly move.
QUICK = {"lr": 1e-3, "warmup": 1}


@pytest.fixture(scope="module")
def tower_file(base_index: BaseIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A tower fine-tuned over the base index, as ``thaigov-qa tower train`` writes it."""
    from index.search.retrieve import Searcher
    from index.search.tower_training import collect, train

    searcher = Searcher.open(make_settings(base_index.data_dir))
    tower, _ = train(searcher, collect(searcher, QUESTIONS), str(SHARED_MODEL), QUICK)
    path = tmp_path_factory.mktemp("tower") / "query_tower.npz"
    tower.save(path)
    return path


def test_english_dense_search_reads_the_towers_vector_and_thai_search_does_not(
    base_index: BaseIndex,  # noqa: F811
    tower_file: Path,
) -> None:
    import torch

    from index.search.retrieve import Searcher
    from index.search.tower_training import TunedModel

    on = Searcher.open(make_settings(base_index.data_dir, query_tower=tower_file))
    off = Searcher.open(make_settings(base_index.data_dir, query_tower=False))
    assert on.tower is not None and off.tower is None
    dense = [FEATURES.index(f"dense_{m}") for m in ("rank", "share", "score")]
    for question, moves in ((ENGLISH, True), (THAI, False)):
        urls_on, rows_on, _ = on.second_look_rows(question)
        urls_off, rows_off, _ = off.second_look_rows(question)
        by_url = {h.url: i for i, h in enumerate(urls_off)}
        same = rows_off[[by_url[h.url] for h in urls_on]][:, dense]
        assert np.allclose(rows_on[:, dense], same) != moves, question
    # A question searched without the learned maps (`rerank train`'s train fold) is searched as without a
    # tower: e5's list at the list's own weight.
    (hits_a, rows_a, _), (hits_b, rows_b, _) = (s.second_look_rows(ENGLISH, adapted=False) for s in (on, off))
    assert [h.url for h in hits_a] == [h.url for h in hits_b] and np.allclose(rows_a, rows_b, atol=1e-4)
    # The vector kept for the answer step is e5's own; the tower's is the int8 graph of e5 with the tower's
    # layers, as torch computes it.
    e5 = on.reader.embedder.encode_queries([ENGLISH])[0]
    assert np.allclose(on.query_vector(ENGLISH), e5, atol=1e-5)
    tuned = TunedModel(str(SHARED_MODEL))
    own = tuned.model.state_dict()
    change = QueryTower.read(tower_file).change()
    tuned.model.load_state_dict({k: own[k] + torch.from_numpy(v) for k, v in change.items()}, strict=False)
    assert on.tower is not None
    tower_vector = on.tower.vector(ENGLISH)
    assert (
        tower_vector is not None and float(tuned.encode([ENGLISH])[0] @ tower_vector) > 0.95
    )  # int8 vs fp32
    assert not np.allclose(tower_vector, e5, atol=1e-3), "the tower's vector is not e5's"
    # e5's question vectors come from the tower's split graphs, as the single e5 graph makes them: one copy
    # of the shared layers serves both.
    assert isinstance(on.reader.embedder.query_encoder, TwinEncoder)
    single = OnnxEncoder(str(SHARED_MODEL), Path(os.environ["EXPORT_CACHE_DIR"]))
    texts = ["query: " + ENGLISH, "query: " + THAI, "passage: " + THAI * 3]
    assert np.allclose(single.encode(texts), on.reader.embedder.query_encoder.encode(texts), atol=2e-3)
    assert not isinstance(off.reader.embedder.query_encoder, TwinEncoder)


def test_reader_training_searches_its_train_fold_without_the_maps(
    base_index: BaseIndex,  # noqa: F811
    tower_file: Path,
) -> None:
    """``reader train``'s train-fold questions, which the tower and the adapter were fitted on, are searched
    without them (their lists would be better than a new question's); the other folds as served."""
    from index.answer import Answerer
    from index.answer.training import collect
    from index.search.hits import ReleaseHit
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir, query_tower=tower_file)
    answerer = Answerer(Searcher.open(settings), settings)
    searcher = answerer.searcher
    # One English question twice: in the validation fold, and as if it were in the train fold.
    asked = [QUESTIONS[2], {**QUESTIONS[2], "fold": "train"}]

    def scores(hits: list[ReleaseHit]) -> list[tuple[str, float]]:
        return [(h.url, round(h.score, 6)) for h in hits]

    question = QUESTIONS[2]["question"]
    served, unmapped = (scores(searcher.search_views(question, adapted=a)[0]) for a in (True, False))
    assert served != unmapped, "the tower moves this question's fused list"
    for train_unmapped, train_sees in ((True, unmapped), (False, served)):
        got = collect(answerer, asked, train_unmapped=train_unmapped)
        assert [scores(e.analysis.hits) for e in got if e.analysis] == [served, train_sees]


def test_fine_tuning_is_deterministic_and_moves_only_the_top_layers(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
) -> None:
    from index.search.retrieve import Searcher
    from index.search.tower_training import TunedModel, collect, train

    searcher = Searcher.open(make_settings(base_index.data_dir))
    questions = QUESTIONS
    examples = collect(searcher, questions)
    assert [e.fold for e in examples] == ["train", "train", "validation"]
    first, report = train(searcher, examples, str(SHARED_MODEL), QUICK)
    second, _ = train(searcher, collect(searcher, questions), str(SHARED_MODEL), QUICK)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    first.save(a)
    second.save(b)
    assert a.read_bytes() == b.read_bytes()
    base = TunedModel(str(SHARED_MODEL)).learned()
    assert set(first.coded) == set(base) and {k.split(".")[2] for k in base} == {"8", "9", "10", "11"}
    moved = max(float(np.abs(v).max()) for v in first.change().values())
    assert moved > 1e-3, "the layers learned"
    assert set(report) == {"e5", "adapter", "tower"} and report["tower"]["all"]["questions"] == 1
    with pytest.raises(ValueError):
        train(searcher, [e for e in examples if e.fold == "validation"], str(SHARED_MODEL))


def test_a_tower_that_does_not_fit_or_a_damaged_file_leaves_search_working(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from index.search.retrieve import Searcher

    caplog.set_level(logging.INFO)
    odd = tmp_path / "odd.npz"
    QueryTower({"encoder.layer.11.output.dense.bias": np.zeros(7, np.float32)}, "multilingual-e5-small").save(
        odd
    )
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"\x00" * 64)
    other = tmp_path / "other.npz"
    QueryTower(_weights(), "multilingual-e5-base").save(other)
    cases = ((odd, "cannot run"), (damaged, "cannot read"), (other, "fitted from multilingual-e5-base"))
    for path, said in cases:
        caplog.clear()
        searcher = Searcher.open(make_settings(base_index.data_dir, query_tower=path))
        assert searcher.search("When was the Huawei MOU signed?", k=3)[0].url == HUAWEI_URL
        assert said in caplog.text
        if searcher.tower is not None:
            assert not searcher.tower.usable and searcher.tower.vector(ENGLISH) is None
    for off in ("", "false", False):
        assert Searcher.open(make_settings(base_index.data_dir, query_tower=off)).tower is None


def test_only_a_tower_of_encoder_layers_can_be_split_off() -> None:
    """The split graphs begin at the lowest layer a tower changes; a change elsewhere cannot be split off."""
    change = {
        "encoder.layer.11.output.dense.bias": np.zeros(2),
        "encoder.layer.9.output.dense.bias": np.zeros(2),
    }
    assert first_replaced_layer(Variant("tower", "k", change)) == 9
    for odd in ({"embeddings.word_embeddings.weight": np.zeros(2)}, {}):
        with pytest.raises(BackendUnavailable):
            first_replaced_layer(Variant("tower", "k", odd))


def test_the_shipped_tower_serves_by_default() -> None:
    """``QUERY_TOWER=true`` (the default) names the shipped file, fitted for e5-small's top 4 layers."""
    from index.search.tower import SHIPPED_TOWER

    assert Settings(_env_file=None).query_tower is True
    assert Settings(_env_file=None, query_tower="/x/tower.npz").query_tower == Path("/x/tower.npz")
    tower = QueryTower.read(SHIPPED_TOWER)
    assert tower.fits("intfloat/multilingual-e5-small") and tower.lang == "en"
    assert {k.split(".")[2] for k in tower.coded} == {"8", "9", "10", "11"}


def test_the_train_command_writes_a_tower_the_searcher_serves(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``thaigov-qa tower train QA -o FILE`` over an index: the file is a tower for the index's model, the
    report is the validation fold's, and ``QUERY_TOWER=FILE`` serves it."""
    import json

    from index.search.retrieve import Searcher

    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps({**q, "lang": "en"}, ensure_ascii=False) + "\n" for q in QUESTIONS[:3]))
    out = tmp_path / "tower.npz"
    assert cli_over(base_index, monkeypatch, "tower", "train", str(qa), "-o", str(out)) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tower"] == str(out) and report["validation"]["tower"]["all"]["questions"] == 1
    tower = QueryTower.read(out)
    assert tower.fits(str(SHARED_MODEL)) and tower.lang == "en"
    searcher = Searcher.open(make_settings(base_index.data_dir, query_tower=out))
    assert searcher.tower is not None and searcher.tower.vector(ENGLISH) is not None


def test_doctor_says_whether_the_tower_serves(tmp_path: Path) -> None:
    """``thaigov-qa doctor``'s tower check: the shipped one fits e5-small; a damaged file, or one fitted for
    another model, fails with its reason; ``QUERY_TOWER=false`` is skipped."""
    from thaigov_app.doctor import check_tower

    def settings(tower: object) -> Settings:
        return make_settings(tmp_path, query_tower=tower)

    assert check_tower(settings(True)).status == "ok"
    assert check_tower(settings(False)).status == "skipped"
    damaged, other = tmp_path / "damaged.npz", tmp_path / "other.npz"
    damaged.write_bytes(b"\x00" * 64)
    QueryTower(_weights(), "multilingual-e5-base").save(other)
    for path, said in ((damaged, "cannot read"), (other, "multilingual-e5-base")):
        check = check_tower(settings(path))
        assert check.status == "fail" and said in check.detail
