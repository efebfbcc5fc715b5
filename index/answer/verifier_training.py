"""Training the verifier (:mod:`index.answer.verifier`) and the calibration stage that weighs it.

1. **Fine-tuning**, on the train fold only: each train question's leading candidates by the reader's
   out-of-fold scores (the hard ones: what the reader itself would quote), the answering ones positive,
   and the answering candidate the reader ranked lower added as a positive. Unanswerable questions give
   negatives only. Binary cross-entropy, AdamW, one pass, a fixed seed (deterministic on one machine).
2. **The verification stage**, on the validation fold (which the verifier never saw): a logistic regression
   over the reader's calibrated log-odds and the verifier's logit of the reply's quote. Why not in the train
   fold's calibration: the verifier was fitted on those questions, so its scores there are in-sample and
   the regression would learn to trust it more than it deserves. The thresholds are then chosen on the
   validation fold's probabilities from k-fold fits of this stage (each question's from a fit that did not
   see its release), the final stage fitted on the whole fold.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.answer.calibration import fit_logistic, logit, sigmoid
from index.answer.model import Verification
from index.answer.verifier import (
    MAX_TOKENS,
    Verifier,
    VerifierSpec,
    base_id,
    build_module,
    encode_pairs,
    file_sha256,
    trained_state,
)

#: Leading candidates of each train question the verifier learns from, and most negatives among them.
LEADING = 6
NEGATIVES = 4
#: Fine-tuned top layers of the base model (of 12), ~14 MB in fp16. On the validation fold (docs/answers.md,
#: "Stop 28"), the top two alone added almost nothing to the calibration (AUC 0.771 -> 0.774) where four
#: added 0.03 (-> 0.801).
TRAINED_LAYERS = 4


@dataclass(frozen=True)
class FineTuning:
    """How the verifier is fine-tuned (defaults: stop 28's measured run)."""

    trained_layers: int = TRAINED_LAYERS
    epochs: float = 1.0
    batch: int = 16
    learning_rate: float = 5e-5
    max_tokens: int = MAX_TOKENS
    seed: int = 0


Pair = tuple[str, str, float]
#: The verification stage's inputs, in the model file's order.
STAGE_INPUTS = ("reader_logit", "verifier")
#: k of the k-fold fits whose probabilities choose the thresholds.
STAGE_FOLDS = 5


@dataclass(frozen=True)
class VerifierPlan:
    """What ``reader train`` needs to fine-tune the verifier: the base model (the index's embedding model),
    where to write it, how to fine-tune, and a progress callback (step, steps)."""

    base: str
    path: Path
    tuning: FineTuning = field(default_factory=lambda: FineTuning())
    progress: Callable[[int, int], None] | None = None


Quote = tuple[str, str] | None  # (question, the reply's quote), None for a question without a reply


def verify(
    plan: VerifierPlan,
    pairs: list[Pair],
    validation: tuple[list[Quote], np.ndarray, np.ndarray, list[int]],
    held: tuple[list[Quote], np.ndarray],
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Fine-tune and write the verifier on the train fold's ``pairs``, fit the verification stage on the
    validation fold; returns the stage's spec, the validation fold's cross-fitted probabilities and the
    threshold set's (``validation``: each reply's quote, whether it is right, the reader's probability and
    the question's release group; ``held``: the threshold set's quotes and the reader's probabilities)."""
    module = fine_tune(plan.base, pairs, plan.tuning, plan.progress)
    sha = save(module, plan.base, plan.tuning, plan.path)
    del module
    scorer = Verifier.load(plan.base, plan.path)  # scored as served: the file's fp16 weights
    quotes, correct, probs, groups = validation
    have = np.asarray([q is not None for q in quotes], dtype=bool)
    x = stage_rows(probs, quote_scores(scorer, quotes))
    y = np.asarray(correct, dtype=np.float64)
    coef, intercept = fit_stage(x[have], y[have])
    shown = np.zeros(len(quotes))
    shown[have] = cross_fitted(x[have], y[have], np.asarray(groups)[have], STAGE_FOLDS)
    held_quotes, held_probs = held
    held_have = np.asarray([q is not None for q in held_quotes], dtype=bool)
    held_scores = quote_scores(scorer, held_quotes)
    stage = Verification((coef[0], coef[1]), intercept, sha)
    held_shown = np.where(held_have, stage.probabilities(held_probs, held_scores), 0.0)
    spec = {"inputs": list(STAGE_INPUTS), "coef": coef, "intercept": intercept, "verifier_sha256": sha}
    return spec, shown, held_shown


def quote_scores(scorer: Verifier, quotes: list[Quote], batch: int = 16) -> np.ndarray:
    """The verifier's logit of each reply's quote (0 for a question without one)."""
    idx = [i for i, q in enumerate(quotes) if q is not None]
    pairs = [q for q in quotes if q is not None]
    out = np.zeros(len(quotes))
    for k in range(0, len(pairs), batch):
        out[idx[k : k + batch]] = scorer.scores(pairs[k : k + batch])
    return out


def training_pairs(
    items: Sequence[tuple[str, list[tuple[str, float]], list[tuple[str, float]]]],
) -> list[Pair]:
    """(question, quote, label) pairs: ``items`` holds per train question its text, its leading candidates'
    (quote, label) in the reader's order, and every answering candidate's (quote, label) further down."""
    out: list[Pair] = []
    for question, leading, further in items:
        top = leading[:LEADING]
        pos = [(question, quote, 1.0) for quote, label in top if label > 0]
        if not pos and further:
            pos = [(question, further[0][0], 1.0)]
        neg = [(question, quote, 0.0) for quote, label in top if label <= 0][:NEGATIVES]
        out += pos + neg
    return out


def fine_tune(
    base: str,
    pairs: list[Pair],
    plan: FineTuning = FineTuning(),
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """The cross-encoder fine-tuned on ``pairs`` (a torch module, in eval mode)."""
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(plan.seed)
    rng = random.Random(plan.seed)
    tokenizer = AutoTokenizer.from_pretrained(base)
    module = build_module(base, plan.trained_layers)
    module.train()
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=plan.learning_rate, weight_decay=0.01)
    steps = max(1, int(math.ceil(len(pairs) / plan.batch) * plan.epochs))
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = list(pairs)
    step = 0
    while step < steps and order:
        rng.shuffle(order)
        for i in range(0, len(order), plan.batch):
            if step >= steps:
                break
            batch = order[i : i + plan.batch]
            ids, mask = encode_pairs(tokenizer, [(q, p) for q, p, _ in batch], plan.max_tokens)
            target = torch.tensor([y for _, _, y in batch], dtype=torch.float32)
            loss = loss_fn(module(ids, mask), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if progress:
                progress(step, steps)
    module.eval()
    return module


def save(module: Any, base: str, plan: FineTuning, path: Path) -> str:
    """Write the fine-tuned layers and head with their spec; returns the file's SHA-256 (the reader's
    model file records it, so a verifier retrained alone is noticed)."""
    from safetensors.torch import save_file

    spec = VerifierSpec(base_id(base), plan.trained_layers, plan.max_tokens)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(trained_state(module), str(path), metadata=spec.metadata())
    return file_sha256(path)


def stage_rows(probabilities: np.ndarray, verified: np.ndarray) -> np.ndarray:
    """The verification stage's inputs: the reader's calibrated log-odds and the verifier's logit."""
    return np.c_[logit(probabilities), np.asarray(verified, dtype=np.float64)]


def fit_stage(x: np.ndarray, y: np.ndarray) -> tuple[list[float], float]:
    """The stage's coefficients over (reader log-odds, verifier logit); with one class only, the reader's
    log-odds passed through unchanged."""
    return fit_logistic(x, y) or ([1.0, 0.0], 0.0)


def cross_fitted(x: np.ndarray, y: np.ndarray, groups: Sequence[int], folds: int) -> np.ndarray:
    """Each row's probability from a stage fitted without its group (threshold material)."""
    g = np.asarray(groups)
    out = np.zeros(len(y))
    for k in range(folds):
        on = g == k
        if not on.any():
            continue
        coef, icpt = fit_stage(x[~on], y[~on])
        out[on] = sigmoid(x[on] @ np.asarray(coef) + icpt)
    return out
