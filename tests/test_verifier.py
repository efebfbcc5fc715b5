"""The verifier: fine-tuned by ``reader train`` on the train fold (the real e5 model, a few steps on a tiny
question set), written with the SHA-256 the reader's model file records, deterministic, and applied by the
answerer as the calibration's second stage; a verifier from another training is refused, not mixed in."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from tests.index_base import BaseIndex, base_index, make_settings  # noqa: F401
from tests.test_reader_training import QUESTIONS

pytestmark = pytest.mark.slow


def _train_args(tmp_path: Path, name: str) -> argparse.Namespace:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    return argparse.Namespace(
        qa=[str(qa)],
        output=str(tmp_path / f"{name}.json"),
        json=True,
        also_index=[],
        thresholds_on=[],
        verifier=True,
        verifier_output=None,
        seed=None,
        search_calibration=False,
    )


@pytest.fixture(scope="module")
def trained(base_index: BaseIndex, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:  # noqa: F811
    """The train command run twice over the same questions and index, with the verifier."""
    from index.cli.reader import _train

    tmp = tmp_path_factory.mktemp("verifier")
    out = {}
    for name in ("a", "b"):
        assert _train(_train_args(tmp, name), make_settings(base_index.data_dir)) == 0
        out[name] = tmp / f"{name}.json"
    return out


def test_the_train_command_writes_a_verifier_the_reader_records_deterministically(trained) -> None:  # noqa: ANN001
    a, b = trained["a"], trained["b"]
    va, vb = a.with_suffix(".verifier.safetensors"), b.with_suffix(".verifier.safetensors")
    assert va.read_bytes() == vb.read_bytes(), "the same data fine-tunes the same verifier, byte for byte"
    assert a.read_bytes() == b.read_bytes()
    spec = json.loads(a.read_text(encoding="utf-8"))["verification"]
    assert spec["inputs"] == ["reader_logit", "verifier"]
    assert spec["verifier_sha256"] == hashlib.sha256(va.read_bytes()).hexdigest()
    assert va.stat().st_size < 20_000_000  # four layers and a head in fp16, not the whole model


def test_the_answerer_weighs_the_verifier_as_the_calibration_s_second_stage(
    base_index: BaseIndex,  # noqa: F811
    trained,  # noqa: ANN001
) -> None:
    from index.answer import Answerer
    from index.answer.calibration import answer_measures
    from index.answer.evidence import quoted_text
    from index.answer.model import ReaderModel
    from index.answer.verifier import Verifier, load_verifier
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    model = ReaderModel.load(trained["a"])
    path = trained["a"].with_suffix(".verifier.safetensors")
    stage = model.verification
    assert stage is not None
    verifier = load_verifier(settings.embedding_model, stage, path)
    answerer = Answerer(Searcher.open(settings), settings, model=model, verifier=verifier)
    analysis = answerer.analyse("When was the Huawei MOU signed?")
    assert analysis is not None
    raw = model.scores(analysis.features)
    best = int(np.argmax(raw))
    reader = model.probability(
        answer_measures(raw, best, analysis.features, [c.url for c in analysis.candidates])
    )
    v = verifier.score(analysis.view.text, quoted_text(analysis.candidates[best]))
    reply = answerer.decide(analysis, raw)
    assert reply.probability == pytest.approx(stage.probability(reader, v))
    assert reply.probability != pytest.approx(reader)
    assert isinstance(verifier, Verifier) and verifier.scores([]).shape == (0,)
    # A question longer than the verifier's window (a pasted paragraph) is cut, not an error.
    assert np.isfinite(verifier.score("ครม. อนุมัติอะไรบ้าง " * 200, "ที่ประชุม ครม. อนุมัติ " * 50))


def test_a_verifier_from_another_training_or_a_broken_file_is_refused(
    base_index: BaseIndex,  # noqa: F811
    trained,  # noqa: ANN001
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from index.answer import Answerer
    from index.answer.model import ReaderModel, Verification
    from index.answer.verifier import VerifierError, load_verifier
    from index.search.retrieve import Searcher

    settings = make_settings(base_index.data_dir)
    path = trained["a"].with_suffix(".verifier.safetensors")
    other = Verification((1.0, 0.5), 0.0, "0" * 64)
    with pytest.raises(VerifierError, match="retrain the reader"):
        load_verifier(settings.embedding_model, other, path)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a safetensors file")
    with pytest.raises(VerifierError, match="cannot read"):
        load_verifier(settings.embedding_model, Verification((1.0, 0.5), 0.0, ""), broken)
    with pytest.raises(VerifierError, match="trained over"):
        load_verifier("some/other-model", Verification((1.0, 0.5), 0.0, ""), path)
    # the same model's name, but nothing there (a moved folder; the hub offline): an error, not a traceback
    missing = str(tmp_path / "gone" / "multilingual-e5-small")
    with pytest.raises(VerifierError, match="base model"):
        load_verifier(missing, Verification((1.0, 0.5), 0.0, ""), path)
    # The answerer over a reader whose verifier is not the shipped file: said once, the reader alone decides.
    model = ReaderModel.load(trained["a"])
    answerer = Answerer(Searcher.open(settings), settings, model=model)
    with caplog.at_level(logging.ERROR, logger="index.answer.answerer"):
        reply = answerer.ask("When was the Huawei MOU signed?")
        answerer.ask("หัวเว่ยร่วมมือกับรัฐบาลกี่ด้าน")
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "verifier is not used" in caplog.records[0].getMessage()
    assert 0.0 <= (reply.probability or 0.0) <= 1.0


def test_training_pairs_take_the_reader_s_leading_candidates() -> None:
    from index.answer.verifier_training import NEGATIVES, training_pairs

    leading = [("right", 1.0)] + [(f"wrong {i}", 0.0) for i in range(7)]
    pairs = training_pairs([("q", leading, []), ("q2", [("no", 0.0)], [("deep", 1.0)]), ("q3", [], [])])
    assert ("q", "right", 1.0) in pairs
    assert sum(1 for q, _, y in pairs if q == "q" and y == 0.0) == NEGATIVES
    assert ("q2", "deep", 1.0) in pairs and ("q2", "no", 0.0) in pairs  # the answering one further down
    assert not [p for p in pairs if p[0] == "q3"]
