"""Loading a script of ``bench/`` as a module in tests (the folder is not a package: its scripts run as
``python bench/NAME.py``), so the functions that make the shipped tables are tested on small inputs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_script(name: str) -> ModuleType:
    """``bench/<name>.py``, imported (and registered in ``sys.modules`` for its dataclasses)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def one_release_jsonl(folder: Path, title: str, body: str) -> Path:
    """A ``.jsonl`` source of one release (what a miner reads as its archive), in ``folder``."""
    record = {"url": "https://www.thaigov.go.th/news/contents/details/1", "title": title, "body": body}
    source = folder / "releases.jsonl"
    source.write_text(
        json.dumps({**record, "date": "2024-01-02"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return source
