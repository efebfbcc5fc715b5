"""The verifier: a cross-encoder that reads the question and the quoted evidence together and scores
whether the evidence answers it.

Why: the reader's features see the question's words in a sentence and the passage's stored e5 vector,
never how the question and the quote read together, so its calibration separated right from wrong
replies at AUC ~0.77 and refused half the answerable questions at a 0.10 wrong-answer rate (docs/answers.md,
"Stop 28"). The verifier is the embedding model itself (multilingual-e5-small, which already reads both
languages) with its top :attr:`VerifierSpec.trained_layers` layers fine-tuned and a linear head over the
mean of its last hidden states, fed ``query: <question>`` and ``passage: <quote>`` as one input. Only the
fine-tuned layers and the head are written (``index/data/verifier.safetensors`` beside the package's
reader, 14 MB); the rest is the model the index already names, loaded by the same name or path. Built,
measured and not shipped at stop 28: ``reader train --verifier`` makes one.

It scores one pair per question (the reader's pick), ~20-30 ms on 2 CPU cores; torch is imported on first
use only (a bot that embeds questions with ONNX loads it when the first question is verified, or at
``warm_up``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from index.answer.model import Verification

log = logging.getLogger(__name__)

#: The package's verifier, inside the ``index`` package (none today: stop 28 measured it and did not ship it).
VERIFIER_FILE = "data/verifier.safetensors"
#: Tokens of one question + quote pair (a quote is ≤ 400 characters, ~100-140 tokens of Thai).
MAX_TOKENS = 144


class VerifierError(RuntimeError):
    """The verifier file is unreadable or made for another model."""


@dataclass(frozen=True)
class VerifierSpec:
    """What a verifier file records beside its weights."""

    base: str  # the embedding model it was fine-tuned from (its id; a path's last part)
    trained_layers: int  # the top layers fine-tuned (the others are the base model's)
    max_tokens: int = MAX_TOKENS

    def metadata(self) -> dict[str, str]:
        return {
            "spec": json.dumps(
                {"base": self.base, "trained_layers": self.trained_layers, "max_tokens": self.max_tokens}
            )
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, str] | None) -> VerifierSpec:
        try:
            d = json.loads((meta or {})["spec"])
            return cls(str(d["base"]), int(d["trained_layers"]), int(d.get("max_tokens", MAX_TOKENS)))
        except (KeyError, ValueError, TypeError) as exc:
            raise VerifierError(f"the verifier file has no readable spec: {exc}") from exc


def base_id(model: str) -> str:
    """A model's id as the verifier records it: a local path's last part (``…/multilingual-e5-small``)
    names the same model as the hub's ``intfloat/multilingual-e5-small``."""
    return str(model).rstrip("/").rsplit("/", 1)[-1]


def build_module(base: str, trained_layers: int) -> Any:
    """The cross-encoder as a torch module: the base model and a linear head over its mean-pooled last
    hidden states. The layers below the top ``trained_layers`` are frozen (they stay the base model's)."""
    import torch
    from transformers import AutoModel

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(base)
            self.head = torch.nn.Linear(int(self.enc.config.hidden_size), 1)

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * m).sum(1) / m.sum(1).clamp(min=1.0)).squeeze(-1)

    module = CrossEncoder()
    layers = module.enc.encoder.layer
    first = len(layers) - trained_layers
    for name, p in module.named_parameters():
        p.requires_grad = name.startswith("head.") or _layer_of(name) >= first
    return module


def _layer_of(name: str) -> int:
    """The encoder layer a parameter belongs to (-1 for embeddings and anything outside the layers)."""
    parts = name.split(".")
    if "layer" in parts:
        i = parts.index("layer")
        if i + 1 < len(parts) and parts[i + 1].isdigit():
            return int(parts[i + 1])
    return -1


def trained_state(module: Any) -> dict[str, Any]:
    """The parameters that differ from the base model (the fine-tuned layers and the head), as fp16."""
    return {
        name: p.detach().to("cpu").half().contiguous()
        for name, p in module.named_parameters()
        if p.requires_grad
    }


