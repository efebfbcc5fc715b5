"""The one settings class, read from the environment and ``.env`` (pydantic-settings).

Every part of the product takes its configuration from :class:`Settings`; nothing reads ``os.environ``
directly. Lists are comma-separated in the environment (``TELEGRAM_ADMIN_IDS=1,2``), not JSON, because
that is what an admin writes by hand.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from thaigov_qa.textfile import NotUtf8, read_utf8

#: The embedding model production loads by name from the Hugging Face hub.
HUB_MODEL = "intfloat/multilingual-e5-small"
#: The same model, offline, beside the checkout (tests, benchmarks, the demo).
SHARED_MODEL = Path(__file__).resolve().parent.parent.parent / "shared" / "models" / "multilingual-e5-small"

CommaList = Annotated[list[str], NoDecode]
CommaInts = Annotated[list[int], NoDecode]


def _split(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v).strip() for v in value]  # type: ignore[union-attr]


#: The engines that embed passages (``EMBEDDING_BACKEND``); also what a manifest's recorded engine must be for
#: :func:`with_index_model` to follow it.
PassageEngine = Literal["torch", "onnx", "onnx-int8"]


class SettingsError(Exception):
    """A setting has a bad value; the message is one readable line naming it."""


class Settings(BaseSettings):
    """All configuration of ThaiGov QA. See ``.env.example`` for what each setting does."""

    # utf-8-sig: a .env saved with a byte-order mark (Windows editors) keeps its first setting.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8-sig", extra="ignore")

    # --- storage and index -------------------------------------------------------------------
    data_dir: Path = Path("./var")
    embedding_model: str = HUB_MODEL
    embedding_backend: PassageEngine = "onnx-int8"
    # Questions may use another engine than passages (index.build.embedding.Embedder.query_encoder). onnx-int8
    # (default): half float ONNX's CPU, the outlier-heavy MatMuls kept float, the same full-archive dev
    # figures (R@5 0.95, unanswerable refused 0.83), what brings `ask` under 40 ms p50 at full size; onnx:
    # torch's own vectors. "" = embedding_backend. See bench/PERFORMANCE.md, "Stop 12".
    embedding_query_backend: Literal["", "torch", "onnx", "onnx-int8"] = "onnx-int8"
    # Where ONNX exports of the model are cached (under onnx/); empty = DATA_DIR. DATA_DIRs may share one.
    export_cache_dir: Path | None = None
    embedding_device: str = ""  # "" = cuda when present, else cpu
    # torch on the CPU: bfloat16 autocast. auto (default): on a CPU with bfloat16 in hardware, AMX (amx_bf16:
    # 2.8x float32's rate, ~1.8x onnx-int8's) or AVX-512 bfloat16 (avx512_bf16, AMD Zen 4/5: 2.1x float32's,
    # ~0.55x onnx-int8's), vectors within cosine 0.99999 of float32 (the same "float" vectors, one cache);
    # on/off force it (on without either is slower). See bench/PERFORMANCE.md, "Stop 48" and "Stop 55".
    embedding_cpu_bf16: Literal["auto", "on", "off"] = "auto"
    # Passages per embedding batch (and per commit to the embedding cache); 0 = automatic: 256 on a CUDA
    # device (a GPU is starved by small batches), 32 on the CPU (larger batches only pad more there).
    embedding_batch_size: int = Field(0, ge=0, le=4096)
    # flat: exact; ivf: IVF, recall@10 0.999 vs exact on the dev questions at 256k, ~60x faster (issue 7);
    # ivf-sq8 (default): 4x less vector memory (the full archive's bot at 761 MB instead of 1,124 MB) and
    # the same full-archive dev figures as ivf (R@5 0.95, MRR 0.84 vs 0.83). Small indexes are exact.
    vector_index: Literal["flat", "ivf", "ivf-sq8"] = "ivf-sq8"
    # Passages of each release that get an e5 vector: its first N (0 = all); BM25 reads every passage.
    # Why: embedding is ~90% of a build, and the long tail of long releases (cabinet summaries of up to
    # ~200 passages) holds a sixth of the archive's tokens beyond each release's 6th passage, while the
    # passages that answer questions sit near the top (see bench/PERFORMANCE.md, "Stop 14").
    dense_passages: int = Field(6, ge=0)
    # The second look at the fused top 30 releases (index/search/rerank.py, index/data/rerank.json): a
    # LambdaRank model over what each list, the stored vectors and the titles say of each release, learned
    # over the whole archive (`thaigov-qa rerank train`). It orders what search returns and the releases a
    # reply lists; the reader still reads the fused order it was trained on (trained behind the second look
    # it answered less). Whole archive, validation folds: R@5 0.814 -> 0.841, MRR 0.675 -> 0.706, answers
    # unchanged (bench/PERFORMANCE.md, "Stop 25").
    rerank: bool = True
    # The learned map of English questions' vectors toward the Thai passages they ask about, read by the
    # dense search only (index/search/adapter.py, index/data/query_adapter.npz; `thaigov-qa adapter train`).
    # Whole archive, validation folds, English: R@1 / R@5 0.488 / 0.763 -> 0.549 / 0.778
    # (bench/PERFORMANCE.md, "Stop 26").
    query_adapter: bool = True
    # The query tower: e5-small with its top 4 layers fine-tuned for English questions' own dense search, in
    # place of the adapter's map (index/search/tower.py, index/data/query_tower.npz; `thaigov-qa tower
    # train`). true: the shipped one; false: none; or a tower file of your own. Whole archive, validation
    # folds, English: R@1 / R@5 0.641 / 0.856 -> 0.671 / 0.869 (docs/answers.md, "Stop 52", "Stop 53").
    query_tower: bool | Path = Field(True, union_mode="left_to_right")
    corpus_sources: CommaList = []

    # --- answering ---------------------------------------------------------------------------
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = Field(20.0, gt=0)

    # --- Telegram ----------------------------------------------------------------------------
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_admin_ids: CommaInts = []
    rate_limit_per_minute: int = Field(10, ge=1)
    log_questions: bool = False
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr = SecretStr("")
    # Minutes a conversation turn gives context to the next question (follow-ups); 0 = no follow-ups.
    conversation_minutes: float = Field(15.0, ge=0)
    # Days the 👍/👎 feedback rows (question and answer only with LOG_QUESTIONS) are kept.
    feedback_retention_days: int = Field(90, ge=1)

    # --- alerts ------------------------------------------------------------------------------
    release_feeds: CommaList = []
    watch_dirs: CommaList = []
    alert_poll_minutes: float = Field(10.0, gt=0)
    realert_on_edit: bool = False

    # --- operating the bot (docs/DEPLOY.md) ---------------------------------------------------
    # Prometheus metrics (and /healthz) on this port; 0 = off. METRICS_LISTEN: the address it binds.
    metrics_port: int = Field(0, ge=0, le=65535)
    metrics_listen: str = "127.0.0.1"
    # Answers computed at once; a question that cannot start within BUSY_SECONDS gets "busy, try again".
    answer_workers: int = Field(4, ge=1, le=64)
    busy_seconds: float = Field(5.0, gt=0)
    # Operator alerts to TELEGRAM_ADMIN_IDS: a feed failing this long, the newest indexed release older
    # than INDEX_STALE_DAYS (only when feeds, watched folders or CORPUS_SOURCES keep it fresh; 0 = off),
    # less than DISK_MIN_FREE_PERCENT free under DATA_DIR. Checked every OPS_CHECK_MINUTES, repeated
    # at most every OPS_REALERT_HOURS while the problem lasts.
    feed_alert_hours: float = Field(6.0, gt=0)
    index_stale_days: float = Field(3.0, ge=0)
    disk_min_free_percent: float = Field(10.0, ge=0, le=100)
    ops_check_minutes: float = Field(15.0, gt=0)
    ops_realert_hours: float = Field(24.0, gt=0)

    @field_validator("export_cache_dir", mode="before")
    @classmethod
    def _empty_path(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("query_tower", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return False if value in ("", None) else value

    @field_validator("data_dir", "export_cache_dir")
    @classmethod
    def _not_a_file(cls, value: Path | None) -> Path | None:
        """A folder setting that names an existing file fails here, in one line, not deep in a build."""
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder")
        return value

    @field_validator("corpus_sources", "release_feeds", "watch_dirs", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> list[str]:
        return _split(value)

    @field_validator("telegram_admin_ids", mode="before")
    @classmethod
    def _comma_ints(cls, value: object) -> list[int]:
        parts = _split(value)
        try:
            return [int(p) for p in parts]
        except ValueError as exc:
            raise ValueError(f"expected comma-separated Telegram user ids, got {value!r}") from exc

    @field_validator("telegram_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value

    # --- derived paths -----------------------------------------------------------------------
    # Plain properties, not cached: a copy with another ``data_dir`` (``model_copy``, as ``reader train
    # --also-index`` makes) must not keep the first one's paths.
    @property
    def db_path(self) -> Path:
        """The SQLite database: releases, chunks, FTS, subscriptions, alert outbox."""
        return self.data_dir / "thaigov.sqlite"

    @property
    def onnx_root(self) -> Path:
        """The folder whose ``onnx/`` holds the model's ONNX exports: ``EXPORT_CACHE_DIR`` or ``DATA_DIR``."""
        return self.export_cache_dir or self.data_dir

    @property
    def index_dir(self) -> Path:
        """Index generations (FAISS files and manifests) and the pointer to the live one."""
        return self.data_dir / "index"


