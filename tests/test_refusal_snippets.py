"""``bench/refusal_snippets.py``: a refused answerable question counts when a gold release's snippet among
the first three links gives the value; a found reply and an unanswerable question do not; "latest" replies
count when their first link is a newest gold release."""

from __future__ import annotations

from index.answer import Answer, Source
from tests.bench_scripts import bench_script

snippets = bench_script("refusal_snippets")
URL = "https://www.thaigov.go.th/news/contents/details/"


class Replies:
    """Answers given in advance, by question (the counting is what is tested, not the reader)."""

    def __init__(self, replies: dict[str, Answer]) -> None:
        self.replies = replies

    def ask(self, question: str) -> Answer:
        return self.replies[question]


def _refusal(question: str, *sources: tuple[str, str, str]) -> Answer:
    listed = [Source(URL + n, n, date, "", 1.0, snippet) for n, date, snippet in sources]
    return Answer(question, "en", False, None, None, listed)


def test_refusals_count_snippets_that_give_the_value_from_a_gold_release() -> None:
    questions = [
        {"question": "q1", "lang": "en", "style": "short", "gold_urls": [URL + "1"], "answer": "อันดับที่ 25"},
        {"question": "q2", "lang": "th", "gold_urls": [URL + "2"], "answer": "25"},
        {"question": "q3", "lang": "en", "gold_urls": []},
        {"question": "latest rank?", "lang": "en", "gold_urls": [URL + "4", URL + "5"], "answer": "อันดับ 5"},
    ]
    replies = {
        "q1": _refusal("q1", ("9", "2024-01-01", "อันดับที่ 25"), ("1", "2024-01-01", "ไทยอยู่อันดับที่ 25 ของโลก")),
        "q2": _refusal("q2", ("9", "2024-01-01", "25")),  # the value, but not from a gold release
        "q3": _refusal("q3", ("1", "2024-01-01", "x")),
        "latest rank?": _refusal(
            "latest rank?", ("5", "2025-06-01", "อันดับ 5"), ("4", "2023-06-01", "อันดับ 9")
        ),
    }
    dated = {URL + "4": "2023-06-01", URL + "5": "2025-06-01"}
    got = snippets.tally(Replies(replies), questions, dated)
    assert got["all"]["answerable"] == 3 and got["all"]["refused"] == 3
    assert got["all"]["snippet_gives"] == 2 and got["all"]["first_gives"] == 1
    assert got["en"]["latest"] == 1 and got["en"]["latest_newest_first"] == 1
    assert got["th/-"]["snippet_gives"] == 0
    missing = {**questions[3], "gold_urls": [URL + "7"]}  # a gold release the index does not hold
    got = snippets.tally(Replies({"latest rank?": replies["latest rank?"]}), [missing], dated)
    assert got["all"]["latest"] == 1 and got["all"]["latest_newest_first"] == 0
