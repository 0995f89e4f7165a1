"""Tag words: texts and keywords read as canonical words.

Every candidate and every paper text is read as canonical words: lower
case, singular, hyphen = space, and acronyms defined in the texts ("large
language models (LLMs)") replaced by their long form, so "LLMs", "large
language model" and "Large-Language Models" are one key, and "MoE models"
is "mixture of experts models". Boilerplate and stop words are trimmed off
both ends of a keyword candidate.

The corpus repeats a few tens of thousands of words millions of times, and
the same keywords across papers: per-word and per-keyword work is memoised.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain
from sys import intern
from typing import NamedTuple

from .acronyms import find_definitions, is_acronym, short_form_key
from .keywords import STOPWORDS

MAX_WORDS = 6  # longer candidates (after acronym expansion) are not tags
# An acronym used without a definition takes the corpus's most common long
# form when at least this share of the definitions agree.
ACRONYM_AGREEMENT = 0.6

GENERIC_WORDS = {
    "accuracy", "algorithm", "amount", "analysis", "application", "approach",
    "architecture", "baseline", "benchmark", "capability", "challenge", "computational",
    "cost", "data", "dataset", "design", "distribution", "domain", "downstream", "effect",
    "efficiency", "evaluation", "experiment", "family", "framework", "impact",
    "improvement", "information", "input", "labeled", "learning", "method", "methodology",
    "model", "network", "number", "output", "overview", "paper", "paradigm", "parameter",
    "performance", "point", "problem", "process", "quality", "research", "result", "review",
    "scale", "set", "setting", "setup", "size", "solution", "strategy", "study", "survey",
    "system", "task", "technique", "time", "training", "way", "work",
}  # fmt: skip
# Abstract-speak that never starts or ends a topic: trimmed off candidates
# ("comprehensive survey" -> "survey", "extensive training data" -> ...).
BOILERPLATE = {
    "ability", "able", "achieve", "achieved", "achieves", "achieving", "advanced",
    "advancement", "advances", "based", "better", "broad", "capable",
    "challenging", "common", "comprehensive", "considerable", "crucial", "current",
    "demonstrate", "demonstrated", "demonstrates", "different", "diverse", "effective",
    "effectively", "efficient", "efficiently", "emerging", "enable", "enables",
    "enhanced", "enhance", "enhances", "enhancing", "essential", "existing",
    "extensive", "extensively", "first", "further", "general", "given",
    "good", "great", "high", "impressive", "improve", "improved", "improves",
    "improving", "including", "increasing", "introduce", "introduces", "key", "large",
    "leading", "leverage", "leverages", "leveraging", "main", "major", "many", "modern", "multiple", "new", "notable", "novel",
    "numerous", "offer", "offers", "outperform", "outperforms", "paper", "popular",
    "powerful", "present", "presents", "previous", "prior", "promising", "propose",
    "proposed", "proposes", "provide", "provides", "rapid", "rapidly", "recent",
    "recently", "remarkable", "require", "requires", "robust", "scalable", "show",
    "shows", "significant", "significantly", "simple", "specific", "standard", "state",
    "state-of-the-art",
    "strong", "study", "substantial", "success", "superior", "survey", "surprising",
    "typical", "use", "used", "uses", "using", "various", "via",
    "well", "wide", "widely", "work", "trained", "learns", "learned", "target",
    "previously", "acquired", "interest", "attracted", "exhibit", "exhibits",
}  # fmt: skip
# Sizes make no topic with a generic word ("small models"); they stay in
# phrases such as "small language models".
SIZES = {
    "big", "bigger", "billion", "larger", "largest", "million", "small", "smaller",
    "smallest", "tiny",
}  # fmt: skip
# Words and modifiers that may start a topic but never end one:
# "pre-trained language models" is a tag, "pre-trained" is not.
BOILERPLATE_AT_END = {
    "ability", "data-driven", "end-to-end", "fine-tuned", "high-quality",
    "inference-time", "large-scale", "long-term", "low-resource", "open-source",
    "pre-trained", "real-world", "short-term", "state-of-the-art", "test-time",
    "well-known",
}  # fmt: skip

NO_SINGULAR = {
    "analysis", "atlas", "basis", "bias", "bus", "canvas", "chaos", "consensus",
    "corpus", "data", "diagnosis", "dynamics", "economics", "ethics", "gas",
    "genomics", "graphics", "kinematics", "lens", "linguistics", "mathematics",
    "mechanics", "news", "optics", "physics", "plus", "robotics", "semantics",
    "series", "species", "statistics", "status", "synthesis", "thesis", "various",
    "always", "perhaps", "across", "this", "thus", "towards", "has", "was", "does",
    "is", "its", "us", "as", "less", "unless", "yes",
}  # fmt: skip
IRREGULAR = {
    "analyses": "analysis", "biases": "bias", "buses": "bus", "caches": "cache",
    "corpora": "corpus", "criteria": "criterion", "hypotheses": "hypothesis",
    "indices": "index", "lenses": "lens", "matrices": "matrix", "phenomena": "phenomenon",
    "vertices": "vertex", "syntheses": "synthesis", "theses": "thesis", "axes": "axis",
}  # fmt: skip

# Words, and the text around them: split() gives [gap, word, gap, word, ..., gap].
WORD_GAPS = re.compile(r"([A-Za-z0-9]+)")
# Punctuation that ends a phrase; a dot inside a number ("GPT-3.5") does not.
SEGMENT_BREAK = re.compile(r"(?<!\d)\.|\.(?!\d)|[,;:!?()\[\]{}\"“”/|]|\s[-–—]+\s")


def singular(word: str) -> str:
    """Singular of a lower-case word, leaving data/physics/lens/bus/series."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in NO_SINGULAR or len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith(("ss", "us", "is", "ics")) and word not in ("metrics", "topics"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


