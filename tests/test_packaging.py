"""The wheel carries every package and subpackage (found by setuptools, not listed by hand) and the data
files the product loads (the reader model, the glossaries, the demo release)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("thaigov_qa", "thaigov_app", "corpus", "index", "bot")


@pytest.mark.slow
def test_the_wheel_has_every_subpackage_and_the_data(tmp_path: Path) -> None:
    pytest.importorskip("setuptools", reason="builds the wheel with the installed setuptools (no download)")
    leftover = ROOT / "build"  # setuptools builds in the source tree: leave it as it was found
    existed = leftover.exists()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if not existed:
        shutil.rmtree(leftover, ignore_errors=True)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = tmp_path.glob("thaigov_qa-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        for init in (ROOT / package).rglob("__init__.py"):
            assert init.relative_to(ROOT).as_posix() in names, f"{init} missing from the wheel"
    assert "index/answer/answerer.py" in names
    assert "index/data/reader.json" in names and "corpus/demo/76362.txt" in names
    assert not any(n.startswith("tests/") for n in names)
