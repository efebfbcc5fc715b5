"""e5 split where a fine-tuned top begins: one bottom, two tops, so that one process holds one copy of the
layers a query tower shares with e5 and serves both question vectors.

Why: the query tower (index/search/tower.py) replaces e5's top 4 layers. Run as its own full graph beside
e5's (stop 52), it held ~95 MB more (its own embedding table and 8 unchanged layers) and ran those 8 layers
a second time for each English question. Split in three graphs (the embedding table and the layers below the
tower; e5's top layers; the tower's), a Thai question runs the bottom and e5's top, as many layers as one e5
graph, and an English one the tower's top too, on the bottom's output kept from e5's call.

Each graph is exported and quantised as :mod:`index.build.onnx_backend` does e5's own: the bottom keeps its
most outlier-heavy MatMuls float and the tops none (split at layer 8, those are the single graph's own choice:
e5-small's layers 0 and 4), so e5's vectors from the split graphs are the single graph's (cosine 0.9999993).
Cached the same way: once per model and tower, under ``DATA_DIR/onnx/``.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.build.onnx_backend import (
    FLOAT_MATMULS,
    INPUTS,
    QUANT_TAG,
    BackendUnavailable,
    TokenBatches,
    export_dir,
    load_pooled_model,
    mean_pool,
    onnx_export,
    quantize,
    session,
    slug,
    write_export,
)
from thaigov_qa.quiet import quiet_libraries

log = logging.getLogger(__name__)

#: The three graphs: the bottom reads tokens and gives hidden states; each top reads them and gives a vector.
PARTS = ("bottom", "top", "tuned")
#: Questions whose bottom output is kept for the tower's call that follows e5's (an English question is
#: embedded by both, one after the other, in the thread that searches it).
RECENT = 8


@dataclass(frozen=True)
class Variant:
    """The model with some of its top layers' weights changed (a fine-tuned query tower:
    index/search/tower.py): ``change`` is added to the weights the Hugging Face model's ``state_dict`` names
    so; ``key`` (a digest of the change) names the export, so that new weights are exported again."""

    name: str
    key: str
    change: Mapping[str, np.ndarray]


def changed_state(own: Mapping[str, Any], variant: Variant) -> dict[str, Any]:
    """The model's weights ``variant`` changes (``own``: the model's state dict, torch tensors) with the
    change added, by state-dict name; a change to a weight the model does not have, or of another shape,
    is a :class:`BackendUnavailable` (a tower fitted for another model)."""
    import torch  # noqa: PLC0415

    odd = [k for k, v in variant.change.items() if k not in own or tuple(own[k].shape) != v.shape]
    if odd or not variant.change:
        raise BackendUnavailable(
            f"the {variant.name} does not fit this model's layers ({', '.join(odd[:3]) or 'no weights'})"
        )
    return {k: own[k] + torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in variant.change.items()}


def first_replaced_layer(variant: Variant) -> int:
    """The lowest encoder layer ``variant`` replaces; a weight outside the encoder's layers cannot be split
    off (:class:`BackendUnavailable`)."""
    layers = []
    for name in variant.change:
        parts = name.split(".")
        if parts[:2] != ["encoder", "layer"] or len(parts) < 3 or not parts[2].isdigit():
            raise BackendUnavailable(f"the {variant.name} replaces {name}, not an encoder layer's weight")
        layers.append(int(parts[2]))
    if not layers:
        raise BackendUnavailable(f"the {variant.name} holds no weights")
    return min(layers)


def _stack(embeddings: Any, layers: Sequence[Any], pool: bool) -> Any:
    """A torch module running ``layers`` (after ``embeddings`` when given: the input is then token ids, else
    hidden states), ending in e5's pooling when ``pool``. The attention mask is added to the scores as the
    model's eager attention adds it."""
    import torch  # noqa: PLC0415

    class Stack(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = embeddings
            self.layers = torch.nn.ModuleList(layers)

        def forward(self, x: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.embeddings(input_ids=x) if self.embeddings is not None else x
            lowest = torch.finfo(hidden.dtype).min
            extended = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * lowest
            for layer in self.layers:
                out = layer(hidden, extended)
                hidden = out[0] if isinstance(out, tuple) else out
            return mean_pool(hidden, attention_mask) if pool else hidden

    return Stack().eval()


def _export_split(model: str, target: Path, variant: Variant) -> None:
    import torch  # noqa: PLC0415

    log.info("exporting %s split for the %s under %s (once)", model, variant.name, target)
    st, hf_model = load_pooled_model(model)
    state = changed_state(hf_model.state_dict(), variant)
    split = first_replaced_layer(variant)
    layers = list(hf_model.encoder.layer)
    tuned = torch.nn.ModuleList(copy.deepcopy(layers[split:]))
    renamed = {}
    for name, value in state.items():
        index, _, rest = name.removeprefix("encoder.layer.").partition(".")
        renamed[f"{int(index) - split}.{rest}"] = value
    tuned.load_state_dict(renamed, strict=False)
    ids = torch.ones((2, 16), dtype=torch.long)
    hidden = torch.zeros((2, 16, hf_model.config.hidden_size))
    tops = ("hidden", "attention_mask")

    def write(tmp: Path) -> None:
        bottom = _stack(hf_model.embeddings, layers[:split], pool=False)
        onnx_export(bottom, (ids, ids), INPUTS, "hidden", tmp / "bottom.onnx")
        onnx_export(
            _stack(None, layers[split:], pool=True), (hidden, ids), tops, "embedding", tmp / "top.onnx"
        )
        onnx_export(
            _stack(None, list(tuned), pool=True), (hidden, ids), tops, "embedding", tmp / "tuned.onnx"
        )

    write_export(st, model, target, write)


def ensure_split_export(
    model: str, data_dir: Path, variant: Variant, quantized: bool = True
) -> dict[str, Path]:
    """The paths of the three graphs (:data:`PARTS`) of ``model`` split for ``variant``, exported first if
    missing; int8 ones when ``quantized`` (the bottom keeps e5's float MatMuls; the tops have none)."""
    target = export_dir(model, data_dir, f"-{slug(variant.name)}-split-{variant.key[:16]}")
    if (
        not all((target / f"{part}.onnx").is_file() for part in PARTS)
        or not (target / "tokenizer.json").is_file()
    ):
        with quiet_libraries():  # torch.onnx's TracerWarnings mean nothing to a user
            _export_split(model, target, variant)
    if not quantized:
        return {part: target / f"{part}.onnx" for part in PARTS}
    paths = {part: target / f"{part}-int8-{QUANT_TAG}.onnx" for part in PARTS}
    for part, path in paths.items():
        if not path.is_file():
            with quiet_libraries():  # the quantiser's per-tensor notices and advice
                quantize(target / f"{part}.onnx", path, FLOAT_MATMULS if part == "bottom" else 0)
    return paths


class TwinEncoder(TokenBatches):
    """e5's question vectors (:meth:`encode`, the :class:`index.build.embedding.Encoder` protocol) and the
    tuned top's (:meth:`encode_tuned`) from the split graphs of :func:`ensure_split_export`.

    The bottom's output of the last few single texts is kept, so that the tuned vector of a question whose
    e5 vector was just made costs only the tuned top.
    """

    def __init__(
        self,
        model: str,
        data_dir: Path,
        variant: Variant,
        quantized: bool = True,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        paths = ensure_split_export(model, data_dir, variant, quantized)
        super().__init__(paths["bottom"].parent, batch_size)
        self._sessions = {part: session(path, threads) for part, path in paths.items()}
        self._recent: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """e5's unit vectors of ``texts`` (prefixed), one row per text, in the input order."""
        return self._encode(texts, "top")

    def encode_tuned(self, texts: Sequence[str]) -> np.ndarray:
        """The tuned top's unit vectors of ``texts`` (prefixed)."""
        return self._encode(texts, "tuned")

    def _encode(self, texts: Sequence[str], top: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if len(texts) == 1:
            hidden, mask = self._bottom_of(texts[0])
            (emb,) = self._sessions[top].run(None, {"hidden": hidden, "attention_mask": mask})
            out[:] = emb
            return out
        bottom, head = self._sessions["bottom"], self._sessions[top]
        for rows, ids, mask, options in self.batches(texts):
            (hidden,) = bottom.run(None, {"input_ids": ids, "attention_mask": mask}, options)
            (emb,) = head.run(None, {"hidden": hidden, "attention_mask": mask}, options)
            out[rows] = emb
        return out

    def _bottom_of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The bottom's hidden states and the mask of one text, kept for the next few calls."""
        with self._lock:
            kept = self._recent.get(text)
            if kept is not None:
                self._recent.move_to_end(text)
                return kept
        _, ids, mask, _ = next(self.batches([text]))
        (hidden,) = self._sessions["bottom"].run(None, {"input_ids": ids, "attention_mask": mask})
        with self._lock:
            self._recent[text] = (hidden, mask)
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return hidden, mask