# ---------------------------------------------------------------- segments

Acronyms = dict[str, tuple[str, ...]]  # short form ("LLM") -> long-form words


class Segment(NamedTuple):
    """Text between punctuation, as canonical words. An expanded acronym
    gives its long-form words, all spanning the acronym in the text; only
    the first is whole (a phrase may not start or end inside an expansion)."""

    part: str
    words: tuple[str, ...]  # canonical words
    surfaces: tuple[str, ...]  # each word as written (the acronym for an expansion)
    starts: list[int]  # where each word's surface starts in part
    ends: list[int]  # ... and ends
    whole: list[bool] | None  # None: every word is whole (no expansion)


class _Canonical(dict):
    """Surface word -> canonical word, computed once per distinct word (and
    its acronym look-up key kept in _SHORT when it has a capital)."""

    def __missing__(self, surface: str) -> str:
        lower = surface.lower()
        word = intern(singular(lower))
        if len(self) > 2_000_000:  # a bound, never reached by a real corpus
            self.clear()  # (_SHORT stays: its entries stay true)
        if lower != surface:
            _SHORT[surface] = short_form_key(surface)
        self[surface] = word
        return word


_CANONICAL = _Canonical()
_SHORT: dict[str, str] = {}  # surface word with a capital -> acronym look-up key


def canonical_word(surface: str) -> str:
    """One word as written -> its canonical word ("Models" -> model)."""
    return _CANONICAL[surface]


def segments(text: str, acronyms: Acronyms) -> list[Segment]:
    """Text -> phrases between punctuation, as canonical words: lower case,
    singular, hyphen = space, defined acronyms spelled out."""
    out = []
    canonical, short = _CANONICAL.__getitem__, _SHORT.get
    for part in SEGMENT_BREAK.split(text):
        pieces = WORD_GAPS.split(part)
        if len(pieces) == 1:
            continue  # no word
        surfaces = pieces[1::2]
        words = tuple(map(canonical, surfaces))
        bounds = list(accumulate(map(len, pieces)))  # word k ends at bounds[2k + 1]
        if "s" in surfaces or any(map(acronyms.__contains__, filter(None, map(short, surfaces)))):
            seg = _unusual(part, pieces, surfaces, words, bounds, acronyms)
            if seg.words:
                out.append(seg)
        else:
            out.append(Segment(part, words, tuple(surfaces), bounds[0:-1:2], bounds[1::2], None))
    return out


