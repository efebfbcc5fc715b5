"""Embedding passages and questions.

:class:`Embedder` hides which engine computes the vectors. The engine is picked by
``settings.embedding_backend`` through :data:`BACKENDS` (a name → loader table): ``torch`` is
sentence-transformers on PyTorch (CUDA in half precision when present); ``onnx``/``onnx-int8`` come from
:mod:`index.build.onnx_backend`. Every engine takes texts that already carry the model's prompt
(``passage: `` / ``query: `` for E5) and returns unit-length float32 rows, so the rest of the index never
knows which engine ran.

The vectors a build computes are kept by :mod:`index.build.embedding_cache`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.build.cpu import use_cpu_bf16
from thaigov_qa.settings import Settings

log = logging.getLogger(__name__)

#: The E5 family's prompts, used when a model folder does not declare its own.
_E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


class Encoder(Protocol):
    """What a backend provides: prompted texts in, unit-length float32 rows out."""

    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class EmbeddingError(RuntimeError):
    """The model cannot be loaded or run; the message says which model and why."""


def model_id(name: str) -> str:
    """A stable name for a model: absolute path for a local folder, else the hub name as given."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    return name


def same_model(fitted_for: str, model: str) -> bool:
    """Whether something fitted for ``fitted_for``'s vectors fits ``model``'s: the model's name (the last part
    of a hub name or a local folder) decides, so the hub's model and a local copy of it match."""
    return Path(fitted_for).name == Path(model).name


def pick_device(setting: str) -> str:
    """``settings.embedding_device`` when set, else ``cuda`` when a GPU is present, else ``cpu``."""
    if setting:
        return setting
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover - torch is a dependency
        return "cpu"


def device_for(settings: Settings, backend: str) -> str:
    """Torch's device (CUDA when present unless set); ONNX runs on the CPU unless told otherwise."""
    if backend == "torch":
        return pick_device(settings.embedding_device)
    return settings.embedding_device or "cpu"


class TorchEncoder:
    """sentence-transformers on PyTorch; on CUDA the weights are cast to half precision (2x faster); on a
    CPU with AMX the matrix products run in bfloat16 under autocast (:func:`use_cpu_bf16`)."""

    def __init__(self, model: str, device: str, batch_size: int, bf16: bool = False) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(model, device=device)
        except Exception as exc:  # noqa: BLE001 - many failure types (OSError, HF errors, bad files)
            raise EmbeddingError(f"cannot load embedding model {model!r}: {exc}") from exc
        if device.startswith("cuda"):
            self.model.half()
        # Autocast, not bfloat16 weights: layer norms and the pooling stay float32, which keeps the
        # vectors at cosine 0.99999 of float32 ones (bfloat16 weights: 0.998) for most of the speed.
        self.bf16 = bf16
        self.batch_size = batch_size
        self.dim = int(
            (
                getattr(self.model, "get_embedding_dimension", None)
                or self.model.get_sentence_embedding_dimension
            )()
            or 0
        )
        self.prompts = dict(self.model.prompts or {})
        self.tokenizer = self.model.tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


#: Passages per batch when ``EMBEDDING_BATCH_SIZE`` is 0 (automatic), by where they are embedded.
AUTO_BATCH = {"cuda": 256, "cpu": 32}


def batch_size_for(settings: Settings, device: str) -> int:
    """Passages per embedding batch on ``device``: the setting, or when it is 0 :data:`AUTO_BATCH`.

    Why large batches on a GPU: in half precision e5-small embeds a 32-passage batch in a few
    milliseconds, so per-batch overheads (Python, the cache commit) would bound a full-archive build; on
    2 CPU cores a batch of 32 already keeps the cores busy and longer batches only add padding.
    """
    if settings.embedding_batch_size > 0:
        return settings.embedding_batch_size
    return AUTO_BATCH["cuda" if device.startswith("cuda") else "cpu"]


def _torch_backend(settings: Settings, device: str, bulk: bool = False) -> Encoder:
    bf16 = use_cpu_bf16(settings.embedding_cpu_bf16, device)
    return TorchEncoder(settings.embedding_model, device, batch_size_for(settings, device), bf16)


def _onnx_backend(settings: Settings, device: str, bulk: bool = False) -> Encoder:
    from index.build import onnx_backend

    try:
        return onnx_backend.OnnxEncoder(
            settings.embedding_model,
            settings.onnx_root,
            quantized=settings.embedding_backend == "onnx-int8",
            batch_size=batch_size_for(settings, device),
            spinning=bulk,
        )
    except onnx_backend.BackendUnavailable as exc:
        raise EmbeddingError(str(exc)) from exc


