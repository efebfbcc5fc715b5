"""English → Thai query translation from the glossary mined out of the corpus (bench/mine_glossary.py).

Why: BM25 over Thai releases cannot match an English question's words, and e5-small's cross-lingual
similarity is weak for names and government vocabulary. The corpus's own English versions of Thai releases
teach which Thai words translate which English ones (``index/data/glossary_en_th.tsv``), and Thai names
written after honorifics or place prefixes, romanised with royin (``index/data/names_th.tsv``), let an
English spelling ("Supamas", "Roi Et") find its Thai form (ศุภมาส, ร้อยเอ็ด) by a fuzzy phonetic key, because
English spellings of Thai names follow no single system. A hand-written general government vocabulary
(``index/data/gov_terms_en_th.tsv``: institutions, portfolios, actions, disasters, figures, places) overrides
the mined renderings of the everyday words it lists, where co-occurrence mining is noisiest. A dictionary
(Princeton WordNet with the Thai WordNet, ``index/data/glossary_wordnet_en_th.tsv``) adds a plain translation
beside the mined ones and speaks for the everyday words no table knows.

The translation is a bag of weighted Thai terms; the searcher sends it to BM25 and to the dense model beside
the original question. Everything is loaded once (a few MB) and each query costs well under a millisecond.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Indel

from index.search.transliteration import TRANSLIT_FILE, Transliterations

log = logging.getLogger(__name__)
#: The weight of a romanised Thai word's match (a mined rendering's runs 0.5-1.0).
TRANSLIT_WEIGHT = 0.6

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
#: The longest province name, in words ("Phra Nakhon Si Ayutthaya").
PLACE_WORDS = 4

_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*[A-Za-z]|[A-Za-z]")
#: English function words, skipped both when the glossary is mined (bench/mine_glossary.py) and when a
#: question is looked up in it.
_FUNCTION_WORDS = """
    a an the of to in on at for and or by with from as is are was were be been being this that
    these those it its his her their our we he she they them you i not no but if than then so such
    also which who whom whose what when where why how all any each other into over under about
    after before during between up down out will would can could should may might must has have had
    do does did said says say
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
#: Words a question may hold that carry no meaning to look up.
STOP = FUNCTION_WORDS | {"many", "much", "according", "far", "long", "large", "until", "besides"}


@dataclass(frozen=True)
class Term:
    """One Thai term of a translation: ``source`` is the English word(s) it came from."""

    thai: str
    weight: float
    source: str
    kind: str  # "place" | "glossary" | "name" | "translit" | "dictionary" | "induced"


def phonetic(s: str) -> str:
    """A spelling-tolerant form of a romanised Thai word: aspiration, voicing and finals merged.

    English spellings of Thai names vary (Supamas / Suphamat, Varawut / Warawut, Chidchob / Chitchop): the
    merges below are the sound classes Thai romanisations disagree on.
    """
    s = re.sub(r"[^a-z]", "", s.lower())
    for a, b in (("ph", "p"), ("th", "t"), ("kh", "k"), ("ch", "c"), ("sh", "s"), ("ng", "n"), ("j", "c")):
        s = s.replace(a, b)
    s = s.translate(str.maketrans("bdgvzqlx", "ptkwskrk"))
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"s$", "t", s)
    return s


def skeleton(s: str) -> str:
    """The consonants of :func:`phonetic` (vowels are the least reliable part of a romanisation)."""
    sk = re.sub(r"[aeiouy]", "", phonetic(s))
    return re.sub(r"(.)\1+", r"\1", sk)


def _deletions(s: str) -> set[str]:
    return {s} | {s[:i] + s[i + 1 :] for i in range(len(s))}