def _unusual(part, pieces, surfaces, canonical, bounds, acronyms) -> Segment:
    """A segment with a possessive "s" to skip or an acronym to spell out."""
    words, surf, starts, ends, whole = [], [], [], [], []
    for k, surface in enumerate(surfaces):
        if surface == "s" and pieces[2 * k][-1:] in ("'", "’"):
            continue  # possessive
        short = _SHORT.get(surface)
        parts = (acronyms.get(short) if short else None) or (canonical[k],)
        words.extend(parts)
        surf.extend([surface] * len(parts))
        starts.extend([bounds[2 * k]] * len(parts))
        ends.extend([bounds[2 * k + 1]] * len(parts))
        whole.append(True)
        whole.extend([False] * (len(parts) - 1))
    return Segment(part, tuple(words), tuple(surf), starts, ends, whole)


def canonical_words(text: str, acronyms: Acronyms | None = None) -> tuple[str, ...]:
    """The key of a phrase: "Large-Language Models" -> large language model."""
    return tuple(chain.from_iterable(s.words for s in segments(text, acronyms or {})))


def spelling(seg: Segment, i: int, j: int) -> str | None:
    """The text of words i..j-1, or None when it cuts an acronym apart."""
    whole = seg.whole
    if whole is not None and (not whole[i] or (j < len(whole) and not whole[j])):
        return None
    return seg.part[seg.starts[i] : seg.ends[j - 1]]


# ---------------------------------------------------------------- acronyms


@dataclass
class AcronymTable:
    own: dict[str, Acronyms]  # paper slug -> acronyms it defines
    corpus: Acronyms  # acronyms the corpus agrees on
    long_names: dict[tuple[str, ...], Counter]  # long-form key -> spellings
    short_names: dict[tuple[str, ...], Counter]  # long-form key -> short forms
    found: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # find_definitions

    def for_paper(self, slug: str) -> Acronyms:
        """Read only: the corpus table itself when the paper defines none."""
        own = self.own.get(slug)
        return {**self.corpus, **own} if own else self.corpus


