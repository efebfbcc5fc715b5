"""Fine-tuning the query tower (:mod:`index.search.tower`) from question sets with folds, over an index.

For each English train/validation question with gold releases: the question as search embeds it, the stored
vectors of its gold releases' passages, and the passages of other releases high in its dense lists (e5's and
the adapter's). The top :data:`LAYERS` layers of the index's e5 model learn, on the train fold, to place the
question where its gold passages are: the query adapter's loss and competitors (a softmax at temperature 0.02
over the gold passages, those near misses and passages drawn from a random sample of the archive). The
passages' vectors are the index's own and do not move: nothing is rebuilt. The report is the English dense
list's recall of the gold releases over the whole index on the validation fold, with e5's vector, the
adapter's and the tower's.

Why these settings (docs/answers.md, "Stop 52", chosen on the validation folds): 4 layers did as well as 8
or 12, 6 epochs better than 3; one tower for Thai questions too moved their lists by -0.06 to +0.01, so only
English questions are served. Deterministic (one torch thread, fixed seeds): the same questions over the same
index, with the same torch build, write the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.search import adapter_training
from index.search.adapter_training import Example
from index.search.tower import QueryTower

if TYPE_CHECKING:  # pragma: no cover
    from index.search.reader import IndexReader
    from index.search.retrieve import Searcher

LANG = adapter_training.LANG  # English questions only: the tower for Thai ones too moved them by -0.06
LAYERS = 4
#: The English dense list's fusion weight while the tower serves it (``Weights.en_dense`` is 0.5): at 1.0 the
#: whole archive's English validation questions find their release first more often (R@1 0.641 -> 0.670; at
#: 0.5, 0.648), answers as often.
FUSION_WEIGHT = 1.0
PARAMS: dict[str, Any] = {
    "epochs": 6,
    "batch": 32,
    "lr": 5e-5,
    "warmup": 20,
    "temperature": 0.02,
    "corpus_sample": 60_000,
    "corpus_per_batch": 4_096,
    "max_tokens": 64,
    "seed": 0,
}


def collect(
    searcher: Searcher, questions: Sequence[dict[str, Any]], progress: Callable[[], None] | None = None
) -> list[Example]:
    """The examples of the English ``questions`` with gold releases that have stored vectors, their near
    misses from e5's dense list and the adapter's."""
    return adapter_training.collect(searcher, questions, progress, mapped_near=True)


class TunedModel:
    """e5 (``model``) with its top ``layers`` layers learning; ``encode`` gives unit question vectors."""

    def __init__(self, model: str, layers: int = LAYERS, max_tokens: int = PARAMS["max_tokens"]) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModel.from_pretrained(model)
        self.max_tokens = max_tokens
        total = len(self.model.encoder.layer)
        #: the state-dict prefixes of the layers that learn (what the tower file holds)
        self.prefixes = tuple(f"encoder.layer.{i}." for i in range(total - layers, total))
        for name, p in self.model.named_parameters():
            p.requires_grad = name.startswith(self.prefixes)

    def forward(self, texts: Sequence[str]) -> Any:
        """Mean-pooled, normalised ``query:`` vectors as e5 makes them (a torch tensor, with gradients)."""
        import torch

        batch = self.tokenizer(
            ["query: " + t for t in texts],
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
        )
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.model.eval()
        with torch.no_grad():
            return np.vstack([self.forward(texts[i : i + 64]).numpy() for i in range(0, len(texts), 64)])

    def learned(self) -> dict[str, np.ndarray]:
        """The learning layers' weights, by state-dict name."""
        state = self.model.state_dict()
        return {k: v.detach().numpy().copy() for k, v in state.items() if k.startswith(self.prefixes)}


def loss(tuned: TunedModel, batch: list[Example], drawn: np.ndarray, temperature: float) -> Any:
    """The batch's contrastive loss: each question's gold passages against its near misses and ``drawn``
    (:func:`index.search.adapter_training.contrastive_loss`)."""
    import torch

    at = adapter_training
    q = tuned.forward([e.text for e in batch])
    dim = int(q.shape[1])
    gold = at.pad([e.gold for e in batch], dim)
    neg, neg_mask = at.pad([e.near for e in batch], dim)
    return at.contrastive_loss(q, gold, (neg, neg_mask, torch.from_numpy(drawn)), temperature)


def fine_tune(
    tuned: TunedModel, train: list[Example], corpus: np.ndarray, params: dict[str, Any] | None = None
) -> list[float]:
    """AdamW over batches, warm-up then a linear decay, on one torch thread; each step's loss."""
    import torch

    p = {**PARAMS, **(params or {})}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same sums in the same order: the same file every run
    torch.manual_seed(p["seed"])
    try:
        learning = [q for q in tuned.model.parameters() if q.requires_grad]
        opt = torch.optim.AdamW(learning, lr=p["lr"], weight_decay=0.0)
        per_epoch = max(1, len(train) // p["batch"])
        steps = p["epochs"] * per_epoch
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / p["warmup"]) * max(0.0, 1 - s / steps)
        )
        rng = np.random.default_rng(p["seed"])
        tuned.model.train()
        losses = []
        for _ in range(p["epochs"]):
            for idx in np.array_split(rng.permutation(len(train)), per_epoch):
                drawn = corpus[
                    rng.choice(len(corpus), min(len(corpus), p["corpus_per_batch"]), replace=False)
                ]
                value = loss(tuned, [train[i] for i in idx], drawn, p["temperature"])
                opt.zero_grad()
                value.backward()
                opt.step()
                sched.step()
                losses.append(float(value.detach()))
        return losses
    finally:
        torch.set_num_threads(threads)


def dense_recall(reader: IndexReader, examples: list[Example], vectors: np.ndarray) -> dict[str, Any]:
    """R@1/5/30 of each question's gold releases in the dense list of its vector, all and per style."""
    at = adapter_training
    searched = [replace(e, vector=v) for e, v in zip(examples, vectors, strict=True)]
    ranks = at.gold_ranks(reader, searched, None)
    out: dict[str, Any] = {"all": at.recall(ranks)}
    for style in sorted({e.style for e in examples if e.style}):
        out[style] = at.recall([r for r, e in zip(ranks, examples, strict=True) if e.style == style])
    return out


def train(
    searcher: Searcher, examples: list[Example], model: str, params: dict[str, Any] | None = None
) -> tuple[QueryTower, dict[str, Any]]:
    """The tower fine-tuned on the train fold from ``model``'s layers (``params`` over :data:`PARAMS`), and
    its validation report."""
    fitting = [e for e in examples if e.fold == "train"]
    if not fitting:
        raise ValueError("the query tower needs English train questions with gold releases in the index")
    reader = searcher.reader
    tuned = TunedModel(model)
    before = tuned.learned()
    fine_tune(tuned, fitting, reader.sample_vectors(PARAMS["corpus_sample"], seed=PARAMS["seed"]), params)
    change = {k: v - before[k] for k, v in tuned.learned().items()}
    tower = QueryTower(change, Path(model).name, LANG, FUSION_WEIGHT)
    val = [e for e in examples if e.fold == "validation"]
    report: dict[str, Any] = {}
    if val:
        e5 = np.vstack([e.vector for e in val])
        report["e5"] = dense_recall(reader, val, e5)
        if searcher.adapter is not None:
            report["adapter"] = dense_recall(reader, val, np.vstack([searcher.adapter.apply(v) for v in e5]))
        report["tower"] = dense_recall(reader, val, tuned.encode([e.text for e in val]))
    return tower, report