class Glossary:
    """The mined glossary and name table; :meth:`translate` turns an English question into Thai terms."""

    def __init__(
        self,
        entries: dict[str, list[tuple[str, float]]],
        names: list[tuple[str, str, int]],
        induced: dict[str, list[tuple[str, float]]] | None = None,
        translit: Transliterations | None = None,
        dictionary: dict[str, list[tuple[str, float]]] | None = None,
        curated: frozenset[str] = frozenset(),
        places: dict[str, str] | None = None,
    ):
        self.entries = entries
        # English province names (one to four words, and written as one) → Thai (:func:`provinces`).
        self.places = places or {}
        # Romanised Thai words (index/search/transliteration.py): after names, before induced renderings.
        self.translit = translit
        self.names = names
        # Induced renderings (bench/induce_glossary.py) stand apart: they serve English words no table
        # knows, after the name matcher, and never enter the Thai → English map below.
        self.induced = induced or {}
        # Thai → English, for Thai questions about the corpus's English releases: the best English word
        # for each Thai unit (unigrams only: an English bigram's words are matched by BM25 anyway).
        reverse: dict[str, tuple[float, str]] = {}
        for en, lst in entries.items():
            for thai, score in lst:
                if score > reverse.get(thai, (0.0, ""))[0]:
                    reverse[thai] = (score, en)
        self.reverse = {thai: en for thai, (_, en) in reverse.items()}
        # The dictionary's renderings (bench/wordnet_glossary.py) join after the reverse map is made: their
        # weights are on another scale, and a dictionary lists every sense (ของ → "object").
        self.dictionary = _add_dictionary(entries, dictionary or {}, curated)
        self._name_cache: dict[tuple[str, int, float], list[tuple[str, float]]] = {}
        self._name_lock = threading.Lock()  # one Glossary serves the bot's concurrent questions
        self._by_skeleton: dict[str, list[int]] = defaultdict(list)
        self._phon = [phonetic(rom) for _, rom, _ in names]
        for i, (_, rom, _) in enumerate(names):
            sk = skeleton(rom)
            if len(sk) >= 2:
                for d in _deletions(sk):
                    self._by_skeleton[d].append(i)

    @classmethod
    def load(
        cls,
        glossary_file: Path = GLOSSARY_FILE,
        names_file: Path = NAMES_FILE,
        curated_file: Path | None = CURATED_FILE,
        induced_file: Path | None = INDUCED_FILE,
        translit_file: Path | None = TRANSLIT_FILE,
        wordnet_file: Path | None = WORDNET_FILE,
    ) -> Glossary:
        """The mined glossary, overridden word by word by the curated vocabulary, joined by the dictionary
        (:func:`_add_dictionary`), and the name table.

        Why curated entries replace mined ones rather than join them: alignment mined from ~1,100 release
        pairs is good at names and topical terms but noisy for everyday government words, which occur
        everywhere; a wrong rendering of such a word pulls BM25 and sentence choice off course. Induced
        renderings come last: only words that neither the tables nor the dictionary know take them.
        """
        entries: dict[str, list[tuple[str, float]]] = defaultdict(list)
        if glossary_file.is_file():
            entries.update(read_glossary(glossary_file))
        else:
            log.warning("no glossary at %s: English questions get no Thai expansion", glossary_file)
        curated: dict[str, list[tuple[str, float]]] = {}
        if curated_file is not None and curated_file.is_file():
            curated = read_glossary(curated_file)
            entries.update(curated)
        for lst in entries.values():
            lst.sort(key=lambda r: -r[1])
        dictionary = (
            read_glossary(wordnet_file) if wordnet_file is not None and wordnet_file.is_file() else {}
        )
        induced: dict[str, list[tuple[str, float]]] = {}
        if induced_file is not None and induced_file.is_file():
            for en, lst in read_glossary(induced_file).items():
                if en not in entries:
                    induced[en] = lst
        names: list[tuple[str, str, int]] = []
        if names_file.is_file():
            for line in names_file.read_text(encoding="utf-8").splitlines():
                if not line or line.startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) >= 3:
                    names.append((parts[0], parts[1], int(parts[2])))
        translit = Transliterations.load(translit_file) if translit_file is not None else None
        return cls(dict(entries), names, induced, translit, dictionary, frozenset(curated), provinces())

    def match_name(self, word: str, limit: int = 2, min_ratio: float = 0.72) -> list[tuple[str, float]]:
        """Thai names whose royin romanisation sounds like ``word`` (one English word or a joined pair).

        Cached: the sound comparison (~10 ms a word over 38k names) is asked for the same question by
        retrieval and twice more by the answer step (its Thai rendering and phrases).
        """
        key = (word, limit, min_ratio)
        with self._name_lock:
            cached = self._name_cache.get(key)
        if cached is None:
            # Computed outside the lock: two threads may both compute it, neither waits on the other.
            cached = self._match_name(word, limit, min_ratio)
            with self._name_lock:
                if len(self._name_cache) > 10_000:
                    self._name_cache.clear()
                self._name_cache[key] = cached
        return list(cached)

    def _match_name(self, word: str, limit: int, min_ratio: float) -> list[tuple[str, float]]:
        sk = skeleton(word)
        if len(sk) < 2:
            return []
        cand: set[int] = set()
        for d in _deletions(sk):
            cand.update(self._by_skeleton.get(d, ()))
        if not cand:
            return []
        ph = phonetic(word)
        scored = []
        # rapidfuzz's Indel similarity (2 x matched characters / both lengths, as difflib's ratio, with the
        # longest common subsequence for the matches) in C++: difflib took ~1 ms a word over its ~500
        # candidates, on the path of an English question's rendering, which its dense search waits for;
        # 6x faster, the same first two names for 1,707 of 1,722 words of the question sets.
        for i in sorted(cand):
            ratio = Indel.normalized_similarity(self._phon[i], ph, score_cutoff=min_ratio)
            if ratio >= min_ratio:
                scored.append((ratio, self.names[i][2], self.names[i][0]))
        scored.sort(reverse=True)
        out: list[tuple[str, float]] = []
        for ratio, _, thai in scored:
            if thai not in (t for t, _ in out):
                out.append((thai, ratio))
            if len(out) >= limit:
                break
        return out

    def translate(
        self, text: str, per_word: int = 2, min_score: float = 0.0, names: bool = True
    ) -> list[Term]:
        """Thai terms for the English words of ``text``: province names first, then glossary bigrams, then
        words (a lower-case word only the dictionary knows by the dictionary), then names and romanised Thai,
        then the dictionary's or the induced renderings for a word that none of those rendered."""
        words = self._words(text)
        low = [_singular(w.lower()) for w in words]
        terms: list[Term] = []
        used = [False] * len(words)
        placed = [False] * len(words)  # the words of a province's name: the gazetteer speaks for them
        terms += self._places(low, placed)
        for i in range(len(words) - 1):
            bigram = f"{low[i]} {low[i + 1]}"
            if bigram in self.entries and not (placed[i] or placed[i + 1]):
                terms += _rendered(self.entries[bigram], bigram, "glossary", per_word, min_score)
                used[i] = used[i + 1] = True
        # A capitalised word the tables lack is tried as a Thai name first ("Chang", "Mon": ช้าง, มอญ, not
        # the dictionary's Yangtze and Monday); a lower-case one as a dictionary word first.
        capital = [w[0].isupper() and not w.isupper() for w in words]
        plain = [not capital[i] and w in self.dictionary for i, w in enumerate(low)]
        spelled = self._spelled(low, [u or d or q for u, d, q in zip(used, plain, placed, strict=True)])
        for i, w in enumerate(low):
            if w in STOP or len(w) < 2 or placed[i]:
                continue
            if w in self.entries:
                terms += _rendered(self.entries[w], w, "glossary", per_word, min_score)
                continue
            if used[i]:
                continue
            if plain[i]:
                terms += _rendered(self.dictionary[w], w, "dictionary", per_word, min_score)
                continue
            # Names: capitalised words the glossary does not know, alone or joined with the next
            # capitalised word ("Roi Et" → roiet).
            found = 0
            if names and capital[i]:
                for thai, ratio in self.match_name(w):
                    terms.append(Term(thai, ratio, w, "name"))
                    found += 1
                if i + 1 < len(words) and words[i + 1][0].isupper():
                    for thai, ratio in self.match_name(w + low[i + 1]):
                        terms.append(Term(thai, ratio, w + " " + low[i + 1], "name"))
                        found += 1
            for source, thai in spelled.get(i, []):
                terms.append(Term(thai, TRANSLIT_WEIGHT, source, "translit"))
            if not found and i not in spelled:
                if w in self.dictionary:
                    terms += _rendered(self.dictionary[w], w, "dictionary", per_word, min_score)
                else:
                    terms += _rendered(self.induced.get(w, []), w, "induced", per_word, min_score)
        seen: set[str] = set()
        out = []
        for t in terms:
            if t.thai not in seen:
                seen.add(t.thai)
                out.append(t)
        return out

    def _words(self, text: str) -> list[str]:
        """The English words of ``text``; a hyphenated word no table knows as a whole is looked up by its
        parts ("e-cigarette", "greenhouse-gas", "housing-loan": nothing knows them joined)."""
        out: list[str] = []
        for w in _WORD.findall(text):
            whole = _singular(w.lower())
            if "-" in w and whole not in self.entries and whole not in self.dictionary:
                out += [part for part in w.split("-") if part]
            else:
                out.append(w)
        return out

    def _places(self, low: list[str], placed: list[bool]) -> list[Term]:
        """Thai names of the provinces the words name, longest first ("Nakhon Si Thammarat" before "Nakhon"),
        their words marked in ``placed``."""
        out: list[Term] = []
        i = 0
        while i < len(low):
            for n in range(min(PLACE_WORDS, len(low) - i), 0, -1):
                thai = self.places.get(" ".join(low[i : i + n]))
                if thai is not None:
                    out.append(Term(thai, 1.0, " ".join(low[i : i + n]), "place"))
                    placed[i : i + n] = [True] * n
                    i += n
                    break
            else:
                i += 1
        return out

    def _spelled(self, low: list[str], used: list[bool]) -> dict[int, list[tuple[str, str]]]:
        """Romanised Thai words among the words no table knows: position → (source words, Thai word),
        every word of a matched run holding the run's matches once (at its first word) and none after."""
        if self.translit is None or not self.translit.by_key:
            return {}
        unknown = [not used[i] and w not in STOP and w not in self.entries for i, w in enumerate(low)]
        found = self.translit.match(low, unknown)
        out: dict[int, list[tuple[str, str]]] = {}
        for i, pairs in found.items():
            out[i] = pairs
            for j in range(i + 1, i + len(pairs[0][0].split())):
                out.setdefault(j, [])
        return out


def _rendered(
    renderings: list[tuple[str, float]], source: str, kind: str, per_word: int, min_score: float
) -> list[Term]:
    """The first ``per_word`` of a word's ``renderings`` that weigh at least ``min_score``, as terms."""
    return [Term(thai, score, source, kind) for thai, score in renderings[:per_word] if score >= min_score]


def _add_dictionary(
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


def _singular(word: str) -> str:
    """The word without a possessive ending ("government's" → "government"): tables hold bare words."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


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


def to_english(glossary: Glossary, tokens: list[str]) -> list[str]:
    """English words for Thai tokens (and adjacent pairs joined, as the glossary stores Thai bigrams)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tokens[i] + tokens[i + 1] if i + 1 < len(tokens) else ""
        if pair and pair in glossary.reverse:
            out.append(glossary.reverse[pair])
            i += 2
            continue
        if tokens[i] in glossary.reverse:
            out.append(glossary.reverse[tokens[i]])
        i += 1
    return list(dict.fromkeys(out))


@functools.lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The shipped glossary, loaded once per process."""
    return Glossary.load()
