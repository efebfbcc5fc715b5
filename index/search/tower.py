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
search, the second look, the reader, the follow-up cache). Both come from e5's graph split where the tower
begins (:mod:`index.build.onnx_split`: the embedding table and 8 layers, then e5's top 4 or the tower's), so
the process holds one copy of what the two share: over the whole archive the bot holds ~22 MB more and `ask`
takes ~3 ms more (CPU ~4 ms), nothing more for a Thai question (docs/answers.md, "Stop 53"). Stop 52 ran the
tower as a graph of its own, ~95 MB more: opt-in then.

The default (``QUERY_TOWER=true``) is the package's file (``index/data/query_tower.npz``, ``thaigov-qa tower
train``); ``QUERY_TOWER`` may name another, or ``false`` none. Without one, or with another model's index,
English questions are searched with the adapter's map.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np

from index.build.embedding import same_model
from index.build.npz_file import NpzError, read_arrays, write_arrays
from index.build.onnx_split import TwinEncoder, Variant

log = logging.getLogger(__name__)

#: The tower ``QUERY_TOWER=true`` (the default) serves: fitted over the whole archive (docs/answers.md).
SHIPPED_TOWER = Path(__file__).resolve().parents[1] / "data" / "query_tower.npz"


def tower_file(setting: bool | Path) -> Path | None:
    """The tower file ``QUERY_TOWER`` names: the shipped one for ``true``, none for ``false``."""
    if setting is False:
        return None
    return SHIPPED_TOWER if setting is True else setting


class TowerError(ValueError):
    """The tower file cannot be used (unreadable, no weights, odd metadata, another model's layers)."""


def configured_tower(setting: bool | Path, model_id: str) -> QueryTower | None:
    """The tower ``QUERY_TOWER`` names, read and checked against the model whose layers it changes; None for
    ``false``. Why one function: the bot (which then searches without it) and ``doctor`` (which reports it)
    must judge a tower file by the same rules. :class:`TowerError` says what is wrong, with the file."""
    path = tower_file(setting)
    if path is None:
        return None
    tower = QueryTower.read(path)
    if not tower.fits(model_id):
        raise TowerError(f"the query tower {path} was fitted from {tower.model}, not {model_id}")
    return tower