#: Backend name → loader. Another engine plugs in by adding an entry (and a value to the setting).
BACKENDS: dict[str, Callable[[Settings, str, bool], Encoder]] = {
    "torch": _torch_backend,
    "onnx": _onnx_backend,
    "onnx-int8": _onnx_backend,
}

#: Encoders already loaded in this process, shared by every :class:`Embedder` asking for the same one: the
#: bot answers questions and indexes new releases (alert polls, /reindex) in one process, and each build
#: used to load its own copy of the model (seconds of start-up and another few hundred MB each time).
_LOADED: dict[tuple[str, ...], Encoder] = {}
_LOADING = threading.Lock()


def _load_encoder(settings: Settings, backend: str, device: str, bulk: bool = False) -> Encoder:
    """The engine ``backend`` on ``device``, loaded once a process; ``bulk``: one apart, for a process that
    only embeds passages in bulk (:class:`Embedder`)."""
    loader = BACKENDS.get(backend)
    if loader is None:
        raise EmbeddingError(f"unknown EMBEDDING_BACKEND {backend!r}: use one of {sorted(BACKENDS)}")
    key = (
        backend,
        settings.embedding_model,
        device,
        str(settings.embedding_batch_size),
        settings.embedding_cpu_bf16 if backend == "torch" else "",
        str(settings.onnx_root) if backend != "torch" else "",  # where the ONNX exports are cached
        "bulk" if bulk else "",
    )
    with _LOADING:
        encoder = _LOADED.get(key)
        if encoder is None:
            name = model_id(settings.embedding_model)
            log.info("loading embedding model %s (%s, %s)", name, backend, device)
            # The loader reads the backend from the settings: give it the one asked for (questions may
            # use another engine than passages).
            encoder = _LOADED[key] = loader(
                settings.model_copy(update={"embedding_backend": backend}), device, bulk
            )
    return encoder


def _prompts_of(encoder: Encoder) -> dict[str, str]:
    """The prompts a model folder declares (sentence-transformers reads them; the ONNX engines take texts
    already prompted, so :meth:`Embedder.prompt` falls back to the model family's)."""
    return dict(encoder.prompts) if isinstance(encoder, TorchEncoder) else {}


