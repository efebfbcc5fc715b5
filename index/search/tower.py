"""The query tower: English questions' own dense search can read the vector of e5-small with its top layers
fine-tuned (``thaigov-qa tower train``, :mod:`index.search.tower_training`) instead of the query adapter's
linear map of e5's vector.

Why: e5-small places an English question far from the Thai passages it asks about. The adapter's map moved
the English question's dense list over the whole archive from R@5 0.20 to 0.49; a tower reads the question's
tokens and brings it to 0.60 (validation folds: short questions 0.40 -> 0.48, specific ones 0.59 -> 0.73).
With that list at twice its fusion weight, the English validation questions over the whole archive find their
release first more often (R@1 0.641 -> 0.670, R@5 0.856 -> 0.873); answers and smaller indexes do not move
beyond noise (docs/answers.md, "Stop 52").

Only the English question's own dense search reads the tower's vector. The passages and the index are as they
were (nothing is rebuilt), and e5's question vector still serves everything else (the Thai rendering's
search, the second look, the reader, the follow-up cache). The tower's vector comes from its own int8 ONNX
graph, exported once beside e5's (``index.build.onnx_backend.Variant``): one more forward pass for an English
question, in the thread that embeds the question (~5 ms of ``ask`` p50).

Opt-in (``QUERY_TOWER=FILE``): the tower's ONNX session holds ~95 MB, more with the production model's full
vocabulary (it keeps its own copy of the embedding table), which would take the bot past the 0.8 GB it is
held to. The file holds the replaced layers in float16, the model and language it was fitted for and the
English dense list's fusion weight with it. Without it, or with another model's index, English questions
are searched with the adapter's map.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np

from index.build.embedding import same_model
from index.build.npz_file import NpzError, read_arrays, write_arrays
from index.build.onnx_backend import OnnxEncoder, Variant

log = logging.getLogger(__name__)


class TowerError(ValueError):
    """The tower file cannot be used (unreadable, no weights, odd metadata)."""


class QueryTower:
    """Fine-tuned weights of e5's top layers for the questions of :attr:`lang`, and their fusion weight."""

    def __init__(
        self, weights: dict[str, np.ndarray], model: str, lang: str = "en", weight: float = 1.0
    ) -> None:
        if not weights:
            raise TowerError("the query tower holds no weights")
        if not all(np.isfinite(w).all() for w in weights.values()):
            raise TowerError("the query tower holds weights that are not finite numbers")
        self.weights = {k: np.asarray(v, dtype=np.float16) for k, v in sorted(weights.items())}
        self.model = model
        self.lang = lang
        #: the fusion weight of the dense list its vector searches (``Weights.en_dense`` without it)
        self.weight = float(weight)
        digest = hashlib.sha256(f"{model}|{lang}|{weight}".encode())
        for name, array in self.weights.items():
            digest.update(name.encode())
            digest.update(array.tobytes())
        #: names the tower's ONNX export: new weights are exported again
        self.key = digest.hexdigest()

    def fits(self, model_id: str) -> bool:
        """Whether the tower was fitted from ``model_id``'s layers
        (:func:`index.build.embedding.same_model`)."""
        return same_model(self.model, model_id)

    def variant(self) -> Variant:
        return Variant("query-tower", self.key, self.weights)

    def save(self, path: Path) -> None:
        """An ``.npz`` archive, written byte for byte the same for the same tower: the layers' weights under
        ``w/<name>`` in float16 (13 MB for 4 layers; the int8 export rounds them much more coarsely anyway),
        and ``model``, ``lang``, ``weight``."""
        meta = {"model": np.array(self.model), "lang": np.array(self.lang), "weight": np.array(self.weight)}
        write_arrays(path, {**meta, **{f"w/{k}": v for k, v in self.weights.items()}})

    @classmethod
    def read(cls, path: Path) -> QueryTower:
        """The tower in ``path``; :class:`TowerError` names the file and what is wrong with it."""
        try:
            data = read_arrays(path)
            weights = {k[2:]: v for k, v in data.items() if k.startswith("w/")}
            return cls(weights, str(data["model"]), str(data["lang"]), float(data["weight"]))
        except (NpzError, KeyError, ValueError, TypeError) as exc:
            raise TowerError(f"cannot read the query tower {path}: {exc}") from exc


class TowerEncoder:
    """The tower's vectors of questions, from its int8 ONNX graph, made on first use (the export takes a
    minute once per export folder; the bot's warm-up makes it before the first question)."""

    def __init__(self, tower: QueryTower, model: str, onnx_root: Path, prefix: str) -> None:
        self.tower = tower
        self._model = model
        self._onnx_root = onnx_root
        self._prefix = prefix
        self._encoder: OnnxEncoder | None = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        """False once its graph could not be made."""
        return not self._failed

    def vector(self, text: str) -> np.ndarray | None:
        """The tower's unit vector of a question, or None when its graph cannot be made (said once)."""
        encoder = self._ready()
        return None if encoder is None else encoder.encode([self._prefix + text])[0]

    def _ready(self) -> OnnxEncoder | None:
        with self._lock:
            if self._encoder is None and not self._failed:
                # Any failure to make the graph (no onnxruntime, a tower for other layers, a full disk, an
                # exporter error) leaves the question to the adapter's map: the tower is an option, never a
                # reason for a question to fail.
                try:
                    self._encoder = OnnxEncoder(self._model, self._onnx_root, variant=self.tower.variant())
                except Exception as exc:  # noqa: BLE001
                    self._failed = True
                    log.error("the query tower cannot run (%s): English questions use the adapter's map", exc)
            return self._encoder
