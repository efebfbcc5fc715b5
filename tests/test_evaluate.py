"""Evaluation metrics on a tiny synthetic run: recall over distinct releases, MRR, answers, abstention."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from index.evaluate import (
    BadQuestionSet,
    answer_is_correct,
    evaluate,
    format_table,
    load_questions,
    several_answers,
    summarize,
)

U = "https://www.thaigov.go.th/news/contents/details/"


@dataclass
class Src:
    url: str


@dataclass
class Rel:
    url: str
    date: str


@dataclass
class Ans:
    found: bool
    answer: str
    evidence: str
    sources: list[Src] = field(default_factory=list)
    presentation: str = "asserted"
    answers: list[Rel] = field(default_factory=list)


QUESTIONS = [
    {
        "qid": "1",
        "lang": "en",
        "type": "when",
        "question": "q1",
        "gold_urls": [U + "1"],
        "answer": "18 ธ.ค. 2566",
        "answer_aliases": ["18 December 2023"],
    },
    {
        "qid": "2",
        "lang": "th",
        "type": "how_many",
        "question": "q2",
        "gold_urls": [U + "2", U + "22"],
        "answer": "1,234 คน",
        "answer_aliases": [],
    },
    {
        "qid": "3",
        "lang": "th",
        "type": "who",
        "question": "q3",
        "gold_urls": [U + "3"],
        "answer": "x",
        "answer_aliases": [],
    },
    {"qid": "4", "lang": "en", "type": "unanswerable", "question": "q4", "gold_urls": []},
]
RANKED = {
    "q1": [U + "9", U + "9", U + "1"],  # the repeat of 9 does not count: gold is the 2nd distinct release
    "q2": [U + "22"],
    "q3": [U + str(i) for i in range(10, 30)],  # gold absent
    "q4": [U + "5"],
}
ANSWERS = {
    "q1": Ans(True, "18 December 2023", "", [Src(U + "1")]),
    # thousands separator and spaces ignored; both gold releases listed, dated
    "q2": Ans(
        True,
        "1234 คน",
        "…",
        [Src(U + "2")],
        answers=[Rel(U + "2", "2023-01-02"), Rel(U + "22", "2024-01-02")],
    ),
    "q3": Ans(False, "", "", [Src(U + "10"), Src(U + "11"), Src(U + "12"), Src(U + "3")]),  # gold 4th: unseen
    "q4": Ans(False, "", "", []),
}


def test_metrics_on_a_synthetic_run() -> None:
    results = evaluate(QUESTIONS, lambda q: RANKED[q], lambda q: ANSWERS[q])
    assert [r.rank for r in results] == [2, 1, None, None]
    s = summarize(results)
    o = s["overall"]
    assert o["answerable"] == 3
    assert o["recall"] == {"r@1": round(1 / 3, 4), "r@5": round(2 / 3, 4), "r@10": round(2 / 3, 4)}
    assert o["mrr10"] == round((1 / 2 + 1) / 3, 4)
    assert o["answer_accuracy"] == round(2 / 3, 4)
    assert o["unanswerable_refused"] == 1.0
    assert o["answerable_refused"] == round(1 / 3, 4)
    assert s["by_lang"]["en"]["recall"]["r@1"] == 0.0
    assert s["by_type"]["how_many"]["mrr10"] == 1.0
    assert "lang=en" in format_table(s)
    assert (o["several"], o["several_named"], o["latest"], o["latest_leads"]) == (1, 1.0, 0, None)
    assert (o["others_listed"], o["others_gold"]) == (1, 1.0)
    assert o["refused_linked"] == 0.0  # q3's gold release is its 4th link, past the 3 a reply shows
    refused_linking = dict(ANSWERS, q3=Ans(False, "", "", [Src(U + "10"), Src(U + "3")]))
    linking = summarize(evaluate(QUESTIONS, lambda q: RANKED[q], lambda q: refused_linking[q]))
    assert linking["overall"]["refused_linked"] == 1.0 and linking["by_lang"]["en"]["refused_linked"] is None


def test_latency_is_read_where_a_step_runs_first() -> None:
    """A question's search and answer share per-question caches (the second runs warm): the order
    alternates, and each latency figure reads only the questions where that step ran first."""
    import time

    seen: set[str] = set()

    def cold_once(q: str) -> None:  # the first step to see a question pays 30 ms, the second nothing
        if q not in seen:
            seen.add(q)
            time.sleep(0.03)

    def search(q: str) -> list[str]:
        cold_once(q)
        return RANKED[q]

    def ask(q: str) -> Ans:
        cold_once(q)
        return ANSWERS[q]

    results = evaluate(QUESTIONS, search, ask)
    assert [r.ask_first for r in results] == [True, False] * 2
    latency = summarize(results)["latency"]
    assert latency["ask_p50_ms"] >= 25 and latency["search_p50_ms"] >= 25, latency
    assert summarize(evaluate(QUESTIONS, search))["latency"]["search_p50_ms"] < 25, "all warm now"


def test_several_answers_named_dated_and_the_newest_leading() -> None:
    q = {"question": "What is the policy rate now?", "gold_urls": [U + "1", U + "2", U + "3"]}
    dates = {U + "1": "2022-01-01", U + "2": "2023-06-01", U + "3": "2024-03-01"}
    both = [Rel(U + "3", "2024-03-01"), Rel(U + "1", "2022-01-01"), Rel(U + "9", "2024-05-01")]
    assert several_answers(q, Ans(True, "", "", answers=both), dates.get) == (2, True)
    # An older gold release first does not lead with the newest; an undated entry is not named.
    older = [Rel(U + "1", "2022-01-01"), Rel(U + "3", "")]
    assert several_answers(q, Ans(True, "", "", answers=older), dates.get) == (1, False)
    # A refusal names none; a question with one gold release or not asking for the latest is not measured.
    assert several_answers(q, Ans(False, "", "", answers=both), dates.get) == (0, False)
    assert several_answers({**q, "gold_urls": [U + "1"]}, Ans(True, "", "", answers=both), dates.get) == (
        None,
        None,
    )
    assert (
        several_answers({**q, "question": "What is the rate?"}, Ans(True, "", "", answers=both), dates.get)[1]
        is None
    )
    assert several_answers({**q, "latest": False}, Ans(True, "", "", answers=both), dates.get)[1] is None
    # Gold releases of one date: nothing is newer, the lead is not measured.
    same = {u: "2024-03-01" for u in dates}
    assert several_answers(q, Ans(True, "", "", answers=both), same.get) == (2, None)
    results = evaluate(
        [{**q, "lang": "en", "qid": "x"}],
        lambda _: [U + "3"],
        lambda _: Ans(True, "", "", [Src(U + "3")], answers=both),
        dated=dates.get,
    )
    m = summarize(results)["by_lang"]["en"]
    assert (m["several"], m["several_named"], m["latest"], m["latest_leads"]) == (1, 1.0, 1, 1.0)
    assert (m["others_listed"], m["others_gold"]) == (2, 0.5), (
        "U1 and U9 are listed beside the answer; U9 is not gold"
    )


def test_answer_needs_gold_first_source_and_matching_text() -> None:
    q = QUESTIONS[0]
    assert answer_is_correct(q, Ans(True, "", "signed on 18 ธ.ค. 2566 in Bangkok", [Src(U + "1")]))
    assert not answer_is_correct(q, Ans(True, "18 December 2023", "", [Src(U + "7"), Src(U + "1")]))
    assert not answer_is_correct(q, Ans(True, "19 December 2023", "", [Src(U + "1")]))
    # Evidence counts up to 400 characters only.
    assert not answer_is_correct(q, Ans(True, "", "x" * 400 + "18 December 2023", [Src(U + "1")]))


def test_bad_question_file_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "qa.jsonl"
    p.write_text(json.dumps({"question": "ok", "gold_urls": []}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(BadQuestionSet, match=":2:"):
        load_questions(p)
    with pytest.raises(BadQuestionSet, match="not found"):
        load_questions(tmp_path / "missing.jsonl")
    # Each of these was a traceback, or (a URL string as gold_urls) silently scored as a list of characters.
    ok = json.dumps({"question": "ok"}) + "\n"
    for body, why in (
        (ok.encode() + b'{"question": "bad \xff\xfe"}\n', "not UTF-8"),
        (ok.encode() + b"[" * 100_000 + b"\n", "not JSON"),
        ((ok + json.dumps({"question": "q", "gold_urls": 5}) + "\n").encode(), "gold_urls"),
        ((ok + json.dumps({"question": "q", "gold_urls": "https://x/1"}) + "\n").encode(), "gold_urls"),
        ((ok + json.dumps({"question": "q", "gold_urls": [{"u": 1}]}) + "\n").encode(), "gold_urls"),
        ((ok + json.dumps({"question": "q", "answer_aliases": "closed"}) + "\n").encode(), "answer_aliases"),
    ):
        p.write_bytes(body)
        with pytest.raises(BadQuestionSet, match=f":2: .*{why}"):
            load_questions(p)
    p.write_bytes(b"\xef\xbb\xbf" + ok.encode())  # a byte-order mark is read past
    assert load_questions(p)[0]["question"] == "ok"