def load_tokenizer(model: str) -> object:
    """``model``'s tokenizer without its weights, for counting chunk tokens (the build's process and its
    workers, :mod:`index.build.prepare`); :class:`EmbeddingError` when it cannot be loaded."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
    except Exception as exc:  # noqa: BLE001
        raise EmbeddingError(f"cannot load the tokenizer of {model!r}: {exc}") from exc
    # We only count tokens; the 512 limit warning is about model input, which chunking keeps under.
    tokenizer.model_max_length = 10**9
    return tokenizer


def _read_prompts(model: str) -> dict[str, str] | None:
    """The prompts a local sentence-transformers folder declares (``config_sentence_transformers.json``)."""
    config = Path(model).expanduser() / "config_sentence_transformers.json"
    if config.is_file():
        try:
            return dict(json.loads(config.read_text(encoding="utf-8")).get("prompts") or {})
        except (OSError, ValueError):
            return None
    return None


class Embedder:
    """Turns passages and questions into unit vectors; the model loads on first use, not at construction.

    Why lazy: the CLI, the bot and tests build an ``Embedder`` whenever they open an index, but many runs
    never embed (an ``update`` with nothing new, a BM25-only check), and loading costs seconds.
    """

    def __init__(self, settings: Settings, bulk: bool = False) -> None:
        self.settings = settings
        #: A process that only embeds passages in bulk (``index build``/``update`` on the command line): the
        #: passages' ONNX engine keeps its threads spinning between operations, which is faster there and
        #: would slow questions answered beside it; questions then get an engine of their own.
        self.bulk = bulk
        self.model_id = model_id(settings.embedding_model)
        self.backend = settings.embedding_backend
        self.query_backend = settings.embedding_query_backend or self.backend
        self._encoder: Encoder | None = None
        self._query_encoder: Encoder | None = None
        self._engine: Callable[[], Encoder | None] | None = None
        self._engine_lock = threading.Lock()
        self._tokenizer: object | None = None
        self._prompts = _read_prompts(settings.embedding_model)

    @property
    def device(self) -> str:
        """The passages' device; asked only when they are embedded: asking torch about CUDA imports it
        (~0.2 GB resident), which a process that only embeds questions with ONNX never needs."""
        return device_for(self.settings, self.backend)

    @property
    def cache_key(self) -> str:
        """The embedding cache's model key: int8 vectors differ a little from float ones: never mix them."""
        kind = vector_kind(self.backend)
        return self.model_id if kind == "float" else f"{self.model_id}#{kind}"

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = _load_encoder(self.settings, self.backend, self.device, self.bulk)
            if self._prompts is None:
                self._prompts = _prompts_of(self._encoder)
        return self._encoder

    @property
    def query_encoder(self) -> Encoder:
        """The engine for questions (``EMBEDDING_QUERY_BACKEND``), loaded on first use.

        Why it may differ from the passages' engine: a question is embedded while a user waits, a passage
        once at index time (on a GPU with torch, say). The float ONNX graph gives torch's vectors (cosine
        0.9999996) in half the time on CPU, and a bot process that never indexes does not load torch.
        The int8 graph (the default for questions) halves that again; with its outlier-heavy MatMuls
        kept float its question vectors are within cosine ~0.998 of float ones and the full-archive dev
        figures are unchanged (``onnx_backend.FLOAT_MATMULS``). When both settings name the same engine
        it is loaded once. An engine given by :meth:`serve_queries_with` comes first.
        """
        with self._engine_lock:
            if self._query_encoder is None and self._engine is not None:
                engine, self._engine = self._engine, None
                self._query_encoder = engine()
        if self._query_encoder is not None:
            return self._query_encoder
        if self.query_backend == self.backend and not self.bulk:
            return self.encoder
        device = device_for(self.settings, self.query_backend)
        self._query_encoder = _load_encoder(self.settings, self.query_backend, device)
        if self._prompts is None:
            self._prompts = _prompts_of(self._query_encoder)
        return self._query_encoder

    def serve_queries_with(self, engine: Callable[[], Encoder | None]) -> None:
        """Embed questions with the encoder ``engine()`` makes on first use instead of the
        ``EMBEDDING_QUERY_BACKEND`` one (which serves them when it returns None: it could not be made).

        Why: the query tower's split graphs (index/build/onnx_split.py) give e5's question vectors too;
        a process that serves the tower then holds one copy of e5's shared layers, not two.
        """
        with self._engine_lock:
            self._engine = engine

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    @property
    def tokenizer(self) -> object:
        """The model's tokenizer (for counting chunk tokens), loaded without the model's weights."""
        if self._tokenizer is None:
            if isinstance(self._encoder, TorchEncoder):  # its Hugging Face tokenizer, already loaded
                self._tokenizer = self._encoder.tokenizer
            else:
                self._tokenizer = load_tokenizer(self.settings.embedding_model)
        return self._tokenizer

    def prompt(self, name: str) -> str:
        prompts = self._prompts
        if prompts is None:
            prompts = _prompts_of(self.encoder)
            self._prompts = prompts
        if name in prompts:
            return prompts[name]
        return _E5_PROMPTS[name] if "e5" in self.model_id.lower() else ""

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of passages (``passage: `` prompt added), float32, in input order."""
        return self._encode(texts, self.prompt("passage"))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of questions (``query: `` prompt added), from :attr:`query_encoder`."""
        return self._encode(texts, self.prompt("query"), self.query_encoder)

    def compare(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """Cosine similarity of ``question`` to each of ``passages``, all embedded in one call of the
        question engine: a judgement made while the user waits (answer confidence), not index vectors."""
        encoder = self.query_encoder
        texts = [self.prompt("query") + question] + [self.prompt("passage") + p for p in passages]
        vecs = encoder.encode(texts)
        vecs = np.asarray(vecs, dtype=np.float32)
        return vecs[1:] @ vecs[0]

    def _encode(self, texts: Sequence[str], prefix: str, encoder: Encoder | None = None) -> np.ndarray:
        encoder = encoder or self.encoder
        if not texts:
            return np.zeros((0, int(encoder.dim)), dtype=np.float32)
        return np.ascontiguousarray(encoder.encode([prefix + t for t in texts]), dtype=np.float32)


def vector_kind(backend: str) -> str:
    """Which vectors a backend writes: torch and onnx give the same float vectors (one cache), the int8
    engine its own (they differ a little: a cache key and a generation never mix the two)."""
    return "float" if backend in ("torch", "onnx") else backend