class QueryTower:
    """What fine-tuning changed in e5's top layers for the questions of :attr:`lang` (each weight's change
    from the model's own), and the fusion weight of the dense list its vector searches.

    Why the change and not the weights: the change is small (~1.5% of a weight), so int8 with one scale per
    row holds it within ~1e-4 of a weight (float16 weights: ~5e-4) in half the bytes (7 MB for 4 layers, not
    13): the file lives in the repository. The model's own weights are added back when the graph is made.
    """

    def __init__(
        self, change: dict[str, np.ndarray], model: str, lang: str = "en", weight: float = 1.0
    ) -> None:
        if not change:
            raise TowerError("the query tower holds no weights")
        if not all(np.isfinite(c).all() for c in change.values()):
            raise TowerError("the query tower holds weights that are not finite numbers")
        coded = {k: _to_int8(np.asarray(v, dtype=np.float32)) for k, v in sorted(change.items())}
        self._set(coded, model, lang, weight)

    def _set(
        self, coded: dict[str, tuple[np.ndarray, np.ndarray]], model: str, lang: str, weight: float
    ) -> None:
        #: each changed weight's int8 codes and float32 scales (one per row)
        self.coded = coded
        self.model = model
        self.lang = lang
        #: the fusion weight of the dense list its vector searches (``Weights.en_dense`` without it)
        self.weight = float(weight)
        digest = hashlib.sha256(f"{model}|{lang}|{weight}".encode())
        for name, (codes, scales) in coded.items():
            digest.update(name.encode())
            digest.update(codes.tobytes())
            digest.update(scales.tobytes())
        #: names the tower's ONNX export: new weights are exported again
        self.key = digest.hexdigest()

    def change(self) -> dict[str, np.ndarray]:
        """Each changed weight's change from the model's own, float32, by state-dict name."""
        return {k: codes.astype(np.float32) * scales for k, (codes, scales) in self.coded.items()}

    def fits(self, model_id: str) -> bool:
        """Whether the tower was fitted from ``model_id``'s layers
        (:func:`index.build.embedding.same_model`)."""
        return same_model(self.model, model_id)

    def variant(self) -> Variant:
        return Variant("query-tower", self.key, self.change())

    def save(self, path: Path) -> None:
        """An ``.npz`` archive, written byte for byte the same for the same tower: each weight's change as
        ``c/<name>`` (int8) and ``s/<name>`` (its rows' scales), and ``model``, ``lang``, ``weight``."""
        arrays = {"model": np.array(self.model), "lang": np.array(self.lang), "weight": np.array(self.weight)}
        for name, (codes, scales) in self.coded.items():
            arrays[f"c/{name}"], arrays[f"s/{name}"] = codes, scales
        write_arrays(path, arrays)

    @classmethod
    def read(cls, path: Path) -> QueryTower:
        """The tower in ``path``; :class:`TowerError` names the file and what is wrong with it."""
        try:
            data = read_arrays(path)
            if any(k.startswith("w/") for k in data):
                raise TowerError("a tower file of stop 52's format: train it again (thaigov-qa tower train)")
            coded = {k[2:]: (data[k], data[f"s/{k[2:]}"]) for k in data if k.startswith("c/")}
            if not coded:
                raise TowerError("the query tower holds no weights")
            odd = [k for k, (c, s) in coded.items() if c.dtype != np.int8 or s.shape != c.shape[:-1] + (1,)]
            if odd or not all(np.isfinite(s).all() for _, s in coded.values()):
                raise TowerError(f"the query tower's weights are damaged ({', '.join(odd[:3])})")
            tower = cls.__new__(cls)
            tower._set(coded, str(data["model"]), str(data["lang"]), float(data["weight"]))
            return tower
        except (NpzError, KeyError, ValueError, TypeError) as exc:
            raise TowerError(f"cannot read the query tower {path}: {exc}") from exc


def _to_int8(change: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``change`` as int8 codes and one float32 scale per row (its last axis): the row's peak is 127."""
    peak = np.abs(change).max(axis=-1, keepdims=True)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.rint(change / scales).astype(np.int8), scales


class TowerEncoder:
    """The tower's vectors of questions, from e5's graphs split where the tower begins
    (:class:`index.build.onnx_split.TwinEncoder`), made on first use (the export takes a minute once per
    export folder; the bot's warm-up makes it before the first question). The same graphs give e5's question
    vectors (:meth:`engine`), so that the process holds one copy of the layers the two share."""

    def __init__(
        self, tower: QueryTower, model: str, onnx_root: Path, prefix: str, quantized: bool = True
    ) -> None:
        self.tower = tower
        self._model = model
        self._onnx_root = onnx_root
        self._prefix = prefix
        self._quantized = quantized
        self._encoder: TwinEncoder | None = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        """False once its graph could not be made."""
        return not self._failed

    def vector(self, text: str) -> np.ndarray | None:
        """The tower's unit vector of a question, or None when its graph cannot be made (said once)."""
        encoder = self.engine()
        return None if encoder is None else encoder.encode_tuned([self._prefix + text])[0]

    def engine(self) -> TwinEncoder | None:
        """The split graphs, made on first use; None when they cannot be made."""
        with self._lock:
            if self._encoder is None and not self._failed:
                # Any failure to make the graph (no onnxruntime, a tower for other layers, a full disk, an
                # exporter error) leaves the question to the adapter's map: the tower is an option, never a
                # reason for a question to fail.
                try:
                    variant = self.tower.variant()
                    self._encoder = TwinEncoder(self._model, self._onnx_root, variant, self._quantized)
                except Exception as exc:  # noqa: BLE001
                    self._failed = True
                    log.error("the query tower cannot run (%s): English questions use the adapter's map", exc)
            return self._encoder
