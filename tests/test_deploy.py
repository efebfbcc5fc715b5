"""The systemd units under deploy/ pass ``systemd-analyze verify`` (Debian's ``systemd`` package has it
even where systemd is not running). The ExecStart paths point at ``/opt/thaigov-qa/venv``, which verify
requires to exist: the test checks a copy whose ExecStart names this machine's ``thaigov-qa`` script."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
INSTALLED = "/opt/thaigov-qa/venv/bin/thaigov-qa"
UNITS = ["thaigov-qa-bot.service", "thaigov-qa-update.service", "thaigov-qa-update.timer"]


def test_units_present_with_the_hardening_the_docs_promise() -> None:
    bot = (DEPLOY / "thaigov-qa-bot.service").read_text()
    for line in (
        "User=thaigov-qa",
        "Restart=on-failure",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/thaigov-qa",
        "EnvironmentFile=/etc/thaigov-qa/.env",
    ):
        assert line in bot, line
    assert "index update" in (DEPLOY / "thaigov-qa-update.service").read_text()
    assert "Unit=thaigov-qa-update.service" in (DEPLOY / "thaigov-qa-update.timer").read_text()


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (apt-get install systemd): units not verified")
    script = shutil.which("thaigov-qa") or shutil.which("python3")
    assert script
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(INSTALLED, script)
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines() if "thaigov-qa" in line]
    assert not problems, problems
