"""The fast CPU embedding path: the sentence-transformers model exported once to ONNX, run by onnxruntime.

Why: on these 2-core machines a float32 PyTorch pass costs ~0.05-0.1 s per chunk, so the whole archive
(~250k chunks) takes hours. onnxruntime with int8 dynamic quantisation (VNNI kernels) and batches sorted
by token count (little padding) is several times faster at nearly the same embeddings; see
``bench/PERFORMANCE.md`` for the measured figures.

The export is made from the model the settings name (a local folder, or the hub model that
sentence-transformers already caches), once, and cached under ``EXPORT_CACHE_DIR`` or ``DATA_DIR``,
in ``onnx/<key>/``: never in the repository and never downloaded. Later loads need only ``onnxruntime``
and ``tokenizers`` (no torch weights), which also keeps the resident memory of the bot small. Questions
are embedded by the int8 graph by default (``EMBEDDING_QUERY_BACKEND``); its most outlier-sensitive
MatMuls stay float (:data:`FLOAT_MATMULS`).

``onnxruntime`` and ``onnx`` are plain dependencies; :class:`BackendUnavailable` still says what to do
where they are missing (an install without them).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from thaigov_qa.quiet import quiet_libraries

log = logging.getLogger(__name__)

#: Bump when the exported graph or its files change, so that old caches are not reused.
EXPORT_VERSION = 1
#: How the int8 graph is quantised (part of its file name): per-channel weights, 7-bit range, the
#: word-embedding table (Gather) too, and the most outlier-heavy MatMuls kept in float (``f2``, see
#: :data:`FLOAT_MATMULS`). Measured on 60-80 sample passages: cosine to float32 0.9964 mean / 0.994 min,
#: against 0.983 / 0.977 per-tensor, at the same speed; the 7-bit range avoids int16 overflow in the U8S8
#: kernels of CPUs without VNNI; the int8 embedding table makes the file 38 MB instead of 94 MB (the
#: production model's 250k-token vocabulary: ~0.1 GB instead of ~0.4 GB).
QUANT_TAG = "pc-rr-g-f2"
#: MatMuls left in float32 in the int8 graph: those whose input activations carry the largest outliers
#: (peak over standard deviation, on :data:`CALIBRATION` texts). Why: dynamic quantisation scales a whole
#: activation tensor by its peak, so one outlier channel crushes every other value into a few int8
#: steps; in e5-small two FFN down-projections (inputs peaking 110-150x their deviation) carry most of
#: the int8 error. Keeping those two float: question cosine to float32 0.9963 → 0.9980 mean (0.9915 →
#: 0.9969 min) for +0.7 ms a question (8.4 → 9.1 ms CPU; float32 17.7 ms). See bench/PERFORMANCE.md.
FLOAT_MATMULS = 2
#: Texts whose activations rank the MatMuls by outliers: questions and passages, Thai and English, of the
#: kind the product embeds (not taken from any evaluation set).
CALIBRATION = (
    "query: ครม. อนุมัติงบประมาณเท่าไร",
    "query: When did the cabinet approve the budget?",
    "query: Who chairs the committee on flood relief?",
    "passage: นายกรัฐมนตรีเดินทางไปเยือนญี่ปุ่น เพื่อหารือความร่วมมือด้านการค้าและการลงทุน",
    "passage: The Government Spokesperson said the Prime Minister will visit Chiang Mai on 18 December 2023.",
    "passage: กระทรวงสาธารณสุขรายงานผู้ป่วยโรคไข้เลือดออก 1,250 ราย ในช่วงเดือนมกราคม 2567",
)
#: A batch of more token slots than this returns its arena growth after running (questions never do).
SHRINK_TOKENS = 2048
#: Backend names (``settings.embedding_backend``) this module serves.
BACKENDS = ("onnx", "onnx-int8")
#: The inputs of a graph that reads tokens.
INPUTS = ("input_ids", "attention_mask")


class BackendUnavailable(RuntimeError):
    """The ONNX backend cannot run here (missing package, unsupported model); the message says what to do."""


def _require_ort():  # noqa: ANN202 - returns the module
    try:
        import onnxruntime  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendUnavailable(
            "EMBEDDING_BACKEND=onnx needs onnxruntime: pip install 'thaigov-qa[onnx]'"
            " (or set EMBEDDING_BACKEND=torch)"
        ) from exc
    return onnxruntime


def _model_fingerprint(model: str) -> str:
    """A key that changes with the model: its name and, for a local folder, its files' sizes and times."""
    path = Path(model)
    # A local folder is named by its resolved path: ../shared/... and /work/shared/... are one export.
    parts = [f"v{EXPORT_VERSION}", str(path.resolve()) if path.is_dir() else model]
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file():
                stat = file.stat()
                parts.append(f"{file.relative_to(path)}:{stat.st_size}:{int(stat.st_mtime)}")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def slug(name: str) -> str:
    """``name`` as a folder name: letters, digits, ``-_.``; at most 60 characters."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60]


def export_dir(model: str, data_dir: Path, tail: str = "") -> Path:
    """Where the export of ``model`` is cached: ``DATA_DIR/onnx/<name>-<fingerprint><tail>/`` (``tail``
    names an export of the model with other weights: index/build/onnx_split.py)."""
    return Path(data_dir) / "onnx" / f"{slug(Path(model).name or model)}-{_model_fingerprint(model)}{tail}"


def ensure_export(model: str, data_dir: Path, quantized: bool) -> Path:
    """Return the path of the cached ONNX file for ``model`` (exporting it first if missing).

    The float32 graph is exported from the sentence-transformers model (Transformer + mean pooling +
    L2 normalisation, in the graph); the int8 graph is onnxruntime's dynamic quantisation of it.
    Files are written to a temporary folder and moved into place, so a killed export leaves no half file.
    """
    target = export_dir(model, data_dir)
    fp32 = target / "model.onnx"
    int8 = target / f"model-int8-{QUANT_TAG}.onnx"
    if not (fp32.is_file() and (target / "tokenizer.json").is_file()):
        with quiet_libraries():  # torch.onnx's TracerWarnings mean nothing to a user
            _export_fp32(model, target)
    if quantized and not int8.is_file():
        with quiet_libraries():  # the quantiser's per-tensor notices and advice
            quantize(fp32, int8)
    return int8 if quantized else fp32


def load_pooled_model(model: str) -> tuple[Any, Any]:
    """The sentence-transformers model and its Hugging Face transformer (eval mode, eager attention: the
    exporter traces it), or :class:`BackendUnavailable` for a model whose pipeline the graph cannot hold."""
    _require_ort()
    try:
        import onnx  # noqa: F401, PLC0415
    except ImportError as exc:  # pragma: no cover
        raise BackendUnavailable(
            "exporting to ONNX needs the onnx package: pip install 'thaigov-qa[onnx]'"
        ) from exc
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415

    st = SentenceTransformer(model, device="cpu", model_kwargs={"attn_implementation": "eager"})
    modules = list(st)
    pooling = next((m for m in modules if type(m).__name__ == "Pooling"), None)
    normalize = any(type(m).__name__ == "Normalize" for m in modules)
    if pooling is None or _pooling_mode(pooling) != "mean" or not normalize:
        raise BackendUnavailable(
            f"the ONNX backend supports mean-pooled, normalised models; {model} is not:"
            " use EMBEDDING_BACKEND=torch"
        )
    return st, modules[0].auto_model.eval()


def mean_pool(hidden: Any, attention_mask: Any) -> Any:
    """Mean pooling over the real tokens, then L2 normalisation: the end of a sentence-transformers model."""
    import torch  # noqa: PLC0415

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(summed, p=2.0, dim=1)


def onnx_export(module: Any, inputs: tuple[Any, ...], names: Sequence[str], output: str, path: Path) -> None:
    """``module`` traced with ``inputs`` (named ``names``) to an opset-17 graph whose batch and sequence
    axes are free."""
    import torch  # noqa: PLC0415

    with torch.no_grad():
        torch.onnx.export(
            module,
            inputs,
            str(path),
            input_names=list(names),
            output_names=[output],
            dynamic_axes={name: {0: "batch", 1: "seq"} for name in names},
            opset_version=17,
            dynamo=False,
        )


def write_export(st: Any, model: str, target: Path, write_graphs: Callable[[Path], None]) -> None:
    """Export into a temporary folder beside ``target`` (``write_graphs`` writes the graphs, then the
    tokenizer and ``export.json``), moved into place whole: a killed export leaves no half folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        write_graphs(tmp)
        st.tokenizer.save_pretrained(str(tmp))
        meta = {
            "model": model,
            "dim": (getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension)(),
            "max_seq_length": st.max_seq_length,
            "export_version": EXPORT_VERSION,
        }
        (tmp / "export.json").write_text(json.dumps(meta, indent=1))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export_fp32(model: str, target: Path) -> None:
    import torch  # noqa: PLC0415

    log.info("exporting %s to ONNX under %s (once; later loads reuse it)", model, target)
    st, hf_model = load_pooled_model(model)

    class Pooled(torch.nn.Module):
        """Transformer + mean pooling + L2 normalisation: the whole sentence-transformers pipeline."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool(hidden, attention_mask)

    ids = torch.ones((2, 16), dtype=torch.long)
    write_export(
        st,
        model,
        target,
        lambda tmp: onnx_export(Pooled(hf_model), (ids, ids), INPUTS, "embedding", tmp / "model.onnx"),
    )


def _pooling_mode(pooling: object) -> str:
    """The pooling mode across sentence-transformers versions (v3-v5 method, v6 attribute)."""
    mode = getattr(pooling, "pooling_mode", None)
    if isinstance(mode, str):
        return mode
    getter = getattr(pooling, "get_pooling_mode_str", None)
    return getter() if callable(getter) else ""


def quantize(fp32: Path, int8: Path, float_matmuls: int = FLOAT_MATMULS) -> None:
    """int8 dynamic quantisation of the MatMul and embedding weights (activations quantised at run time),
    but for the ``float_matmuls`` MatMuls with the most outlier-heavy inputs."""
    _require_ort()
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415

    keep_float = _outlier_matmuls(fp32, float_matmuls)
    log.info("quantising %s to int8 (float: %s)", fp32, ", ".join(keep_float) or "none")
    tmp = int8.with_suffix(".tmp.onnx")
    quantize_dynamic(
        str(fp32),
        str(tmp),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=keep_float,
    )
    os.replace(tmp, int8)


def matmul_outliers(fp32: Path, texts: Sequence[str] = CALIBRATION) -> dict[str, float]:
    """Each weight MatMul of the float graph → the peak |activation| of its input over that input's
    standard deviation (the larger of the two over ``texts``): how badly per-tensor int8 fits it.

    One run of the float graph with the MatMuls' inputs added as outputs; the graph file is not changed.
    """
    ort = _require_ort()
    import onnx  # noqa: PLC0415
    from tokenizers import Tokenizer  # noqa: PLC0415

    model = onnx.load(str(fp32))
    weights = {init.name for init in model.graph.initializer}
    inputs: dict[str, list[str]] = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and len(node.input) == 2 and node.input[1] in weights:
            inputs.setdefault(node.input[0], []).append(node.name)
    outputs = {o.name for o in model.graph.output}
    for name in inputs:
        if name not in outputs:
            model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(fp32.parent / "tokenizer.json"))
    tokenizer.no_padding()
    names = list(inputs)
    ratio = dict.fromkeys(names, 0.0)
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        values = session.run(names, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        for name, value in zip(names, values, strict=True):
            std = float(np.std(value)) or 1.0
            ratio[name] = max(ratio[name], float(np.max(np.abs(value))) / std)
    return {node: ratio[name] for name, nodes in inputs.items() for node in nodes}


def _outlier_matmuls(fp32: Path, n: int) -> list[str]:
    """The ``n`` weight MatMuls whose inputs are most outlier-heavy (see :func:`matmul_outliers`)."""
    if n <= 0:
        return []
    ranked = sorted(matmul_outliers(fp32).items(), key=lambda item: -item[1])
    return [name for name, _ in ranked[:n]]


def session(path: Path, threads: int | None = None, spinning: bool = False) -> Any:
    """An onnxruntime CPU session of the graph in ``path``, set up for a shared 2-core machine; ``spinning``
    for a process that only embeds passages in bulk (``index build``/``update`` on the command line)."""
    ort = _require_ort()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # No busy-waiting between ops where questions are answered: spinning threads steal the cores the other
    # thread needs (one question: 16.9 ms at 2 spinning threads, 8.6 ms without spinning, 7.8 ms on 1). A
    # process that does nothing but embed batches gains by it: 6-13 % more passages a second, and less CPU
    # a passage, alternated three times (bench/PERFORMANCE.md "Stop 56").
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class TokenBatches:
    """The tokenizer of an export folder, and texts turned into padded batches of token ids.

    Texts arrive already prefixed (``query: `` / ``passage: ``): the caller owns the model's prompts.
    """

    def __init__(self, folder: Path, batch_size: int = 32) -> None:
        from tokenizers import Tokenizer  # noqa: PLC0415

        meta = json.loads((folder / "export.json").read_text())
        self.dim: int = int(meta["dim"])
        self.max_seq_length: int = int(meta["max_seq_length"])
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 0
        # After a large batch the memory arena gives back what it grew by. Why: the arena keeps the largest
        # batch's activations for the process's life, and the bot embeds passages (alerts) in the process
        # that answers (a 32-passage batch left RSS at 701 MB, 313 MB without an arena). Without an arena
        # at all, passage embedding took 30% more CPU (bench/incremental.py: 98 vs 75 CPU s).
        ort = _require_ort()
        self.shrink = ort.RunOptions()
        self.shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def batches(
        self, texts: Sequence[str], sort_by_length: bool = True
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, Any]]:
        """``(rows, ids, mask, run_options)`` per batch: the texts' positions, their padded token ids and
        mask, and the run options to pass (the arena shrinks after the call's last batch when one was large).

        Sorting by token count first means each batch is padded only to its own longest text;
        ``sort_by_length=False`` exists only so the benchmark can show what that saves.
        """
        encodings = self.tokenizer.encode_batch(list(texts))
        if sort_by_length:
            order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        else:
            order = np.arange(len(encodings))
        starts = range(0, len(order), self.batch_size)
        grew = False
        for start in starts:
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                seq = encodings[i].ids
                ids[r, : len(seq)] = seq
                mask[r, : len(seq)] = 1
            # Shrink the arena once, after the call's last batch: shrinking after every large batch made
            # the allocator give back and take again the same memory each time (~7% of a build's CPU).
            grew = grew or ids.size > SHRINK_TOKENS
            yield rows, ids, mask, self.shrink if grew and start == starts[-1] else None


class OnnxEncoder(TokenBatches):
    """Embeds texts with an exported model: tokenise, sort by token count, run in batches, restore order."""

    def __init__(
        self,
        model: str,
        data_dir: Path,
        quantized: bool = True,
        batch_size: int = 32,
        threads: int | None = None,
        spinning: bool = False,
    ) -> None:
        self.path = ensure_export(model, data_dir, quantized)
        super().__init__(self.path.parent, batch_size)
        self.session = session(self.path, threads, spinning)

    def encode(self, texts: Sequence[str], sort_by_length: bool = True) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in the input order."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for rows, ids, mask, options in self.batches(texts, sort_by_length):
            (emb,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask}, options)
            out[rows] = emb
        return out
