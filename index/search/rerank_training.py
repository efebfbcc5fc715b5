"""Learning the second look (:mod:`index.search.rerank`) from question sets with folds.

For each train/validation question with gold releases, search without the second look, take the fused top
:data:`index.search.rerank.TOP` and their features, label the gold releases; fit one LightGBM LambdaRank
ensemble per question language on the train fold to report what it does on the validation fold (recall@1/@5
before and after, by question style too); that fit is the shipped file (see :func:`train`).

Why LambdaRank trees rather than the logistic regression this replaced: what the lists say combines in ways
a weighted sum misses (a lexical list's wide margin matters when the dense lists disagree, a title's words
matter for short questions), and the ranking objective rewards exactly what search is judged on, the gold
release above the others of the same question. Over the whole archive, on the validation folds of the
repository's question sets, the ensembles fitted on the train folds move recall@1 0.574 -> 0.609 and
recall@5 0.814 -> 0.841, where the logistic model over the first eight features, fitted the same way, gave
0.582 / 0.823 (bench/PERFORMANCE.md, "Stop 25").
Small trees and few rounds: ~3,000 questions of 30 releases each. Deterministic (one thread, fixed seed), so
a retrain over the same index writes the same file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.search import rerank
from index.trees import TreeEnsemble, slim

if TYPE_CHECKING:  # pragma: no cover
    from index.search.retrieve import Searcher

PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 10,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": 15,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
ROUNDS = 200


@dataclass(frozen=True)
class Example:
    """One question's fused top: its features and which rows are gold releases."""

    lang: str
    fold: str
    style: str
    rows: np.ndarray
    gold: np.ndarray


def collect(
    searcher: Searcher, questions: Sequence[dict[str, Any]], progress: Callable[[], None] | None = None
) -> list[Example]:
    """The examples of ``questions`` that have gold releases, from ``searcher``'s fused order.

    Train-fold questions are searched without the query adapter (:mod:`index.search.adapter`), the others
    with it, as they are served. Why: the adapter was fitted on the train questions, so their mapped dense
    lists are better than any unseen question's, and trees fitted on them trusted the dense list too much
    (whole archive, English validation R@1 / R@5 0.474 / 0.740, against 0.549 / 0.778 for trees fitted on
    e5's lists and serving mapped ones, and 0.532 / 0.775 for trees fitted on cross-fitted maps;
    bench/PERFORMANCE.md, "Stop 26")."""
    out = []
    for q in questions:
        gold = set(q.get("gold_urls") or [])
        if gold:
            adapted = q.get("fold") != "train"
            hits, rows, lang = searcher.second_look_rows(str(q["question"]), adapted=adapted)
            labels = np.asarray([h.url in gold for h in hits], dtype=bool)
            out.append(Example(lang, str(q.get("fold", "")), str(q.get("style", "")), rows, labels))
        if progress is not None:
            progress()
    return out


def _fit(examples: list[Example]) -> dict[str, Any]:
    """A slim LightGBM dump ranking the rows of each example."""
    import lightgbm as lgb

    kept = [e for e in examples if len(e.rows)]
    y = np.concatenate([e.gold for e in kept]).astype(int) if kept else np.zeros(0)
    if not y.any() or y.all():
        raise ValueError("the re-ranker needs gold and non-gold releases among the fused top")
    x = np.vstack([e.rows for e in kept])
    data = lgb.Dataset(x, y, group=[len(e.rows) for e in kept], feature_name=list(rerank.FEATURES))
    return slim(lgb.train(PARAMS, data, num_boost_round=ROUNDS).dump_model())


def recall(examples: list[Example], model: rerank.Reranker | None) -> dict[str, float]:
    """Recall@1 and @5 of the gold releases, in the fused order or the model's."""
    r1 = r5 = 0
    for e in examples:
        order = model.order(e.rows, e.lang) if model is not None else list(range(len(e.rows)))
        gold = [bool(e.gold[i]) for i in order]
        r1 += bool(gold[:1] and gold[0])
        r5 += any(gold[:5])
    n = max(len(examples), 1)
    return {"r@1": round(r1 / n, 4), "r@5": round(r5 / n, 4), "questions": len(examples)}


def _spec(fits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    models = {lang: {"trees": trees} for lang, trees in sorted(fits.items())}
    return {"features": list(rerank.FEATURES), "top": rerank.TOP, "models": models}


def train(examples: list[Example]) -> dict[str, Any]:
    """The model spec, fitted on the train fold, and under ``validation`` what it does on the validation
    fold per language and per language and style.

    Why the train fold alone, when the reader's other models refit on both: the shipped file is exactly
    what the validation figures describe, and those figures are what chose it (and what a retrain is
    compared by)."""
    langs = sorted({e.lang for e in examples})
    fits = {lang: _fit([e for e in examples if e.lang == lang and e.fold == "train"]) for lang in langs}
    model = rerank.Reranker({lang: TreeEnsemble(trees) for lang, trees in fits.items()})
    report: dict[str, Any] = {}
    val = [e for e in examples if e.fold == "validation"]
    groups = sorted({(e.lang, e.style) for e in val})
    for key in [(lang, "") for lang in langs] + [g for g in groups if g[1]]:
        part = [e for e in val if e.lang == key[0] and (not key[1] or e.style == key[1])]
        name = "/".join(k for k in key if k)
        report[name] = {"fused": recall(part, None), "reranked": recall(part, model)}
    spec = _spec(fits)
    spec["validation"] = report
    return spec


def write(spec: dict[str, Any], path: Path) -> None:
    """The model file, byte-identical for the same examples (compact: it ships in the repository)."""
    path.write_text(json.dumps(spec, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
