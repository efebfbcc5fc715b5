"""Bold short answers over the real base index: ``thaigov-qa reader bold`` chooses only the bold thresholds
of a model as it is, and a reply the reader is unsure of shows its short answer in bold when the span
model alone is sure enough of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.answer.thresholds import MIN_BOLD_SUPPORT
from tests.index_base import HUAWEI_URL, BaseIndex, cli_over
from tests.test_reader_training import QUESTIONS

pytestmark = pytest.mark.slow

SHIPPED = Path(__file__).resolve().parents[1] / "index" / "data" / "reader.json"
AREAS = "How many areas does the government's cooperation with Huawei on cloud and AI cover?"


def test_reader_bold_rechooses_only_the_bold_thresholds(
    base_index: BaseIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    qa = tmp_path / "qa.jsonl"
    held = [*QUESTIONS, {**QUESTIONS[0], "qid": "x1", "fold": "test"}]
    qa.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in held), encoding="utf-8")
    out = tmp_path / "reader.json"
    assert cli_over(base_index, monkeypatch, "reader", "bold", str(qa), "-o", str(out), "--json") == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["questions"] == len(QUESTIONS), "the test-fold question chooses nothing"
    assert summary["min_support"] == MIN_BOLD_SUPPORT
    assert summary["bold_by_lang"] == {}, "a handful of replies is too few to trust any threshold"
    shipped, written = (json.loads(p.read_text(encoding="utf-8")) for p in (SHIPPED, out))
    assert [k for k in shipped if shipped[k] != written[k]] == ["thresholds"]
    others = {k: v for k, v in written["thresholds"].items() if k != "bold_by_lang"}
    assert others == {k: v for k, v in shipped["thresholds"].items() if k != "bold_by_lang"}
    assert written["thresholds"]["bold_by_lang"] == {}
    assert summary["previous"] == shipped["thresholds"]["bold_by_lang"], "what it replaces is said"

    again = ("reader", "bold", str(qa), "-o", str(out), "--model", str(out))
    assert cli_over(base_index, monkeypatch, *again) == 0
    said = capsys.readouterr().out
    assert "bold thresholds written to" in said and "en: none (was none)" in said

    only_test = tmp_path / "test.jsonl"
    only_test.write_text(json.dumps(held[-1], ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli_over(base_index, monkeypatch, "reader", "bold", str(only_test), "-o", str(out)) == 2
    assert "test-fold questions choose nothing" in capsys.readouterr().err


def test_an_unsure_reply_shows_a_short_answer_the_span_model_is_sure_of(answerer) -> None:  # noqa: ANN001
    from index.answer import Answerer
    from index.answer.model import ReaderModel

    spec = answerer.model.spec

    def asked(bold: dict[str, float]):  # noqa: ANN202 - an index.answer.Answer
        model = ReaderModel({**spec, "thresholds": {**spec["thresholds"], "bold_by_lang": bold}})
        return Answerer(answerer.searcher, answerer.settings, model=model).ask(AREAS)

    before = asked({})
    assert before.found and before.presentation == "hedged" and before.answer is None
    after = asked({"en": 0.0})
    assert after.presentation == "asserted" and after.answer and "4" in after.answer
    assert after.evidence == before.evidence and after.sources == before.sources, "the same passage and links"
    assert after.answers[0].answer == after.answer
    assert all(a.answer is None for a in after.answers[1:]), "other releases listed keep their quotes"
    assert asked({"th": 0.0}).answer is None, "another language's threshold does not apply"

    def within(bold: dict[str, float]):  # noqa: ANN202 - an index.answer.Answer
        # An assert threshold no reply reaches: a short answer could only come from the bold threshold.
        unsure = {"assert": 0.999, "assert_by_lang": {"en": 0.999, "th": 0.999}, "bold_by_lang": bold}
        model = ReaderModel({**spec, "thresholds": {**spec["thresholds"], **unsure}})
        return Answerer(answerer.searcher, answerer.settings, model=model).ask(AREAS, within=HUAWEI_URL)

    plain, sure = within({}), within({"en": 0.0})
    assert plain.found and plain.answer is None and plain.presentation == "hedged"
    assert (sure.answer, sure.presentation) == (None, "hedged"), (
        "a reply within one release (a follow-up) was not chosen on: bold only through the assert route"
    )
