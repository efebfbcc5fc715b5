"""A learned linear map of English questions' vectors toward the Thai passages that answer them.

Why: e5-small places an English question far from the Thai passages it asks about; over the whole archive
(249k passages) the English question's own dense list held a gold release in its top 5 for 0.15 of the
short validation questions and 0.25 of the specific ones, where look-alike passages of other releases
crowd in. A residual linear map ``q' = q + A q`` (re-normalised), fitted on the train folds' English
questions against their gold releases' stored passage vectors, with the nearest other passages and a
random sample of the archive as the competitors (``thaigov-qa adapter train``,
:mod:`index.search.adapter_training`), moves the question vector where its passages are: the same dense
list then holds a gold release in its top 5 for 0.38 / 0.59 of them (bench/PERFORMANCE.md, "Stop 26").

Only the dense search reads the mapped vector. The passage vectors, the index and every other use of the
question's vector (the second look's cosines, the reader's features, the follow-up cache) keep e5's own,
so no rebuild is needed and Thai questions and the Thai rendering of an English question are untouched
(the map fitted on those lost recall). One thing does move: the scores of the English question's dense
list, which the second look reads as features (``dense_score``, ``dense_share``), are the mapped vector's
cosines (~0.1-0.3, against e5's ~0.8), outside what its trees were fitted on. Measured on validation, that
model still does best: re-scoring the mapped list with e5's cosines, or refitting the trees over mapped
lists (cross-fitted), gave no more (bench/PERFORMANCE.md, "Stop 26").

The file is ``index/data/query_adapter.npz``; without it, or with ``QUERY_ADAPTER=false``, questions are
searched with e5's vector alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from index.build.embedding import same_model
from index.build.npz_file import NpzError, read_arrays, write_arrays

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "query_adapter.npz"


class AdapterError(ValueError):
    """The adapter file cannot be used (wrong shape, unreadable)."""


#: The question languages a map may be fitted for.
LANGS = ("en", "th")


class QueryAdapter:
    """``q -> (q + A q) / |q + A q|`` for the vectors of questions in :attr:`lang`."""

    def __init__(self, matrix: np.ndarray, lang: str = "en", model: str = "") -> None:
        matrix = np.array(matrix, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise AdapterError(f"the query adapter must be a square matrix, not {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise AdapterError("the query adapter holds values that are not finite numbers")
        if lang not in LANGS:
            raise AdapterError(
                f"the query adapter's language must be one of {', '.join(LANGS)}, not {lang!r}"
            )
        matrix.setflags(write=False)
        self.matrix = matrix
        self.lang = lang
        #: the embedding model the map was fitted for (a map for another model's space is meaningless)
        self.model = model

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[0])

    def applies(self, lang: str | None, dim: int) -> bool:
        """Whether a question of ``lang`` with a ``dim``-wide vector is mapped (``None``: a text that is never
        mapped, such as an English question's Thai rendering)."""
        return lang == self.lang and dim == self.dim

    def fits(self, model_id: str) -> bool:
        """Whether the map was fitted for ``model_id``'s vectors (:func:`index.build.embedding.same_model`; a
        map that names no model fits any)."""
        return not self.model or same_model(self.model, model_id)

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """The mapped unit vector (float32); a zero result (impossible for a fitted map) keeps ``vector``."""
        v = np.asarray(vector, dtype=np.float32)
        mapped = v + self.matrix @ v
        norm = float(np.linalg.norm(mapped))
        return (mapped / norm).astype(np.float32) if norm > 0 else v

    def save(self, path: Path) -> None:
        """An ``.npz`` archive (``np.load`` reads it), half precision, written byte for byte the same for
        the same map (no timestamps: a retrain over the same index gives the same file). Half precision
        because the file ships in the repository; the map's entries are small corrections, and rounding
        them moves a mapped vector by ~1e-4 in cosine."""
        arrays = {
            "matrix": self.matrix.astype(np.float16),
            "lang": np.array(self.lang),
            "model": np.array(self.model),
        }
        write_arrays(path, arrays)

    @classmethod
    def read(cls, path: Path) -> QueryAdapter:
        """The map in ``path``; :class:`AdapterError` names the file and what is wrong with it."""
        try:
            data = read_arrays(path)
            lang, model = data["lang"], data["model"]
            if lang.shape or model.shape:
                raise AdapterError(f"the query adapter {path} names its language and model oddly")
            return cls(data["matrix"], str(lang), str(model))
        except (NpzError, KeyError) as exc:
            raise AdapterError(f"cannot read the query adapter {path}: {exc}") from exc

    @classmethod
    def load(cls, path: Path | None = None) -> QueryAdapter | None:
        """The shipped map (or ``path``'s); None when there is no file, so search runs without one."""
        path = path or SHIPPED
        if not path.exists():
            log.info("no query adapter at %s: questions are searched with e5's vectors alone", path)
            return None
        return cls.read(path)
