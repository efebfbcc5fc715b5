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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from index.search.acronyms import ACRONYM_FILE, Acronyms
from index.search.glossary_tables import (
    CURATED_FILE,
    GLOSSARY_FILE,
    INDUCED_FILE,
    NAMES_FILE,
    WORDNET_FILE,
    add_dictionary,
    provinces,
    read_glossary,
    read_names,
)
from index.search.letter_names import THAI_ACRONYM_FILE, ThaiAcronyms
from index.search.names import NameMatcher
from index.search.spelling import american
from index.search.transliteration import TRANSLIT_FILE, Transliterations

log = logging.getLogger(__name__)
#: The weight of a romanised Thai word's match (a mined rendering's runs 0.5-1.0).
TRANSLIT_WEIGHT = 0.6

#: A mined rendering weighing less than this is a weak alignment (mined weights run 0.3-2.0, most 0.5-1.0),
#: and a capitalised word's sound match of at least ``SURE_NAME`` joins it.
WEAK_MINED, SURE_NAME = 0.5, 0.9
#: The longest province name, in words ("Phra Nakhon Si Ayutthaya").
PLACE_WORDS = 4
#: The shortest sound key a name written in lower case is looked up by (see Glossary._lower_case_names),
#: and how many of a text's first words are looked at: a sound lookup costs ~0.25 ms a word, questions run
#: up to 40 words, and a 200 kB paste to ``search`` would otherwise spend seconds here.
LOWER_NAME_KEY, LOWER_NAME_WORDS = 6, 64

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
    kind: str  # "place" | "glossary" | "acronym" | "name" | "translit" | "dictionary" | "induced"


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
        acronyms: Acronyms | None = None,
        letters: ThaiAcronyms | None = None,
    ):
        self.entries = entries
        # Latin acronyms Thai releases use (index/search/acronyms.py), for words the mined and curated tables
        # lack: such a word is then no name or romanised Thai word (see _acronyms).
        self.acronyms = acronyms or Acronyms({}, {})
        # Thai acronyms spelled by letter name ("kor yor sor": index/search/letter_names.py).
        self.letters = letters or ThaiAcronyms.of({})
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
        self.dictionary = add_dictionary(entries, dictionary or {}, curated)
        self._names = NameMatcher(names)

    @classmethod
    def load(
        cls,
        glossary_file: Path = GLOSSARY_FILE,
        names_file: Path = NAMES_FILE,
        curated_file: Path | None = CURATED_FILE,
        induced_file: Path | None = INDUCED_FILE,
        translit_file: Path | None = TRANSLIT_FILE,
        wordnet_file: Path | None = WORDNET_FILE,
        acronym_file: Path | None = ACRONYM_FILE,
        thai_acronym_file: Path | None = THAI_ACRONYM_FILE,
    ) -> Glossary:
        """The mined glossary, overridden word by word by the curated vocabulary, joined by the dictionary
        (:func:`index.search.glossary_tables.add_dictionary`), and the name table.

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
        names = read_names(names_file)
        translit = Transliterations.load(translit_file) if translit_file is not None else None
        acronyms = Acronyms.load(acronym_file) if acronym_file is not None else None
        letters = ThaiAcronyms.load(thai_acronym_file) if thai_acronym_file is not None else None
        return cls(
            dict(entries),
            names,
            induced,
            translit,
            dictionary,
            frozenset(curated),
            provinces(),
            acronyms,
            letters,
        )

    def match_name(self, word: str, limit: int = 2, min_ratio: float = 0.72) -> list[tuple[str, float]]:
        """Thai names that sound like ``word`` (:meth:`index.search.names.NameMatcher.match`)."""
        return self._names.match(word, limit, min_ratio)

    def translate(
        self, text: str, per_word: int = 2, min_score: float = 0.0, names: bool = True
    ) -> list[Term]:
        """Thai terms for the English words of ``text``: province names first, then Thai acronyms spelled by
        letter name, glossary bigrams, then words: the mined and curated tables', else an acronym's (with a
        lower-case dictionary word's dictionary renderings), else the dictionary's for a lower-case word only
        it knows, then names and romanised Thai, then the dictionary's or the induced renderings for a word
        that none of those rendered."""
        words = self._words(text)
        low = [american(_singular(w.lower()), self._knows) for w in words]
        terms: list[Term] = []
        used = [False] * len(words)
        placed = [False] * len(words)  # the words of a province's name: the gazetteer speaks for them
        terms += self._places(low, placed)
        for first, end, thai in self.letters.spelled(low):  # "kor yor sor": กยศ, by its letters' names
            if not any(placed[first:end]):
                terms.append(Term(thai, 1.0, " ".join(low[first:end]), "acronym"))
                placed[first:end] = [True] * (end - first)
        for i in range(len(words) - 1):
            bigram = f"{low[i]} {low[i + 1]}"
            if bigram in self.entries and not (placed[i] or placed[i + 1]):
                terms += _rendered(self.entries[bigram], bigram, "glossary", per_word, min_score)
                used[i] = used[i + 1] = True
        # A capitalised word the tables lack is tried as a Thai name first ("Chang", "Mon": ช้าง, มอญ, not
        # the dictionary's Yangtze and Monday); a lower-case one as a dictionary word first.
        capital = [_capitalised(w) for w in words]
        acronym, plain = self._acronyms(words, low, placed, capital)
        blocked = [u or p or i in acronym for i, (u, p) in enumerate(zip(used, placed, strict=True))]
        spelled = self._spelled(low, blocked, plain)
        # The words of a romanised run ("sang khwam suk"): one a table knows speaks only through the run, and
        # none is read as a lower-case name.
        in_runs = {
            j
            for i, found in spelled.items()
            if found and " " in found[0][0]
            for j in range(i, i + len(found[0][0].split()))
        }
        silenced = {j for j in in_runs if plain[j] or low[j] in self.entries}
        unrun = [b or i in in_runs for i, b in enumerate(blocked)]
        terms += self._lower_case_names(low, capital, unrun, placed)
        for i, w in enumerate(low):
            if w in STOP or len(w) < 2 or placed[i]:
                continue
            if i in silenced:
                terms += _spelled_terms(spelled.get(i))
                continue
            if w in self.entries:
                terms += _rendered(self.entries[w], w, "glossary", per_word, min_score)
                if names and capital[i] and self.entries[w][0][1] < WEAK_MINED:
                    # A name the mining aligned with whatever shared its releases ("Varawut" →
                    # ยุทธศาสตร์ระยะยาว, 0.43): what it sounds like speaks too.
                    terms += [Term(t, r, w, "name") for t, r in self.match_name(w, 1) if r >= SURE_NAME]
                continue
            if i in acronym:
                terms += _rendered(acronym[i], w, "acronym", per_word, min_score)
            if used[i]:
                continue
            if plain[i] and i not in spelled:
                terms += _rendered(self.dictionary[w], w, "dictionary", per_word, min_score)
                continue
            if i not in acronym:
                terms += self._unknown(
                    i, words, low, spelled.get(i), per_word, min_score, names and capital[i]
                )
        firsts: dict[str, Term] = {}
        for t in terms:
            firsts.setdefault(t.thai, t)
        return list(firsts.values())

    def _acronyms(
        self, words: list[str], low: list[str], placed: list[bool], capital: list[bool]
    ) -> tuple[dict[int, list[tuple[str, float]]], list[bool]]:
        """The acronyms among the words (position → Thai words) and which words the dictionary renders.

        An acronym Thai releases use ("GHB", "moph") is rendered by the Thai words written beside it, and
        is no name or romanised Thai word. The mined table, learned from aligned releases, knows the sense
        the archive uses where it knows the word at all ("PM" is the prime minister there, PM2.5 dust beside
        Thai text), so it comes first. Written in capitals (in a question that is not all capitals) it is
        the acronym alone; in lower case, a word the dictionary knows keeps the dictionary's renderings too
        ("lamp": the archive writes LAMP, a programme, but the question may mean a lamp).
        """
        long = [w for w in words if len(w) > 1]
        shouting = len(long) >= 3 and sum(w.isupper() for w in long) >= 0.6 * len(long)
        found = {i: self.acronyms.of(_singular(w), shouting) for i, w in enumerate(words) if not placed[i]}
        acronym = {i: f for i, f in found.items() if f and low[i] not in self.entries}
        explicit = {i for i in acronym if words[i].isupper() and not shouting}
        plain = [not capital[i] and i not in explicit and w in self.dictionary for i, w in enumerate(low)]
        return acronym, plain

    def _unknown(
        self,
        i: int,
        words: list[str],
        low: list[str],
        spelled: list[tuple[str, str]] | None,
        per_word: int,
        min_score: float,
        as_name: bool,
    ) -> list[Term]:
        """Terms for word ``i``, which no table rendered: a Thai name it sounds like (a capitalised word,
        alone or joined with the next capitalised one: "Roi Et" → roiet; not with an acronym after it:
        "Huawei MOU" is no village ห้วยหมู), the Thai word it spells, else the dictionary's or the induced
        renderings."""
        w = low[i]
        terms: list[Term] = []
        if as_name:
            terms += [Term(thai, ratio, w, "name") for thai, ratio in self.match_name(w)]
            if i + 1 < len(words) and _capitalised(words[i + 1]):
                pair = w + " " + low[i + 1]
                terms += [Term(thai, ratio, pair, "name") for thai, ratio in self.match_name(w + low[i + 1])]
        terms += _spelled_terms(spelled)
        if terms or spelled is not None:
            return terms
        if w in self.dictionary:
            return _rendered(self.dictionary[w], w, "dictionary", per_word, min_score)
        return _rendered(self.induced.get(w, []), w, "induced", per_word, min_score)

    def _lower_case_names(
        self, low: list[str], capital: list[bool], blocked: list[bool], placed: list[bool]
    ) -> list[Term]:
        """Thai names written in lower case ("pak chong", "sikhio", "salaya"), their words marked in
        ``placed``. Chat questions skip capitals, so the capitalised-name path never sees them.

        Only a sound key that matches a name exactly and is at least :data:`LOWER_NAME_KEY` letters long
        counts: a short key matches many names ("pak" is ภาค, พัก and ปาร์ค alike). Two adjacent words are
        tried joined first ("pak chong" → pakchong → ปากช่อง; one word may be one a table knows, as "pak"
        is, but not both: "per rai" is เฉลี่ย ไร่), then one word that no table knows; a word of a romanised
        run ("pun nam jai": ปันน้ำใจ's น้ำใจ) is left to the run. Stop 30, English short questions of the
        train and validation folds over the whole archive: 52 of 758 renderings change (noise among them:
        "moo deng" → โมเดล), R@5 0.698 → 0.708 (train) and 0.653 → 0.665 (validation), none lost from the
        top 5."""
        out: list[Term] = []

        def free(j: int) -> bool:
            inside = 0 <= j < len(low)
            return inside and not (capital[j] or blocked[j] or placed[j]) and low[j] not in STOP

        def exact(key: str) -> list[str]:
            if len(key) < LOWER_NAME_KEY or not key.isalpha():
                return []
            return [thai for thai, ratio in self.match_name(key) if ratio >= 0.999]

        for i in range(min(len(low), LOWER_NAME_WORDS)):
            if not free(i):
                continue
            joinable = free(i + 1) and not (self._renders(low[i]) and self._renders(low[i + 1]))
            source = f"{low[i]} {low[i + 1]}" if joinable else ""
            found = exact(low[i] + low[i + 1]) if source else []
            if not found and low[i] not in self.entries and low[i] not in self.dictionary:
                source, found = low[i], exact(low[i])
            if found:
                out += [Term(thai, 1.0, source, "name") for thai in found]
                for j in range(i, i + len(source.split())):
                    placed[j] = True
        return out

    def _knows(self, word: str) -> bool:
        """Whether a table renders ``word`` as written: the mined, curated, dictionary or induced one (an
        unknown British spelling is tried in American spelling against them: :mod:`index.search.spelling`)."""
        return word in self.entries or word in self.dictionary or word in self.induced

    def _renders(self, word: str) -> bool:
        """Whether the dictionary or a confident mined alignment renders ``word``."""
        mined = self.entries.get(word)
        return word in self.dictionary or bool(mined and mined[0][1] >= WEAK_MINED)

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

    def _spelled(
        self, low: list[str], blocked: list[bool], plain: list[bool]
    ) -> dict[int, list[tuple[str, str]]]:
        """Romanised Thai words among the words no table knows: position → (source words, Thai word),
        every word of a matched run holding the run's matches once (at its first word) and none after. A
        run may take in the words a table knows beside an unknown word (``plain``: dictionary-only, or the
        mined table's), never a ``blocked`` one (a province's, a bigram's, an acronym): "sang khwam suk" is
        สร้างความสุข, not "sang" the verb and "suk" a Korean name."""
        if self.translit is None or not self.translit.by_key:
            return {}
        usable = [not b and w not in STOP for b, w in zip(blocked, low, strict=True)]
        unknown = [u and not p and w not in self.entries for u, p, w in zip(usable, plain, low, strict=True)]
        joinable = [u and (p or w in self.entries) for u, p, w in zip(usable, plain, low, strict=True)]
        found = self.translit.match(low, unknown, joinable)
        out: dict[int, list[tuple[str, str]]] = {}
        for i, pairs in found.items():
            out[i] = pairs
            for j in range(i + 1, i + len(pairs[0][0].split())):
                out.setdefault(j, [])
        return out


def _spelled_terms(pairs: list[tuple[str, str]] | None) -> list[Term]:
    """The Thai words a romanised word or run spells (:meth:`Glossary._spelled`'s pairs), as terms."""
    return [Term(thai, TRANSLIT_WEIGHT, source, "translit") for source, thai in pairs or []]


def _rendered(
    renderings: list[tuple[str, float]], source: str, kind: str, per_word: int, min_score: float
) -> list[Term]:
    """The first ``per_word`` of a word's ``renderings`` that weigh at least ``min_score``, as terms."""
    return [Term(thai, score, source, kind) for thai, score in renderings[:per_word] if score >= min_score]


def _capitalised(word: str) -> bool:
    """A word written with a capital first letter and not all in capitals (a name, not an acronym)."""
    return word[0].isupper() and not word.isupper()


def _singular(word: str) -> str:
    """The word without a possessive ending ("government's" → "government"): tables hold bare words."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


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
