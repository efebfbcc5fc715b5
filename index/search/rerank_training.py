"""Learning the re-ranking model (:mod:`index.search.rerank`) from question sets with folds.

For each train/validation question with gold releases, search without the second look, take the fused top
:data:`index.search.rerank.TOP` and their features, label the gold releases; fit one logistic regression
per question language (scikit-learn, lbfgs: deterministic) on the train fold to report what it does on
the validation fold (recall@1/@5 before and after), then on both folds for the shipped file. Why logistic:
eight features and a thousand questions; the weights can be read, and it scores in microseconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.search import rerank

if TYPE_CHECKING:  # pragma: no cover
    from index.search.retrieve import Searcher


@dataclass(frozen=True)
class Example:
    """One question's fused top: its features and which rows are gold releases."""

    lang: str
    fold: str
    rows: np.ndarray
    gold: np.ndarray


def collect(
    searcher: Searcher, questions: Sequence[dict], progress: Callable[[], None] | None = None
) -> list[Example]:  # type: ignore[type-arg]
    """The examples of ``questions`` that have gold releases, from ``searcher`` without its second look."""
    saved, searcher.reranker = searcher.reranker, None
    out = []
    try:
        for q in questions:
            gold = set(q.get("gold_urls") or [])
            if gold:
                out.append(_example(searcher, q, gold))
            if progress is not None:
                progress()
    finally:
        searcher.reranker = saved
    return out


def _example(searcher: Searcher, q: dict, gold: set[str]) -> Example:  # type: ignore[type-arg]
    text = str(q["question"])
    hits = searcher.search(text, k=rerank.TOP)
    info = searcher.analyze(text)
    question = searcher.query_vector(text)
    rendering = searcher.translation(info) if info.lang == "en" else ""
    other = searcher.reader.embedder.encode_queries([rendering])[0] if rendering else None
    candidates = [rerank.Candidate(h.url, h.score, h.lang) for h in hits]
    vectors = searcher.reader.release_vectors([h.url for h in hits])
    rows = rerank.features(candidates, vectors, question, other, info.lang)
    labels = np.asarray([h.url in gold for h in hits], dtype=bool)
    return Example(info.lang, str(q.get("fold", "")), rows, labels)


def _fit(examples: list[Example]) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([e.rows for e in examples if len(e.rows)])
    y = np.concatenate([e.gold for e in examples if len(e.rows)])
    if y.all() or not y.any():
        raise ValueError("the re-ranker needs gold and non-gold releases among the fused top")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


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


def _spec(fits: dict[str, tuple[np.ndarray, float]]) -> dict[str, object]:
    models = {
        lang: {"coef": [round(float(c), 6) for c in coef], "intercept": round(b, 6)}
        for lang, (coef, b) in sorted(fits.items())
    }
    return {"features": list(rerank.FEATURES), "top": rerank.TOP, "models": models}


def train(examples: list[Example]) -> dict[str, object]:
    """The model spec (fitted on train + validation) and, under ``validation``, what the train-only fit
    does on the validation fold per language."""
    langs = sorted({e.lang for e in examples})
    train_only = {lang: _fit([e for e in examples if e.lang == lang and e.fold == "train"]) for lang in langs}
    held_out = rerank.Reranker.from_spec(_spec(train_only))
    report = {}
    for lang in langs:
        val = [e for e in examples if e.lang == lang and e.fold == "validation"]
        report[lang] = {"fused": recall(val, None), "reranked": recall(val, held_out)}
    spec = _spec({lang: _fit([e for e in examples if e.lang == lang]) for lang in langs})
    spec["validation"] = report
    return spec


def write(spec: dict[str, object], path: Path) -> None:
    """The model file, byte-identical for the same examples."""
    path.write_text(json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8")