def check_env_file(path: Path) -> None:
    """A ``.env`` that is not UTF-8, or has a line that is not ``NAME=value``, is a :class:`SettingsError`
    naming the file and line (python-dotenv would raise a traceback, or log and skip the line)."""
    if not path.is_file():
        return
    try:
        text = read_utf8(path)
    except NotUtf8 as exc:
        raise SettingsError(f"{path}: {exc}") from None
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise SettingsError(
                f"{path}: line {binding.original.line}: cannot parse it (expected NAME=value, or a # comment)"
            )


def live_manifest(data_dir: Path) -> tuple[int, dict[str, object]] | None:
    """The live index generation under ``data_dir`` and its manifest; None when there is no index, or its
    pointer or manifest cannot be read (the index reader reports those). A manifest that is not a JSON
    object reads as empty. Read here, below every package, by the settings and the schema check alike."""
    index_dir = Path(data_dir) / "index"
    try:
        live = int((index_dir / "CURRENT").read_text(encoding="utf-8").strip())
        manifest = json.loads((index_dir / f"{live:06d}" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return live, manifest if isinstance(manifest, dict) else {}


def _live_manifest(data_dir: Path) -> dict[str, object]:
    """:func:`live_manifest`'s manifest alone (empty: none, or unreadable)."""
    found = live_manifest(data_dir)
    return found[1] if found else {}


def recorded_model(data_dir: Path) -> str | None:
    """The embedding model recorded in the live index generation of ``data_dir``, if there is one."""
    model = _live_manifest(data_dir).get("model")
    return model if isinstance(model, str) and model else None


def with_index_model(settings: Settings) -> Settings:
    """What the live index was built with, for the embedding settings not set (environment or ``.env``):
    an index remembers its model, so ``DATA_DIR=./var-demo thaigov-qa ask`` needs nothing else; and its
    passage engine, so that an update or the bot's alerts over an index an admin built with
    ``EMBEDDING_BACKEND=torch`` (bfloat16 on AMX) add vectors of the same kind instead of re-indexing the
    whole archive (a change of vector kind is a full run) or being refused."""
    manifest = _live_manifest(settings.data_dir)
    follow: dict[str, str] = {}
    model, backend = manifest.get("model"), manifest.get("backend")
    unset = {"embedding_model", "embedding_backend"} - settings.model_fields_set
    if "embedding_model" in unset and isinstance(model, str) and model and model != settings.embedding_model:
        follow["embedding_model"] = model
    known = get_args(PassageEngine)
    if "embedding_backend" in unset and backend in known and backend != settings.embedding_backend:
        follow["embedding_backend"] = str(backend)
    if not follow:
        return settings
    values = settings.model_dump()
    values.update(follow)
    # A fresh object, not model_copy: the followed fields stay unset-by-user, so a later rebuild elsewhere
    # is still followed.
    fresh = type(settings)(_env_file=None, **values)
    fresh.__pydantic_fields_set__.difference_update(follow)
    return fresh


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value raises :class:`SettingsError` with one line naming the setting.

    The ``.env`` file is checked first (encoding, syntax); the embedding model defaults to the one the
    live index records (:func:`with_index_model`)."""
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    if isinstance(env_file, str | Path):
        check_env_file(Path(env_file))
        if Path(env_file).exists() and not Path(env_file).is_file():
            # A pipe or device named .env: reading it could wait forever (a FIFO); only a file is read.
            overrides = {**overrides, "_env_file": None}
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "?"
            problems.append(f"{name}: {err['msg']}")
        raise SettingsError("bad setting " + "; ".join(problems)) from None
    return with_index_model(settings)


def demo_model() -> str:
    """The model the demo uses: the shared offline copy when present, else the hub model."""
    return str(SHARED_MODEL) if SHARED_MODEL.is_dir() else HUB_MODEL
