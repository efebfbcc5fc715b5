"""Where answers are lost: each answerable question's reply as shipped beside the reply it would get if
nothing were refused (the top pick), and the top pick's accuracy and wrong-answer rate at other refusal
thresholds.

Why: accuracy alone does not say what to work on. A refused reply whose top pick was right is the
calibration's loss; a top pick from the right release but the wrong sentence is the reader's; a top pick from
another release is retrieval's or the reader's; no right release among the fused hits is retrieval's alone.
The curve says whether the thresholds or the probability's discrimination are the limit (docs/answers.md,
"Stop 34": on fresh questions, lower thresholds buy accuracy at 1.5-2 wrong replies per right one).

    DATA_DIR=<index> python bench/answer_losses.py eval/qa6.jsonl eval/qa7.jsonl [--fold validation] [--json]

Run from the root of the checkout whose code is measured; ~0.1 s a question (each is analysed twice).
The top pick still passes the province check (index/answer/places.py): one from a release that never names
the province asked about counts as not right, at its probability.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from index.answer.model import Thresholds

#: The loss categories, in the order the table lists them.
CATEGORIES = (
    "right",
    "refused, top pick right",
    "refused, top pick: gold release, wrong sentence",
    "refused, top pick: another release",
    "refused, no gold release among the hits",
    "presented, wrong",
)
#: Refusal thresholds the top pick's curve is read at.
TAUS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True)
class Row:
    """One question's outcome: the shipped reply and the top pick."""

    lang: str
    style: str
    answerable: bool
    refused: bool
    correct: bool
    top_correct: bool
    top_gold_release: bool
    gold_in_hits: bool
    top_p: float


def category(row: Row) -> str:
    """The loss category of an answerable question (see :data:`CATEGORIES`)."""
    if row.correct:
        return CATEGORIES[0]
    if not row.refused:
        return CATEGORIES[5]
    if row.top_correct:
        return CATEGORIES[1]
    if not row.gold_in_hits:
        return CATEGORIES[4]
    return CATEGORIES[2] if row.top_gold_release else CATEGORIES[3]


def shares(rows: Sequence[Row]) -> dict[str, float]:
    """Each category's share of the answerable questions, and the top pick's accuracy."""
    answerable = [r for r in rows if r.answerable]
    n = len(answerable) or 1
    counts = Counter(category(r) for r in answerable)
    out = {c: round(counts[c] / n, 4) for c in CATEGORIES}
    out["top pick right"] = round(sum(r.top_correct for r in answerable) / n, 4)
    return out


def curve(rows: Sequence[Row], taus: Sequence[float] = TAUS) -> list[dict[str, float]]:
    """The top pick presented from probability ``tau`` up: accuracy over the answerable questions, wrong
    replies (a wrong top pick, or any reply to an unanswerable question) over all questions."""
    n_ans = sum(r.answerable for r in rows) or 1
    out = []
    for tau in taus:
        shown = [r for r in rows if r.top_p >= tau]
        right = sum(r.answerable and r.top_correct for r in shown)
        wrong = sum(not (r.answerable and r.top_correct) for r in shown)
        out.append(
            {"tau": tau, "accuracy": round(right / n_ans, 4), "wrong": round(wrong / (len(rows) or 1), 4)}
        )
    return out


def never_refusing(thresholds: Thresholds) -> Thresholds:
    """``thresholds`` with every refusal threshold at 0, the size
    anchors' too (``for_collection`` would otherwise put an index's size's thresholds back, as it did here
    from stop 51 to stop 54: every refused reply stayed refused and counted as the reader's loss)."""
    by_lang = tuple((lang, 0.0) for lang, _ in thresholds.refuse_by_lang)
    return dataclasses.replace(thresholds, refuse=0.0, refuse_by_lang=by_lang, refuse_by_size=())


def outcome(answerer: Any, question: dict[str, Any]) -> Row:
    """Ask as shipped, then decide the same analysis with no refusal threshold."""
    from index.scoring import answer_is_correct

    gold = set(question.get("gold_urls") or [])
    reply = answerer.ask(question["question"])
    analysis = answerer.analyse(question["question"])
    top = None
    if analysis is not None and analysis.candidates:
        never = never_refusing(answerer.model.thresholds)
        top = answerer.decide(analysis, answerer.model.scores(analysis.features), never)
    return Row(
        lang=question.get("lang", ""),
        style=question.get("style", ""),
        answerable=bool(gold),
        refused=not reply.found,
        correct=bool(gold) and answer_is_correct(question, reply),
        top_correct=bool(gold) and top is not None and answer_is_correct(question, top),
        top_gold_release=bool(top and top.sources and top.sources[0].url in gold),
        gold_in_hits=bool(analysis and any(h.url in gold for h in analysis.hits)),
        top_p=float(top.probability) if top is not None and top.probability is not None else 0.0,
    )


def report(rows: Sequence[Row]) -> dict[str, Any]:
    """Shares and curve for all questions and per language and style."""
    groups: dict[str, list[Row]] = {"all": list(rows)}
    for r in rows:
        groups.setdefault(r.lang, []).append(r)
        groups.setdefault(f"{r.lang}/{r.style}", []).append(r)
    return {
        name: {
            "questions": len(g),
            "answerable": sum(r.answerable for r in g),
            **shares(g),
            "curve": curve(g),
        }
        for name, g in sorted(groups.items())
    }


def main() -> int:
    from _common import fold_questions, question_parser  # the checkout measured, first on the path

    from index.cli.opening import open_service
    from thaigov_qa.settings import Settings

    args = question_parser(__doc__).parse_args()
    questions = fold_questions(args)
    answerer = open_service(Settings()).answerer()
    got = report([outcome(answerer, q) for q in questions])
    if args.json:
        print(json.dumps(got))
        return 0
    for name, g in got.items():
        head = f"{name}: {g['answerable']} answerable of {g['questions']}"
        print(f"{head}; top pick right {g['top pick right']:.3f}")
        for c in CATEGORIES:
            print(f"  {c:50s} {g[c]:.3f}")
        print(
            "  curve (tau: accuracy / wrong): "
            + ", ".join(f"{x['tau']:.1f}: {x['accuracy']:.3f} / {x['wrong']:.3f}" for x in g["curve"])
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
