"""Refusal thresholds by collection size over the real base index: ``thaigov-qa reader refusal`` writes the
thresholds of the indexes it asked over as a size anchor, and a reply reads the thresholds of its own index's
size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.index_base import HUAWEI_URL, BaseIndex, cli_over
from tests.test_reader_training import QUESTIONS

pytestmark = pytest.mark.slow

SHIPPED = Path(__file__).resolve().parents[1] / "index" / "data" / "reader.json"
AREAS = "How many areas does the government's cooperation with Huawei on cloud and AI cover?"


def test_reader_refusal_writes_the_thresholds_of_its_indexes_size(
    base_index: BaseIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from index.answer.model import ReaderModel

    qa = tmp_path / "qa.jsonl"
    held = [*QUESTIONS, {**QUESTIONS[0], "qid": "x1", "fold": "test"}]
    qa.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in held), encoding="utf-8")
    out = tmp_path / "reader.json"
    data = str(base_index.data_dir)
    refusal = ("reader", "refusal", "--on", data)
    assert cli_over(base_index, monkeypatch, *refusal, str(qa), "-o", str(out), "--json") == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    size = ReaderModel.load(out).thresholds.refuse_by_size[0].releases
    assert summary["questions"] == len(QUESTIONS), "the test-fold question chooses nothing"
    own = summary["indexes"][str(Path(data).resolve())]
    assert summary["releases"] == size == own > 0, "the base index's own release count"
    shipped, written = (json.loads(p.read_text(encoding="utf-8")) for p in (SHIPPED, out))
    assert [k for k in shipped if shipped[k] != written[k]] == ["thresholds"]
    others = {k: v for k, v in written["thresholds"].items() if k != "refuse_by_size"}
    assert others == {k: v for k, v in shipped["thresholds"].items() if k != "refuse_by_size"}
    kept = shipped["thresholds"].get("refuse_by_size", [])
    anchor = {"releases": size, "by_lang": summary["by_lang"]}
    assert written["thresholds"]["refuse_by_size"] == [anchor, *kept], "added before the larger sizes"
    assert set(anchor["by_lang"]) == {"en", "th"}

    # Chosen again for the same size: replaced, not added; the text summary says what it replaces.
    assert cli_over(base_index, monkeypatch, *refusal, str(qa), "--model", str(out)) == 0
    said = capsys.readouterr().out
    assert f"refusal thresholds for {size} releases written to {out}" in said and "(was " in said
    assert len(json.loads(out.read_text(encoding="utf-8"))["thresholds"]["refuse_by_size"]) == len(kept) + 1

    # Priced at one standard error of sampling noise: no threshold is lower (these few replies: higher).
    strict = tmp_path / "strict.json"
    assert (
        cli_over(base_index, monkeypatch, *refusal, str(qa), "-o", str(strict), "--noise-z", "1", "--json")
        == 0
    )
    priced = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["by_lang"]
    assert all(priced[lang] >= summary["by_lang"][lang] for lang in ("en", "th"))
    assert priced != summary["by_lang"]

    # A model with no other size: every index would get these thresholds, and the command says so.
    plain = tmp_path / "plain.json"
    spec = json.loads(SHIPPED.read_text(encoding="utf-8"))
    spec["thresholds"].pop("refuse_by_size", None)
    plain.write_text(json.dumps(spec), encoding="utf-8")
    caplog.clear()
    assert cli_over(base_index, monkeypatch, *refusal, str(qa), "--model", str(plain), "-o", str(out)) == 0
    assert "refusal thresholds for one size only" in caplog.text
    capsys.readouterr()

    only_test = tmp_path / "test.jsonl"
    only_test.write_text(json.dumps(held[-1], ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli_over(base_index, monkeypatch, *refusal, str(only_test), "-o", str(out)) == 2
    assert "test-fold questions choose nothing" in capsys.readouterr().err
    assert cli_over(base_index, monkeypatch, *refusal, "-o", str(out)) == 2
    assert "at least one question file" in capsys.readouterr().err


def test_a_reply_reads_the_refusal_thresholds_of_its_index_size(answerer) -> None:  # noqa: ANN001
    from index.answer import Answerer
    from index.answer.model import ReaderModel

    spec, size = answerer.model.spec, answerer.searcher.releases
    assert size == answerer.searcher.reader.manifest["releases"] > 0

    def asked(here: float, elsewhere: float):  # noqa: ANN202 - an index.answer.Answer
        # One anchor at this index's size, another at a size a hundred times larger.
        anchors = [
            {"releases": size, "by_lang": {"en": here, "th": here}},
            {"releases": size * 100, "by_lang": {"en": elsewhere, "th": elsewhere}},
        ]
        model = ReaderModel({**spec, "thresholds": {**spec["thresholds"], "refuse_by_size": anchors}})
        return Answerer(answerer.searcher, answerer.settings, model=model).ask(AREAS)

    answered, refused = asked(0.0, 0.999), asked(0.999, 0.0)
    assert answered.found and answered.evidence
    assert not refused.found and refused.presentation == "refused", "this size's threshold, not the other's"
    assert refused.sources and refused.sources[0].url == answered.sources[0].url, "the same releases closest"


def test_thresholds_meet_a_reply_the_province_check_refuses_as_refused(answerer) -> None:  # noqa: ANN001
    """The replies the thresholds are chosen on count one the province check refuses (the question names a
    province its release never names) as refused at any threshold, as the product serves it."""
    from index.answer.bolding import replies
    from index.answer.training import probabilities

    asked = {"qid": "p1", "lang": "en", "fold": "validation", "gold_urls": [], "answer": ""}
    away = {**asked, "question": "When was the Huawei MOU signed in Phuket?"}
    plain = {**asked, "qid": "p2", "question": "When was the Huawei MOU signed?", "gold_urls": [HUAWEI_URL]}
    got = replies([answerer], [away, plain])
    outs, probs = got.outs, got.probs
    assert [o.elsewhere for o in outs] == [True, False]
    served = answerer.model.thresholds.for_collection(answerer.searcher.releases)
    assert got.refuse.tolist() == [served.refusal("en")] * 2, "the thresholds of this index's size"
    as_scored = probabilities(outs, answerer.model.calibration_for())
    assert as_scored[0] > 0.0 and probs[0] == 0.0, "scored, but never shown"
    assert probs[1] == as_scored[1] > 0.0
    assert not answerer.ask(away["question"]).found, "as the product refuses it"
