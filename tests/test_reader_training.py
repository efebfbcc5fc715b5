"""The reader model: trained end to end on a tiny question set over the real base index, deterministic,
served by the numpy tree evaluator exactly as LightGBM predicts, and loaded in milliseconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from tests.index_base import HUAWEI_URL, BaseIndex, base_index, make_settings  # noqa: F401

pytestmark = pytest.mark.slow

IP_URL = "https://www.thaigov.go.th/news/contents/details/66096"


def _q(qid: str, question: str, fold: str, gold: list[str], answer: str, aliases: list[str]) -> dict:
    kind = {"18 ธ.ค. 2566": "date", "": "none"}.get(answer, "count")
    return {
        "kind": kind,
        "qid": qid,
        "lang": "th" if any("\u0e00" <= ch <= "\u0e7f" for ch in question) else "en",
        "question": question,
        "gold_urls": gold,
        "answer": answer,
        "answer_aliases": aliases,
        "type": "other" if gold else "unanswerable",
        "fold": fold,
    }


QUESTIONS = [
    _q("t1", "When was the Huawei MOU signed?", "train", [HUAWEI_URL], "18 ธ.ค. 2566", ["18 December 2023"]),
    _q("t2", "หัวเว่ยร่วมมือกับรัฐบาลกี่ด้าน", "train", [HUAWEI_URL], "4 ด้าน", ["4 areas"]),
    _q("t3", "How many IP applications were recorded in 2022?", "train", [IP_URL], "60,082", []),
    _q("t4", "What is the recipe for green curry?", "train", [], "", []),
    _q("t5", "สูตรแกงเขียวหวานใส่อะไรบ้าง", "train", [], "", []),
    _q("v1", "huawei mou signed when", "validation", [HUAWEI_URL], "18 ธ.ค. 2566", ["18 December 2023"]),
    _q("v2", "Who won the 2022 World Cup?", "validation", [], "", []),
]


def test_training_end_to_end_is_deterministic_and_serves_what_it_learned(answerer, tmp_path: Path) -> None:  # noqa: ANN001
    from index.answer.kinds import KIND_CLASSES
    from index.answer.model import ReaderModel
    from index.answer.training import collect, kind_probabilities, train, write_model

    kinds, kind_spec = kind_probabilities(answerer, QUESTIONS)
    assert kind_spec is not None and len(kind_spec["coef"]) == len(KIND_CLASSES)
    assert all(abs(float(p.sum()) - 1.0) < 1e-4 for p in kinds)
    examples = collect(answerer, QUESTIONS, kinds=kinds)
    t1 = examples[0]
    assert t1.analysis is not None and t1.labels.sum() >= 1, "the MOU sentence is labelled as answering"
    assert examples[3].labels.sum() == 0, "nothing answers an unanswerable question"

    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        write_model(train(answerer, examples, rounds=30, kinds=kind_spec, search_calibration=True), path)
    assert paths[0].read_bytes() == paths[1].read_bytes(), (
        "the same data trains the same model, byte for byte"
    )
    other = train(answerer, examples, rounds=30, kinds=kind_spec, seed=16)
    first = json.loads(paths[0].read_text(encoding="utf-8"))
    assert first["trained_on"]["seed"] == 15 and other["trained_on"]["seed"] == 16
    assert other["trees"] != first["trees"], "another seed draws other rows and features for its trees"

    spec = json.loads(paths[0].read_text(encoding="utf-8"))
    assert spec["trained_on"]["train_questions"] == 5 and spec["trained_on"]["validation_questions"] == 2
    model = ReaderModel(spec)
    import lightgbm as lgb

    booster = lgb.Booster(model_str=_model_str(examples))
    x = np.vstack([e.analysis.features for e in examples if e.analysis is not None])
    # The numpy evaluator of the JSON dump gives LightGBM's own raw scores.
    dumped = ReaderModel({**spec, "trees": booster.dump_model()})
    assert np.allclose(dumped.scores(x), booster.predict(x, raw_score=True), atol=1e-9)
    from index.answer.calibration import BASIC_INPUTS, measure_names

    assert 0.0 <= model.probability(np.zeros(len(measure_names()))) <= 1.0
    # Replies over a search get the calibration over every measure; within a release, the thirteen-input one.
    assert tuple(spec["search_calibration"]["inputs"]) == measure_names()
    assert tuple(spec["calibration"]["inputs"]) == BASIC_INPUTS
    assert model.calibration_for(within=True) is model.calibration
    assert model.calibration_for() is model.search_calibration
    basic = train(answerer, examples, rounds=30, kinds=kind_spec)
    assert "search_calibration" not in basic and basic["calibration"] == spec["calibration"]
    assert basic["trees"] == spec["trees"], "the calibration does not touch the trees"


def test_out_of_fold_scores_learn_only_from_what_fit_on_accepts(answerer) -> None:  # noqa: ANN001
    """``bench/reader_oof.py`` scores analyses the reader never learns from (another index's): with
    ``fit_on``, those are scored but change nothing of the trees."""
    from index.answer.training import collect, oof_scores

    examples = collect(answerer, QUESTIONS)
    train = [e for e in examples if e.fold == "train"]
    mixed = oof_scores(examples, rounds=20, fit_on=lambda e: e.fold == "train")
    alone = dict(zip(map(id, train), oof_scores(train, rounds=20), strict=True))
    for e, scores in zip(examples, mixed, strict=True):
        if e.analysis is None or not len(e.labels):
            continue
        assert scores is not None and len(scores) == len(e.labels), "every analysis is scored"
        if e.fold == "train":
            assert np.allclose(scores, alone[id(e)]), "the validation analyses were not fitted on"


def _model_str(examples) -> str:  # noqa: ANN001
    from index.answer.training import _fit_trees

    return _fit_trees([e for e in examples if e.fold == "train"], rounds=30).model_to_string()


def test_shipped_model_loads_in_milliseconds_and_matches_the_features() -> None:
    from index.answer.features import FEATURES
    from index.answer.model import ReaderModel

    took = []
    for _ in range(3):  # the best of three: one load on a busy 2-core box can wait for the CPU
        started = time.perf_counter()
        model = ReaderModel.load()
        took.append(time.perf_counter() - started)
    assert min(took) < 0.5
    assert tuple(model.spec["features"]) == FEATURES
    t = model.thresholds
    assert 0.0 < t.refuse <= t.assert_ < 1.0 and 0.0 < t.span < 1.0


def test_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    from index.answer.model import ModelError, ReaderModel

    bad = tmp_path / "reader.json"
    bad.write_text(json.dumps({"features": ["x"]}), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        ReaderModel.load(bad)
    with pytest.raises(ModelError):
        ReaderModel.load(tmp_path / "missing.json")
    # a calibration over other answer-level inputs would multiply mismatched vectors: refused too
    shipped = Path(__file__).parents[1] / "index" / "data" / "reader.json"
    spec = json.loads(shipped.read_text(encoding="utf-8"))
    spec["calibration"]["inputs"] = spec["calibration"]["inputs"][:-1]
    bad.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ModelError, match="calibration"):
        ReaderModel.load(bad)


def test_the_train_command_needs_both_folds(base_index: BaseIndex, tmp_path: Path) -> None:  # noqa: F811
    import argparse

    from index.cli.reader import _train
    from thaigov_qa.errors import UserError

    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps(QUESTIONS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    args = argparse.Namespace(
        qa=[str(qa)],
        output=str(tmp_path / "m.json"),
        json=True,
        also_index=[],
        thresholds_on=[],
        verifier=False,
        verifier_output=None,
        seed=None,
        search_calibration=False,
    )
    with pytest.raises(UserError, match="validation"):
        _train(args, make_settings(base_index.data_dir))


def test_the_train_command_learns_over_a_second_index(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--also-index``: every question is analysed over each index and the model learns from all the
    analyses (the shipped reader: the qa index and the whole archive); a folder without an index is a clear
    error, not a traceback."""
    import argparse
    import shutil

    from index.cli.reader import _train
    from thaigov_qa.errors import UserError

    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    settings = make_settings(base_index.data_dir)
    other = tmp_path / "other-index"
    shutil.copytree(base_index.data_dir, other)  # a second index (the same releases, opened on its own)
    out = tmp_path / "m.json"
    also = [str(other), str(base_index.data_dir)]  # the first index again is not analysed twice
    args = argparse.Namespace(
        qa=[str(qa)],
        output=str(out),
        json=True,
        also_index=also,
        thresholds_on=[],
        verifier=False,
        verifier_output=None,
        seed=None,
        search_calibration=False,
    )
    assert _train(args, settings) == 0
    summary = json.loads(capsys.readouterr().out)
    assert "threshold_set" not in summary  # no threshold set given
    assert summary["indexes"] == [str(Path(base_index.data_dir).resolve()), str(other.resolve())]
    assert (summary["train_questions"], summary["validation_questions"], summary["analyses"]) == (5, 2, 14)
    assert json.loads(out.read_text(encoding="utf-8"))["trained_on"]["analyses"] == 14
    args.also_index = [str(tmp_path / "nowhere")]
    with pytest.raises(UserError, match="no index there"):
        _train(args, settings)


def test_a_threshold_set_chooses_thresholds_and_is_never_fitted_on(
    base_index: BaseIndex,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--thresholds-on``: its questions (any fold but test) join the validation fold's replies where the
    thresholds are chosen, scored by the final trees; the trees and the calibration never see them."""
    import argparse

    from index.cli.reader import _train

    qa, extra = tmp_path / "qa.jsonl", tmp_path / "extra.jsonl"
    qa.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    held = [
        _q("h1", "Who painted the Mona Lisa?", "train", [], "", []),
        _q("h2", "Who won the 1966 World Cup?", "validation", [], "", []),
        _q("h3", "IP applications in 2022?", "test", [IP_URL], "60,082", []),  # the test fold stays out
        # the trees have seen this release (train questions t1, t2): in-sample scores, left out
        _q("h4", "หัวเว่ยลงนามเมื่อไหร่", "train", [HUAWEI_URL], "18 ธ.ค. 2566", ["18 December 2023"]),
        _q("h5", "Who won the 2022 World Cup?", "train", [], "", []),  # v2's text: left out
    ]
    extra.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in held), encoding="utf-8")
    out = tmp_path / "m.json"
    args = argparse.Namespace(
        qa=[str(qa)],
        output=str(out),
        json=True,
        also_index=[],
        thresholds_on=[str(extra)],
        verifier=False,
        verifier_output=None,
        seed=None,
        search_calibration=False,
    )
    assert _train(args, make_settings(base_index.data_dir)) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["train_questions"], summary["validation_questions"]) == (5, 2)
    assert summary["threshold_questions"] == 2 and summary["analyses"] == 7  # the fitted ones
    assert set(summary["threshold_set"]) >= {"accuracy", "wrong_rate"}
    assert json.loads(out.read_text(encoding="utf-8"))["trained_on"]["threshold_questions"] == 2


def test_span_model_measures_spans_against_the_question() -> None:
    """The span model's inputs: the year the question names beside a span, nearness of its words; and a
    fitted model ranks the span the labels favour higher."""
    from index.answer.qtype import detect_qtype
    from index.answer.span_model import SPAN_FEATURES, SpanModel, fit, span_matrix
    from index.answer.spans import scored_spans

    text = "ปี 2564 มีผู้ยื่นคำขอ 55,000 คำขอ และในปี 2565 มีผู้ยื่นคำขอ 60,082 คำขอ"
    question = "ปี 2565 มีผู้ยื่นคำขอกี่คำขอ"
    qt = detect_qtype(question, "th")
    spans = [s for s in scored_spans(text, qt, question) if s.kind == "number" and "คำขอ" in s.text]
    assert [s.text for s in spans] == ["55,000 คำขอ", "60,082 คำขอ"]
    x = span_matrix(spans, text, [], question, frozenset({2022}), 0.8)
    assert x.shape == (2, len(SPAN_FEATURES))
    beside = SPAN_FEATURES.index("year_beside")
    assert x[:, beside].tolist() == [1.0, 1.0]  # both within reach of "2565": nearness decides
    rows = np.vstack([x] * 10)
    labels = np.asarray([0.0, 1.0] * 10)
    model = SpanModel.from_spec(fit(rows, labels))
    assert model is not None
    p = model.probabilities(x)
    assert p[1] > p[0] and all(0.0 < v < 1.0 for v in p)
    assert fit(rows, np.zeros(20)) is None  # nothing to learn from one class
