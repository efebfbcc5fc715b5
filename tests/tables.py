"""Reading the shipped tab-separated tables (glossaries, vocabularies) in tests: their rows, comments out."""

from __future__ import annotations

from pathlib import Path

from index.search.glossary import Glossary


def tsv_rows(path: Path) -> list[list[str]]:
    """Each non-empty, non-comment line of ``path`` split at tabs."""
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def glossary_of(
    tmp_path: Path,
    mined: str,
    names: str = "",
    curated: str | None = None,
    induced: str | None = None,
    wordnet: str | None = None,
    translit: Path | None = None,
    acronyms: str | None = None,
    thai_acronyms: str | None = None,
) -> Glossary:
    """A :class:`Glossary` of the given tables (their text, written under ``tmp_path``); a table not given is
    left out, so a test sees only the sources it names."""

    def table(name: str, text: str | None) -> Path | None:
        if text is None:
            return None
        path = tmp_path / f"{name}.tsv"
        path.write_text(text, encoding="utf-8")
        return path

    mined_file, names_file = table("mined", mined), table("names", names)
    assert mined_file is not None and names_file is not None
    return Glossary.load(
        mined_file,
        names_file,
        table("curated", curated),
        table("induced", induced),
        translit,
        table("wordnet", wordnet),
        table("acronyms", acronyms),
        table("thai_acronyms", thai_acronyms),
    )
