"""``thaigov-qa doctor``: is this deployment ready? One line (or JSON object) per check.

Why: the failures an operator meets first are configuration ones (a model path that is not there, an
index built with another model, a token Telegram refuses, a feed URL with a typo, a full disk), and
each used to show up only when the bot was asked something. Every check is independent and bounded in
time (network checks time out after ``NETWORK_TIMEOUT`` seconds); a check whose setting is not
configured (no token, no feeds) is *skipped*, not failed. Exit status 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from thaigov_qa.db import read_only
from thaigov_qa.settings import Settings

NETWORK_TIMEOUT = 10.0
OK, FAIL, SKIPPED = "ok", "fail", "skipped"


@dataclass
class Check:
    check: str
    status: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.status.upper():8} {self.check:10} {self.detail}"


def check_settings(settings: Settings) -> Check:
    """Reaching here means the settings and ``.env`` parsed; say what matters most."""
    return Check("settings", OK, f"DATA_DIR={settings.data_dir}, EMBEDDING_MODEL={settings.embedding_model}")


def check_model(settings: Settings) -> Check:
    """The question encoder loads and embeds a question (what every answer needs first)."""
    from index.build.embedding import Embedder

    try:
        vector = Embedder(settings).encode_queries(["doctor"])
    except Exception as exc:  # noqa: BLE001 - any failure to load is this check's answer
        return Check("model", FAIL, f"{settings.embedding_model} does not load: {type(exc).__name__}: {exc}")
    return Check("model", OK, f"{settings.embedding_model} loads ({vector.shape[1]} dimensions)")


def check_tower(settings: Settings) -> Check:
    """The query tower ``QUERY_TOWER`` names is readable and fitted for this model. Why a check: a tower that
    cannot serve is only said in the bot's log, and English questions then fall back to the adapter's map,
    which finds their release less often over a large archive (docs/answers.md, "Stop 53")."""
    from index.search.tower import TowerError, configured_tower, tower_file

    try:
        tower = configured_tower(settings.query_tower, settings.embedding_model)
    except TowerError as exc:
        return Check("tower", FAIL, str(exc))
    if tower is None:
        return Check("tower", SKIPPED, "QUERY_TOWER=false: English questions use the adapter's map")
    serves = f"serves {tower.lang} questions' dense search ({len(tower.coded)} weights)"
    return Check("tower", OK, f"{tower_file(settings.query_tower)} {serves}")


def check_speed(settings: Settings) -> Check:
    """How fast this machine embeds passages and questions, and the whole archive's build projected from it
    (:mod:`thaigov_app.speed`: the same build takes ~2 h on one 2-core CPU and ~10 h on another)."""
    from thaigov_app.speed import measure

    return Check("speed", OK, measure(settings).summary())


def check_index(settings: Settings) -> Check:
    from index.search.reader import IndexReader, ModelMismatch, NoIndex

    try:
        reader = IndexReader.open(settings)
    except (NoIndex, ModelMismatch) as exc:
        return Check("index", FAIL, str(exc))
    try:
        stats = reader.stats()
    finally:
        reader.close()
    return Check(
        "index",
        OK,
        f"generation {stats['generation']}: {stats['releases']} releases, {stats['chunks']} chunks, "
        f"newest {stats.get('newest_date') or '?'}, built with this model",
    )


def check_disk(settings: Settings) -> Check:
    folder = Path(settings.data_dir)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    free = 100.0 * usage.free / usage.total if usage.total else 100.0
    detail = f"{usage.free / 1e9:.1f} GB free ({free:.0f}%) under {folder}"
    if free < settings.disk_min_free_percent:
        return Check("disk", FAIL, f"{detail}: below DISK_MIN_FREE_PERCENT={settings.disk_min_free_percent}")
    return Check("disk", OK, detail)


def check_database(settings: Settings) -> Check:
    from thaigov_qa.schema import DB_SCHEMA

    path = settings.db_path
    if not path.is_file():
        return Check("database", FAIL, f"no database at {path}: build an index first")
    try:
        with read_only(path, timeout=10) as conn:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        return Check("database", FAIL, f"{path}: {exc}")
    if result != "ok":
        return Check("database", FAIL, f"{path}: quick_check says {result}")
    if version > DB_SCHEMA:
        return Check("database", FAIL, f"{path}: schema {version} is newer than this release's {DB_SCHEMA}")
    return Check("database", OK, f"{path}: quick_check ok, schema {version}")


def check_telegram(settings: Settings) -> Check:
    """``getMe`` with the token (never printed): Telegram accepts it, and who the bot is."""
    import httpx

    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        return Check("telegram", SKIPPED, "TELEGRAM_BOT_TOKEN not set")
    try:
        response = httpx.get(f"{settings.telegram_base_url}{token}/getMe", timeout=NETWORK_TIMEOUT)
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return Check("telegram", FAIL, f"Bot API not reachable: {type(exc).__name__}")
    if not data.get("ok"):
        return Check("telegram", FAIL, f"the token was refused: {str(data.get('description'))[:100]}")
    return Check("telegram", OK, f"token accepted: @{data['result'].get('username')}")


def check_feeds(settings: Settings) -> Check:
    """Every feed answers (HTTP < 400) and every watched folder exists."""
    import httpx

    if not settings.release_feeds and not settings.watch_dirs:
        return Check("feeds", SKIPPED, "no RELEASE_FEEDS or WATCH_DIRS")
    problems = []
    for url in settings.release_feeds:
        try:
            status = httpx.get(url, timeout=NETWORK_TIMEOUT, follow_redirects=True).status_code
        except httpx.HTTPError as exc:
            problems.append(f"{url}: {type(exc).__name__}")
            continue
        if status >= 400:
            problems.append(f"{url}: HTTP {status}")
    problems += [f"{d}: not a folder" for d in settings.watch_dirs if not Path(d).is_dir()]
    n = len(settings.release_feeds) + len(settings.watch_dirs)
    if problems:
        return Check("feeds", FAIL, "; ".join(problems))
    return Check("feeds", OK, f"{n} source(s) reachable")


def check_sources(settings: Settings) -> Check:
    if not settings.corpus_sources:
        return Check("sources", SKIPPED, "no CORPUS_SOURCES (index update needs a SOURCE argument)")
    missing = [s for s in settings.corpus_sources if not Path(s).exists()]
    if missing:
        return Check("sources", FAIL, "not found: " + ", ".join(missing))
    return Check("sources", OK, f"{len(settings.corpus_sources)} source(s) present")


CHECKS: list[Callable[[Settings], Check]] = [
    check_settings,
    check_model,
    check_tower,
    check_speed,
    check_index,
    check_disk,
    check_database,
    check_telegram,
    check_feeds,
    check_sources,
]


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in order; a check that raises is a failure named after it, never a traceback."""
    results = []
    for fn in CHECKS:
        name = fn.__name__.removeprefix("check_")
        try:
            results.append(fn(settings))
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            results.append(Check(name, FAIL, f"{type(exc).__name__}: {exc}"))
    return results