def encode_pairs(tokenizer: Any, pairs: list[tuple[str, str]], max_tokens: int) -> tuple[Any, Any]:
    """Token ids and mask of (question, quote) pairs cut to ``max_tokens``: the longer of the two loses tokens
    first, so a question of a line keeps every word and the quote is cut (as ``only_second`` would), while a
    question longer than the window itself (a pasted paragraph) is cut too instead of failing."""
    out = tokenizer(
        ["query: " + q for q, _ in pairs],
        ["passage: " + p for _, p in pairs],
        truncation="longest_first",
        max_length=max_tokens,
        padding=True,
        return_tensors="pt",
    )
    return out["input_ids"], out["attention_mask"]


class Verifier:
    """Scores (question, quote) pairs; thread-safe; loaded once per process and base model."""

    def __init__(self, module: Any, tokenizer: Any, spec: VerifierSpec) -> None:
        self.module = module
        self.tokenizer = tokenizer
        self.spec = spec
        self._lock = threading.Lock()

    @classmethod
    def load(cls, base: str, path: Path | None = None) -> Verifier:
        """The verifier at ``path`` (default: the package's) over the base model ``base`` (a hub id or a
        local folder: the index's embedding model)."""
        from safetensors import SafetensorError, safe_open
        from transformers import AutoTokenizer

        file = Path(path) if path is not None else _shipped_path()
        try:
            with safe_open(str(file), framework="pt") as f:
                spec = VerifierSpec.from_metadata(f.metadata())
                state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open has no items()
        except (OSError, ValueError, SafetensorError) as exc:
            raise VerifierError(f"cannot read the verifier {file}: {exc}") from exc
        if base_id(base) != spec.base:
            raise VerifierError(f"the verifier was trained over {spec.base!r}, the index uses {base!r}")
        try:
            module = build_module(base, spec.trained_layers)
            tokenizer = AutoTokenizer.from_pretrained(base)
        except (OSError, ValueError) as exc:  # the base model is not where the index says (offline, moved)
            raise VerifierError(f"cannot load the verifier's base model {base!r}: {exc}") from exc
        own = module.state_dict()
        unknown = [k for k in state if k not in own]
        if unknown:
            raise VerifierError(f"the verifier file holds weights the model lacks: {unknown[:3]}")
        module.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        module.eval()
        return cls(module, tokenizer, spec)

    def scores(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """The verifier's logit that each quote answers its question (higher: likelier)."""
        if not pairs:
            return np.zeros(0)
        import torch

        ids, mask = encode_pairs(self.tokenizer, pairs, self.spec.max_tokens)
        with self._lock, torch.inference_mode():
            return self.module(ids, mask).double().numpy()

    def score(self, question: str, quote: str) -> float:
        return float(self.scores([(question, quote)])[0])


def load_verifier(base: str, stage: Verification, path: Path | None = None) -> Verifier:
    """The verifier (default: the package's) the reader's verification ``stage`` was fitted with;
    raises :class:`VerifierError` when the file is another one (retrained without the reader)."""
    file = Path(path) if path is not None else _shipped_path()
    try:
        sha = file_sha256(file)
    except OSError as exc:
        raise VerifierError(f"cannot read the verifier {file}: {exc}") from exc
    if stage.verifier_sha256 and sha != stage.verifier_sha256:
        raise VerifierError(f"{file} is not the verifier the reader was calibrated with: retrain the reader")
    return cached_verifier(base, file)


def file_sha256(path: Path) -> str:
    """A verifier file's SHA-256, as the reader's model file records it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _shipped_path() -> Path:
    return Path(str(resources.files("index").joinpath(VERIFIER_FILE)))


_LOADED: dict[tuple[str, str], Verifier] = {}
_LOAD_LOCK = threading.Lock()


def cached_verifier(base: str, path: Path | None = None) -> Verifier:
    """The verifier for ``base``, loaded once per process (first use: ~1-2 s, the base model's weights)."""
    key = (base, str(path or ""))
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = Verifier.load(base, path)
        return _LOADED[key]
