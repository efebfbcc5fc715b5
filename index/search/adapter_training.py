"""Fitting the query adapter (:mod:`index.search.adapter`) from question sets with folds, over an index.

For each English train/validation question with gold releases: e5's question vector, the stored vectors of
its gold releases' passages, and the nearest passages of other releases (what its dense list ranks above
them today). The map is fitted on the train fold: a softmax over the gold passages, those near misses and a
random sample of the whole archive's passages, pushing the gold ones up (a contrastive loss with an L2 pull
of the map towards zero, i.e. towards e5's own vector). The report is the dense list's recall of the gold
releases over the whole index on the validation fold, before and after.

Why the random sample: fitted against the near misses alone, the map learned to leave them behind and
landed where other passages crowd; over the whole archive the short English questions' dense list then lost
recall (R@5 0.153 -> 0.114 in the lab) instead of gaining it (bench/PERFORMANCE.md, "Stop 26").
Deterministic (a fixed seed for the batches and the archive sample, one torch thread): a retrain over the
same index, with the same torch and numpy builds, writes the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from index.search import rerank
from index.search.adapter import QueryAdapter

if TYPE_CHECKING:  # pragma: no cover
    from index.search.reader import IndexReader
    from index.search.retrieve import Searcher

#: The language whose questions are mapped (Thai questions and the Thai rendering lost recall when mapped).
LANG = "en"
#: Passages of other releases taken from the top of the question's dense list.
NEAR_MISSES = 150
#: The dense list read to find them (and to measure recall).
DEPTH = 300
PARAMS: dict[str, Any] = {
    "l2": 3e-2,  # pull of the map towards zero
    "epochs": 4,
    "batch": 64,
    "lr": 1e-3,
    "temperature": 0.02,
    "corpus_sample": 30_000,  # random passages of the index drawn once
    "corpus_per_batch": 4_096,  # of which each batch competes with
    "seed": 0,
}


@dataclass(frozen=True)
class Example:
    """One English question: e5's vector, its gold passages and the near misses of its dense list, and its
    text as search embeds it (what the query tower, :mod:`index.search.tower_training`, learns from)."""

    fold: str
    style: str
    gold_urls: frozenset[str]
    vector: np.ndarray
    gold: np.ndarray
    near: np.ndarray
    text: str = ""


def collect(
    searcher: Searcher,
    questions: Sequence[dict[str, Any]],
    progress: Callable[[], None] | None = None,
    mapped_near: bool = False,
) -> list[Example]:
    """The examples of the English ``questions`` with gold releases that have stored vectors; with
    ``mapped_near``, the near misses of the searcher's adapter's list too (the query tower's competitors)."""
    adapter = searcher.adapter if mapped_near else None
    asked = english_asked(searcher, questions, progress)
    found = (_example(searcher.reader, q, gold, text, adapter) for q, gold, text in asked)
    return [e for e in found if e is not None]


def english_asked(
    searcher: Searcher, questions: Sequence[dict[str, Any]], progress: Callable[[], None] | None = None
) -> Iterator[tuple[dict[str, Any], frozenset[str], str]]:
    """Each English question of ``questions`` with gold releases: the question, its gold releases and its text
    as search embeds it (``progress`` is called once a question, English or not)."""
    for q in questions:
        gold = frozenset(q.get("gold_urls") or [])
        info = searcher.analyze(str(q["question"])) if gold else None
        if info is not None and info.lang == LANG:
            yield q, gold, info.text
        if progress is not None:
            progress()


def _example(
    reader: IndexReader,
    q: dict[str, Any],
    gold: frozenset[str],
    text: str,
    adapter: QueryAdapter | None = None,
) -> Example | None:
    """``text`` is the question as search embeds it (:class:`index.search.query.QueryInfo`'s text); near
    misses come from e5's dense list, and from ``adapter``'s mapped one too when given."""
    held = reader.release_vectors(sorted(gold))
    if not held:
        return None
    vector = np.asarray(reader.embedder.encode_queries([text])[0], dtype=np.float32)
    lists = [vector] + ([adapter.apply(vector)] if adapter is not None else [])
    return Example(
        fold=str(q.get("fold", "")),
        style=str(q.get("style", "")),
        gold_urls=gold,
        vector=vector,
        gold=np.vstack(list(held.values())).astype(np.float32),
        near=near_misses(reader, lists, gold),
        text=text,
    )


def near_misses(reader: IndexReader, vectors: Sequence[np.ndarray], gold: frozenset[str]) -> np.ndarray:
    """The stored vectors of the first :data:`NEAR_MISSES` passages of other releases in each vector's dense
    list, each passage once, in the order first met."""
    ids: list[int] = []
    for vector in vectors:
        hits = reader.dense(vector, DEPTH)
        url_of = reader.chunk_releases([cid for cid, _ in hits])
        ids += [cid for cid, _ in hits if url_of.get(cid) not in gold][:NEAR_MISSES]
    ids = list(dict.fromkeys(ids))
    near = reader.held_vectors(ids)
    rows = [near[cid] for cid in ids if cid in near]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, len(vectors[0])), np.float32)


def fit(examples: list[Example], corpus: np.ndarray, params: dict[str, Any] | None = None) -> np.ndarray:
    """The map ``A`` (``q' = q + A q``) fitted on ``examples`` against their near misses and ``corpus``."""
    import torch

    p = {**PARAMS, **(params or {})}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same sums in the same order, so the same file every run
    try:
        return _fitted(examples, corpus, p)
    finally:
        torch.set_num_threads(threads)


