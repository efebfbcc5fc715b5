"""The tables the English → Thai rendering reads (index/search/glossary.py): where they live, how each is
read, and how the dictionary joins the mined table.

Why apart: the rendering is about words of a question; reading files and merging tables are done once at
load time, and the scripts that write the tables (``bench/``) name the files from here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
GLOSSARY_FILE = DATA_DIR / "glossary_en_th.tsv"
NAMES_FILE = DATA_DIR / "names_th.tsv"
#: Hand-written general government vocabulary; its renderings replace the mined ones for the same word.
CURATED_FILE = DATA_DIR / "gov_terms_en_th.tsv"
#: Renderings induced from the e5 model's word vectors (bench/induce_glossary.py), for the English words the
#: mined and curated tables lack; a rendering's weight is its cosine as written (0.45-0.8; mined scores run
#: 0.5-1.0), so ``translate``'s ``min_score`` applies to it as to a mined one.
INDUCED_FILE = DATA_DIR / "glossary_induced_en_th.tsv"
#: Renderings from Princeton WordNet and the Thai WordNet (bench/wordnet_glossary.py): a dictionary's plain
#: translation of everyday words, where the mined table is silent or wrong ("fee", "mother", "carbon").
WORDNET_FILE = DATA_DIR / "glossary_wordnet_en_th.tsv"
#: Where a word's dictionary rendering joins its mined ones: after the best two.
WORDNET_AFTER = 2


def read_glossary(path: Path) -> dict[str, list[tuple[str, float]]]:
    """``english<TAB>thai<TAB>weight[<TAB>...]`` rows, grouped by the English word; ``#`` lines skipped."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            out[parts[0]].append((parts[1], float(parts[2])))
    return out


def read_names(path: Path) -> list[tuple[str, str, int]]:
    """``thai<TAB>romanised<TAB>count`` rows of the name table; none when the file is missing."""
    names: list[tuple[str, str, int]] = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) >= 3:
                names.append((parts[0], parts[1], int(parts[2])))
    return names


def add_dictionary(
    entries: dict[str, list[tuple[str, float]]],
    dictionary: dict[str, list[tuple[str, float]]],
    curated: frozenset[str],
) -> dict[str, list[tuple[str, float]]]:
    """The dictionary's best rendering joined to each mined word (in place); the dictionary's words the
    tables lack are returned, for :meth:`Glossary.translate` to use as their own.

    A mined word keeps its renderings first and gets the dictionary's best one after the first
    :data:`WORDNET_AFTER`: mining is right about names and topics, the dictionary about plain words, and a
    mined rendering that is wrong ("mother" → เสียงพันธมิตร) then no longer speaks for the word alone. A
    curated word keeps its hand-written renderings alone (act → พระราชบัญญัติ, not also ทำ). Measured on
    the train and validation folds' English questions (bench/PERFORMANCE.md, stop 19).
    """
    only = {}
    for en, renderings in dictionary.items():
        if en in curated:
            continue
        have = entries.get(en)
        if not have:
            only[en] = list(renderings)
            continue
        known = {thai for thai, _ in have}
        best = next(((thai, w) for thai, w in renderings if thai not in known), None)
        if best is not None:
            have.insert(min(WORDNET_AFTER, len(have)), best)
    return only


def provinces() -> dict[str, str]:
    """Thailand's 77 provinces from pythainlp's gazetteer: the English name (lower case, also without its
    spaces: "nakhon sawan", "nakhonsawan") → the Thai name (นครสวรรค์).

    Why: the mined glossary renders province names badly ("ubon ratchathani" → รายงานของ; "nakhon" →
    นครราชสีมา, which then hides Nakhon Sawan from the name matcher), and these are the places questions
    name most. Empty when pythainlp's corpus is missing (translation then goes on without it).
    """
    try:
        from pythainlp.corpus import provinces as gazetteer

        rows = gazetteer(details=True)
    except Exception as exc:  # noqa: BLE001 - a missing corpus file costs only these renderings
        log.warning("no province gazetteer: %s", exc)
        return {}
    out: dict[str, str] = {}
    for row in rows:
        name, thai = str(row.get("name_en") or "").lower().strip(), str(row.get("name_th") or "").strip()
        if name and thai:
            out[name] = thai
            out[name.replace(" ", "")] = thai
    return out
