"""Reading the shipped tab-separated tables (glossaries, vocabularies) in tests: their rows, comments out."""

from __future__ import annotations

from pathlib import Path


def tsv_rows(path: Path) -> list[list[str]]:
    """Each non-empty, non-comment line of ``path`` split at tabs."""
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