def acronym_table(
    texts: dict[str, str], known: dict[str, list[tuple[str, str]]] | None = None
) -> AcronymTable:
    """known: find_definitions of some of the texts, from a last build."""
    own: dict[str, Acronyms] = {}
    votes: dict[str, Counter] = defaultdict(Counter)
    long_names: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    short_names: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    found: dict[str, list[tuple[str, str]]] = {}
    known = known or {}
    read: dict[str, tuple] = {}  # long form as written -> (words, display case): many repeat
    for slug in sorted(texts):
        mine: Acronyms = {}
        got = found[slug] = known[slug] if slug in known else find_definitions(texts[slug])
        for short, long in got:
            if long not in read:
                read[long] = canonical_words(long), display_case(long)
            words, shown = read[long]
            if short in mine or not words:
                continue
            mine[short] = words
            votes[short][words] += 1
            long_names[words][shown] += 1
            short_names[words][short] += 1
        own[slug] = mine
    corpus = {}
    for short, counter in votes.items():
        words, n = min(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= ACRONYM_AGREEMENT * sum(counter.values()):
            corpus[short] = words
    return AcronymTable(own, corpus, long_names, short_names, found)


NOT_SPACE_OR_HYPHEN = re.compile(r"[^\s-]+")


@lru_cache(maxsize=1 << 18)
def display_case(phrase: str) -> str:
    """Lower-case except acronyms and names with inner capitals (GPT-4, MoE)."""
    return NOT_SPACE_OR_HYPHEN.sub(lambda m: m[0] if is_acronym(m[0]) else m[0].lower(), phrase)


# ---------------------------------------------------------------- candidates


def _keys(phrases) -> set[tuple[str, ...]]:
    return {canonical_words(p) for p in phrases}


TRIM_START = _keys(BOILERPLATE) | _keys(STOPWORDS)
TRIM_END = TRIM_START | _keys(BOILERPLATE_AT_END)


@lru_cache(maxsize=1 << 18)
def _word_key(word: str) -> tuple[str, ...]:
    return canonical_words(word)


def plain_words(phrase: str) -> set[str]:
    """A keyword's canonical words as trim() reads them: no acronym spelled out."""
    return {w for word in phrase.split() for w in _word_key(word)}


def _flat(keys) -> tuple[str, ...]:
    return tuple(chain.from_iterable(keys))


def _trimmed(keys: list[tuple[str, ...]], table: set, at_start: bool) -> int:
    """How many words at one end of a phrase are boilerplate; each word is
    matched whole, so "large" never trims "large-scale"."""
    for n in (3, 2, 1):
        if len(keys) >= n and _flat(keys[:n] if at_start else keys[-n:]) in table:
            return n
    return 0


def trim(phrase: str, long_forms: set) -> tuple[str, tuple[str, ...]]:
    """Boilerplate and stop words trimmed off both ends of a keyword
    ("comprehensive survey" -> survey), but never out of an acronym's long
    form ("large language models"): the text left, and its words read
    without acronyms."""
    words = phrase.split()
    keys = [_word_key(w) for w in words]  # per word, no acronyms expanded

    def starts_term() -> bool:
        key = _flat(keys[:MAX_WORDS])
        return any(key[:n] in long_forms for n in range(2, len(key) + 1))

    def ends_term() -> bool:
        key = _flat(keys[-MAX_WORDS:])
        return any(key[-n:] in long_forms for n in range(2, len(key) + 1))

    while words and (n := _trimmed(keys, TRIM_START, True)) and not starts_term():
        words, keys = words[n:], keys[n:]
    while words and (n := _trimmed(keys, TRIM_END, False)) and not ends_term():
        words, keys = words[:-n], keys[:-n]
    return " ".join(words), _flat(keys)


def _checked(key: tuple[str, ...], text: str) -> tuple[tuple[str, ...], str]:
    if not key or len(key) > MAX_WORDS or all(w.isdigit() for w in key) or key in TRIM_END:
        return (), ""
    return key, display_case(text)


def candidate(
    phrase: str, acronyms: Acronyms, long_forms: set = frozenset()
) -> tuple[tuple[str, ...], str]:
    """A keyword -> (its key, its spelling), trimmed (see trim()); () when
    nothing is left."""
    text, plain = trim(phrase, long_forms)
    key = canonical_words(text, acronyms) if text != text.lower() else plain
    return _checked(key, text)


class CandidateReader:
    """candidate() for one corpus, memoised: the same keywords come back in
    many papers. A keyword's key depends on the paper only through the
    acronyms its capitalised words look up, so that is the memo key."""

    def __init__(self, long_forms: set):
        self.long_forms = long_forms
        self._trimmed: dict[str, tuple] = {}
        self._read: dict[tuple, tuple[tuple[str, ...], str]] = {}

    def __call__(self, phrase: str, acronyms: Acronyms) -> tuple[tuple[str, ...], str]:
        got = self._trimmed.get(phrase)
        if got is None:
            text, plain = trim(phrase, self.long_forms)
            if text != text.lower():
                surfaces = WORD_GAPS.findall(text)
                for w in surfaces:
                    _CANONICAL[w]  # noqa: B018 (fills _SHORT)
                looks = tuple(filter(None, map(_SHORT.get, surfaces)))
                got = (text, looks, None)
            else:
                got = (text, None, _checked(plain, text))
            self._trimmed[phrase] = got
        text, looks, ready = got
        if looks is None:
            return ready
        memo = (text, tuple(acronyms.get(s) for s in looks))
        read = self._read.get(memo)
        if read is None:
            read = self._read[memo] = _checked(canonical_words(text, acronyms), text)
        return read