def _fitted(examples: list[Example], corpus: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    import torch

    dim = corpus.shape[1]
    q, pos, pos_mask, neg, neg_mask = _padded(examples, dim)
    sample = torch.from_numpy(corpus)
    a = torch.zeros(dim, dim, requires_grad=True)
    opt = torch.optim.Adam([a], lr=p["lr"])
    rng = np.random.default_rng(p["seed"])
    for _ in range(p["epochs"]):
        for batch in np.array_split(rng.permutation(len(examples)), max(1, len(examples) // p["batch"])):
            idx = torch.from_numpy(batch)
            drawn = sample[
                torch.from_numpy(
                    rng.choice(len(corpus), min(len(corpus), p["corpus_per_batch"]), replace=False)
                )
            ]
            mapped = q[idx] + q[idx] @ a.T
            mapped = mapped / mapped.norm(dim=1, keepdim=True)
            competing = (neg[idx], neg_mask[idx], drawn)
            loss = contrastive_loss(mapped, (pos[idx], pos_mask[idx]), competing, p["temperature"])
            loss = loss + p["l2"] * (a**2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return a.detach().numpy()


def contrastive_loss(
    q: Any, gold: tuple[Any, Any], competing: tuple[Any, Any, Any], temperature: float
) -> Any:
    """The mean over a batch of question vectors ``q`` of a softmax at ``temperature`` that pushes each
    question's gold passages (padded, with their mask) above its near misses (padded, with their mask) and
    the passages drawn from the archive (shared by the batch): the adapter's loss and the query tower's."""
    import torch

    (pos, pos_mask), (neg, neg_mask, drawn) = gold, competing
    s_pos = torch.einsum("bd,bkd->bk", q, pos) / temperature
    s_pos = s_pos.masked_fill(~pos_mask, -1e4)
    s_neg = torch.einsum("bd,bkd->bk", q, neg) / temperature
    s_neg = s_neg.masked_fill(~neg_mask, -1e4)
    s_rand = q @ drawn.T / temperature
    every = torch.cat([s_pos, s_neg, s_rand], dim=1)
    return (torch.logsumexp(every, 1) - torch.logsumexp(s_pos, 1)).mean()


def pad(blocks: list[np.ndarray], dim: int) -> tuple[Any, Any]:
    """Blocks of ``dim``-wide rows as one zero-padded tensor (block, row, dim) and its mask of real rows."""
    import torch

    width = max(1, max(len(b) for b in blocks))
    out = np.zeros((len(blocks), width, dim), np.float32)
    mask = np.zeros((len(blocks), width), bool)
    for i, b in enumerate(blocks):
        out[i, : len(b)] = b
        mask[i, : len(b)] = True
    return torch.from_numpy(out), torch.from_numpy(mask)


def _padded(examples: list[Example], dim: int) -> tuple[Any, ...]:
    """Questions, gold and near-miss passages as padded tensors with masks (one row per example)."""
    import torch

    q = torch.from_numpy(np.vstack([e.vector for e in examples]))
    return (q, *pad([e.gold for e in examples], dim), *pad([e.near for e in examples], dim))


def gold_ranks(reader: IndexReader, examples: list[Example], adapter: QueryAdapter | None) -> list[int]:
    """Each question's best gold release's place (from 0; :data:`DEPTH` when absent) among the distinct
    releases of its dense list over the whole index, searched with e5's vector or the mapped one."""
    ranks = []
    for e in examples:
        vector = adapter.apply(e.vector) if adapter is not None else e.vector
        found = reader.dense(vector, DEPTH)
        listed = rerank.list_hits(found, reader.chunk_releases([cid for cid, _ in found]))
        ranks.append(min((listed[u].rank for u in e.gold_urls if u in listed), default=DEPTH + 1) - 1)
    return ranks


def recall(ranks: list[int]) -> dict[str, float]:
    """Recall@1/5/30 of :func:`gold_ranks`' places."""
    n = max(len(ranks), 1)
    return {f"r@{k}": round(sum(r < k for r in ranks) / n, 4) for k in (1, 5, 30)} | {"questions": len(ranks)}


def train(reader: IndexReader, examples: list[Example], model: str) -> tuple[QueryAdapter, dict[str, Any]]:
    """The map fitted on the train fold, and what it does to the validation fold's dense lists (all and
    per question style)."""
    fitting = [e for e in examples if e.fold == "train"]
    if not fitting:
        raise ValueError("the query adapter needs English train questions with gold releases in the index")
    corpus = reader.sample_vectors(PARAMS["corpus_sample"], seed=PARAMS["seed"])
    adapter = QueryAdapter(fit(fitting, corpus), LANG, model)
    val = [e for e in examples if e.fold == "validation"]
    ranks = {"e5": gold_ranks(reader, val, None), "mapped": gold_ranks(reader, val, adapter)}
    report: dict[str, Any] = {}
    for style in ["", *sorted({e.style for e in val if e.style})]:
        part = [i for i, e in enumerate(val) if not style or e.style == style]
        report[style or "all"] = {name: recall([r[i] for i in part]) for name, r in ranks.items()}
    return adapter, report
