"""Tag statistics: how the corpus uses each candidate phrase, and the
filters that read those figures.

- generic: corpus-frequent single words ("learning"), phrases of generic
  words only ("model performance");
- truncated: a phrase almost always followed, or preceded, by the same word
  ("large language" -> model), or almost always followed by some noun
  ("real-world");
- lone words that are not topics: rare in titles, verbs, modifiers;
- contained: phrases seen almost only inside a longer kept phrase.

The texts are read once (PhraseCounter, one paper at a time); later steps
work on each paper's canonical words only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress
from operator import and_, is_not

import ahocorasick

from .keywords import STOPWORDS
from .tag_words import (
    BOILERPLATE,
    GENERIC_WORDS,
    MAX_WORDS,
    SIZES,
    Segment,
    canonical_word,
    singular,
)

# Generic: a single word found in at least this share of the papers (and in
# GENERIC_MIN_PAPERS papers), or one of GENERIC_WORDS, which are generic in
# any corpus of abstracts.
GENERIC_SHARE = 0.04
GENERIC_MIN_PAPERS = 8
# Truncated: seen TRUNCATED_MIN_SEEN times or more, and followed (or
# preceded) by the same word in at least TRUNCATED_SHARE of them.
TRUNCATED_MIN_SEEN = 3
TRUNCATED_SHARE = 0.8
# Contained: fewer than this share of its occurrences stand outside a
# longer kept phrase.
CONTAINED_SHARE = 0.2
# Modifier: followed by another content word in at least this share.
MODIFIER_SHARE = 0.8
# A lone word is a topic when at least this share of the papers using it
# have it in the title ("unlearning", "pruning"; not "years", "query").
TITLE_SHARE = 0.2
# ... and is followed by a determiner (a verb) in less than VERB_SHARE, and
# by another content word (a modifier) in less than LONE_MODIFIER_SHARE.
VERB_SHARE = 0.2
LONE_MODIFIER_SHARE = 0.75

Words = tuple[str, ...]  # a segment's canonical words: all later steps need of a text


@dataclass
class PhraseStats:
    seen: Counter  # key -> occurrences in the texts
    # key -> {next word (None: phrase end): occurrences}; a missing key: {}
    after: dict[tuple[str, ...], dict]
    before: dict[tuple[str, ...], dict]  # key -> {word before (None: start): occurrences}
    # key -> {text as written, not at a sentence start: occurrences}
    spellings: dict[tuple[str, ...], dict]
    word_papers: Counter  # word -> papers whose text has it
    capitalised: Counter  # word -> (capitalised - lower-case) uses inside sentences


def prefixes_of(keys: set) -> set:
    return {k[:n] for k in keys for n in range(1, len(k) + 1)}


@dataclass(frozen=True)
class KeyTables:
    """Look-ups over a set of keys, built once per set: the per-paper passes
    run in several runs (workers.py), which all read the same tables."""

    keys: set
    prefixes: set  # prefixes_of(keys)
    first: set  # the keys' first words
    first_long: set  # the first words of keys of two words or more
    single: set  # the words of one-word keys
    key_words: set  # every word of a key


def key_tables(keys: set) -> KeyTables:
    return KeyTables(
        keys,
        prefixes_of(keys),
        {k[0] for k in keys if k},
        {k[0] for k in keys if len(k) > 1},
        {k[0] for k in keys if len(k) == 1},
        {w for k in keys for w in k},
    )


def occurrences(words: Words, keys: set, prefixes: set, first: set | None = None):
    """(start, end) of every occurrence of a key in one segment's words.
    prefixes: prefixes_of(keys); first: the keys' first words (a shortcut)."""
    n = len(words)
    starts = compress(range(n), map((first or {p[0] for p in prefixes}).__contains__, words))
    for i in starts:
        for j in range(i + 1, (i + MAX_WORDS if i + MAX_WORDS < n else n) + 1):
            span = words[i:j]
            if span not in prefixes:
                break
            if span in keys:
                yield i, j


def words_line(stream: list[Words]) -> str:
    """A paper's words as one line: a key occurs in them (as consecutive
    words of one segment) exactly where " key " occurs in the line."""
    return " " + " | ".join(map(" ".join, stream)) + " "


def line_words(line: str) -> list[Words]:
    """words_line's words back (no word holds a space or a bar)."""
    inner = line[1:-1]
    return [tuple(part.split(" ")) for part in inner.split(" | ")] if inner else []


class KeySearch:
    """Whether a words_line holds one of some keys: one pass over the line,
    in C (Aho-Corasick), for all the keys. Looking for each key where its
    first word occurs was a fifth of a rebuild's tags stage: at 20,000
    papers, some key's first word ("model") is in most papers."""

    def __init__(self, keys: Iterable[Words]):
        self._automaton = ahocorasick.Automaton()
        for key in keys:
            if key:
                self._automaton.add_word(" " + " ".join(key) + " ", True)
        self._none = len(self._automaton) == 0  # an empty automaton cannot search
        if not self._none:
            self._automaton.make_automaton()

    def __call__(self, line: str) -> bool:
        return not self._none and next(self._automaton.iter(line), None) is not None


def _case(word: str, surface: str) -> int:
    """+1 for a capitalised use of word, -1 for a lower-case one, 0 when the
    surface is no plain spelling of it (a number, an acronym spelled out)."""
    if surface[0].isalpha() and surface.isalpha() and singular(surface.lower()) == word:
        return 1 if surface[0].isupper() else -1
    return 0


_is_word = partial(is_not, None)  # not a segment's edge (PhraseCounter.add)


class PhraseCounter:
    """measure(), fed one paper at a time. Occurrences are gathered as
    (key, word before, word after) and grouped once at the end: Counter
    counts in C, and the same triples repeat across papers. Most
    occurrences are of one-word keys: in plain segments (no acronym spelled
    out) those are counted by compress/zip, without a Python loop."""

    def __init__(self, tables: KeyTables, count_words: bool = True):
        self.count_words = count_words  # word_papers: off when recounting old papers
        self.keys, self.prefixes, self.first = tables.keys, tables.prefixes, tables.first
        self.first_long, self.single = tables.first_long, tables.single
        self.key_words = tables.key_words
        self.around: Counter = Counter()  # (key, before, after) -> occurrences
        self.spelled: Counter = Counter()  # (key, text) -> occurrences not at a start
        self.single_around: Counter = Counter()  # (word, before, after), plain segments
        self.single_spelled: Counter = Counter()  # (word, surface), plain segments
        self.word_papers: Counter = Counter()
        self.inside: Counter = Counter()  # surface word -> uses not first in a segment
        self.inside_expanded: Counter = Counter()  # (word, surface), in expanded segments

    def add(self, stream: list[Segment]) -> None:
        """One paper's segments."""
        keys, prefixes = self.keys, self.prefixes
        in_key, single = self.key_words.__contains__, self.single.__contains__
        words_here: set[str] = set()
        around, spelled, inside_expanded, plain = [], [], [], []
        for seg in stream:
            words = seg.words
            words_here.update(words)
            n = len(words)
            if seg.whole is None:  # every word is its surface's canonical word
                plain.append(seg)
                starts, shortest = map(self.first_long.__contains__, words), 2
            else:
                # Capitalisation is counted for key words only (compress: in C).
                inside = compress(seg.surfaces[1:], map(in_key, words[1:]))
                inside_expanded.extend(
                    zip(compress(words[1:], map(in_key, words[1:])), inside, strict=True)
                )
                starts, shortest = map(self.first.__contains__, words), 1
            for i in compress(range(n), starts):
                for j in range(i + shortest, (i + MAX_WORDS if i + MAX_WORDS < n else n) + 1):
                    span = words[i:j]
                    if span not in prefixes:
                        break
                    if span not in keys:
                        continue
                    around.append((span, words[i - 1] if i else None, words[j] if j < n else None))
                    if not i:
                        continue
                    whole = seg.whole
                    if whole is None or (whole[i] and (j == n or whole[j])):
                        spelled.append((span, seg.part[seg.starts[i] : seg.ends[j - 1]]))
        # The plain segments' words in one row, each segment between Nones:
        # each word's neighbours (None at a segment's ends), its capitals
        # and spellings when not first in its segment, all in C, in one
        # pass per paper instead of one per segment.
        row = (None, *chain.from_iterable([seg.words + (None,) for seg in plain]))
        as_written = (None, *chain.from_iterable([seg.surfaces + (None,) for seg in plain]))
        before, here, after, written = row[:-2], row[1:-1], row[2:], as_written[1:-1]
        not_first = list(map(_is_word, before))
        is_single = list(map(single, here))
        self.inside.update(compress(written, map(and_, not_first, map(in_key, here))))
        self.single_around.update(compress(zip(before, here, after, strict=True), is_single))
        self.single_spelled.update(
            compress(zip(here, written, strict=True), map(and_, not_first, is_single))
        )
        if self.count_words:
            self.word_papers.update(words_here)
        self.inside_expanded.update(inside_expanded)
        self.around.update(around)
        self.spelled.update(spelled)

    COUNTS = (
        "around", "spelled", "single_around", "single_spelled", "word_papers", "inside",
        "inside_expanded",
    )  # fmt: skip

    def counts(self) -> tuple[Counter, ...]:
        """What add() gathered, to send to another process."""
        return tuple(getattr(self, name) for name in self.COUNTS)

    def add_counts(self, counts: tuple[Counter, ...]) -> None:
        """counts() of a PhraseCounter fed the next papers: counters merged
        in paper order hold what one counter fed every paper would."""
        for name, counter in zip(self.COUNTS, counts, strict=True):
            getattr(self, name).update(counter)

    def stats(self) -> PhraseStats:
        """The counts grouped by key, in the build process. The inner
        tables are plain dicts: a Counter per key and side took 1.1-1.6 s
        to make at 20,000 papers, against 0.4-0.6 s for the whole now.
        Spellings are the texts as written: the caller display_cases the
        few it shows (the tags')."""
        seen: dict[tuple[str, ...], int] = {}
        after: dict[tuple[str, ...], dict] = defaultdict(dict)
        before: dict[tuple[str, ...], dict] = defaultdict(dict)
        singles = (((w,), b, a, n) for (b, w, a), n in self.single_around.items())
        for key, word_before, word_after, n in chain(
            ((k, b, a, n) for (k, b, a), n in self.around.items()), singles
        ):
            seen[key] = seen.get(key, 0) + n
            side = after[key]
            side[word_after] = side.get(word_after, 0) + n
            side = before[key]
            side[word_before] = side.get(word_before, 0) + n
        spellings: dict[tuple[str, ...], dict] = defaultdict(dict)
        for key, text, n in chain(
            ((k, t, n) for (k, t), n in self.spelled.items()),
            (((w,), t, n) for (w, t), n in self.single_spelled.items()),
        ):
            side = spellings[key]
            side[text] = side.get(text, 0) + n
        key_words = self.key_words
        capitalised: Counter = Counter()
        pairs = chain(
            ((canonical_word(s), s, n) for s, n in self.inside.items()),
            ((w, s, n) for (w, s), n in self.inside_expanded.items()),
        )
        for word, surface, n in pairs:
            if word in key_words and (case := _case(word, surface)):
                capitalised[word] += case * n
        return PhraseStats(
            Counter(seen), after, before, dict(spellings), self.word_papers, capitalised
        )


def measure(streams: dict[str, list[Segment]], keys: set) -> PhraseStats:
    """How often each key occurs in the texts, and what stands around it."""
    counter = PhraseCounter(key_tables(keys))
    for slug in sorted(streams):
        counter.add(streams[slug])
    return counter.stats()


def own_capitalised(stream: list[Segment], words: set[str]) -> Counter:
    """PhraseStats.capitalised of one paper, for a few words only."""
    out: Counter = Counter()
    for seg in stream:
        for word in words:
            i = 0
            while word in seg.words[i + 1 :]:
                i = seg.words.index(word, i + 1)
                out[word] += _case(word, seg.surfaces[i])
    return out


def paper_stats(stream: list[Words], key: tuple[str, ...], capitalised: Counter) -> PhraseStats:
    """measure() of one key on one paper's words, capitalised given
    (own_capitalised)."""
    stats = PhraseStats(
        Counter(), defaultdict(Counter), defaultdict(Counter), {}, Counter(), capitalised
    )
    n, first = len(key), key[0]
    for words in stream:
        if first not in words:
            continue
        i, last = words.index(first), len(words) - n
        while i <= last:  # from one place of the key's first word to the next (in C)
            if words[i : i + n] == key:
                stats.seen[key] += 1
                stats.after[key][words[i + n] if i + n < len(words) else None] += 1
                stats.before[key][words[i - 1] if i > 0 else None] += 1
            try:
                i = words.index(first, i + 1)
            except ValueError:
                break
    for word in set(key):
        if any(word in words for words in stream):
            stats.word_papers[word] = 1
    return stats


def alone_counts(
    stream: list[Words], kept: set, prefixes: set, first: set, every: bool = True
) -> tuple[list | None, list]:
    """Occurrences of kept phrases in a text: all of them (None unless
    every), and those that stand alone (not inside an occurrence of a
    longer kept phrase)."""
    found, alone = ([] if every else None), []
    for words in stream:
        spans = list(occurrences(words, kept, prefixes, first))
        if not spans:
            continue
        if found is not None:
            found.extend(words[i:j] for i, j in spans)
        # Spans come by start, then end. A span is inside a longer one when
        # a longer span has its start, or an earlier start reaches its end.
        reach = 0  # furthest end of the spans starting earlier
        for n, (i, j) in enumerate(spans):
            if n + 1 < len(spans) and spans[n + 1][0] == i:
                continue
            if j > reach:
                alone.append(words[i:j])
                reach = j
    return found, alone


def standalone_counts(streams, tables: KeyTables) -> tuple[Counter, Counter]:
    """Occurrences of each kept phrase (key_tables of them) in some papers'
    texts (their words), all and standing alone (see standalone_share)."""
    kept, prefixes, first = tables.keys, tables.prefixes, tables.first
    total, alone = Counter(), Counter()
    for stream in streams:
        found, by_itself = alone_counts(stream, kept, prefixes, first)
        total.update(found)
        alone.update(by_itself)
    return total, alone


def standalone_share(streams: dict[str, list[Words]], kept: set) -> dict[tuple, float]:
    """For each kept phrase, the share of its occurrences that are not
    inside an occurrence of a longer kept phrase."""
    return alone_share(*standalone_counts((streams[s] for s in sorted(streams)), key_tables(kept)))


def alone_share(total: Counter, alone: Counter) -> dict[tuple, float]:
    """standalone_share from standalone_counts (summed over all papers)."""
    return {k: alone[k] / total[k] for k in total}


def mentions(
    title: list[Words], text: list[Words], kept: set, prefixes: set, first: set | None = None
) -> list[tuple[str, ...]]:
    """Kept phrases that stand alone (not inside a longer kept phrase) in
    the title, then those said at least twice in the text, most said first.
    prefixes: prefixes_of(kept); first: their first words."""
    first = first if first is not None else {k[0] for k in kept if k}
    in_title = sorted(set(alone_counts(title, kept, prefixes, first, every=False)[1]))
    in_text = Counter(alone_counts(text, kept, prefixes, first, every=False)[1])
    said_twice = sorted((k for k, n in in_text.items() if n >= 2), key=lambda k: (-in_text[k], k))
    return in_title + [k for k in said_twice if k not in in_title]


def topic(key: tuple[str, ...], kept: set) -> tuple[str, ...]:
    """The key if kept, else its longest kept ending: English puts the head
    last, so "neural contextual bandits" is about "contextual bandits" and
    "hard reasoning tasks" about "reasoning tasks"."""
    for n in range(len(key), 0, -1):
        if key[-n:] in kept:
            return key[-n:]
    return ()


# ---------------------------------------------------------------- filters


def generic_words(stats: PhraseStats, papers: int) -> set[str]:
    limit = max(GENERIC_MIN_PAPERS, GENERIC_SHARE * papers)
    return GENERIC_WORDS | {w for w, n in stats.word_papers.items() if n >= limit}


def is_generic(key: tuple[str, ...], generic: set[str], long_forms: set) -> bool:
    """A single corpus-frequent word ("learning", "language"), or a phrase
    made only of words generic in any abstract ("model performance",
    "large model"). An acronym's long form is a term, never generic."""
    if key in long_forms:
        return False
    if len(key) == 1:
        return key[0] in generic or key[0].isdigit()
    return all(w in GENERIC_WORDS or w in BOILERPLATE or w in SIZES or w.isdigit() for w in key)


DETERMINERS = {"a", "an", "the", "their", "its", "our", "this", "these", "those"}


def is_lone_word(key: tuple[str, ...], stats: PhraseStats, title_papers: Counter) -> bool:
    """A single word that is not a topic on its own. Names (Adam, MNIST:
    capitalised inside sentences) are. Others are not when rare in titles
    ("years", "query", "rare"), a participle ("guided"), a verb ("selecting
    the ..."), or mostly a modifier ("word" embeddings, "reward" model)."""
    if len(key) != 1 or stats.capitalised[key[0]] > 0:
        return False
    word, seen, after = key[0], stats.seen[key], stats.after[key]
    if title_papers[word] < TITLE_SHARE * stats.word_papers[word] or word.endswith("ed"):
        return True
    if seen >= TRUNCATED_MIN_SEEN:
        if sum(after.get(w, 0) for w in DETERMINERS) >= VERB_SHARE * seen:
            return True
        continued = sum(n for w, n in after.items() if w is not None and w not in STOPWORDS)
        return continued >= LONE_MODIFIER_SHARE * seen
    return False


def top(counter: dict) -> tuple[str | None, int]:
    """The most common entry, ties broken by name: deterministic. (The
    count found in C first: the Python work is then over the ties only.)"""
    most = max(counter.values())
    return min((w for w, n in counter.items() if n == most), key=str), most


def is_truncated(key: tuple[str, ...], stats: PhraseStats) -> bool:
    """Almost always followed, or preceded, by the same word: "large
    language" (model), "gaussian splatting" (after 3D); or almost always
    followed by some noun, so a modifier, not a topic: "weak" (supervision,
    learners), "real-world" (data, scenarios)."""
    seen = stats.seen[key]
    if seen < TRUNCATED_MIN_SEEN:
        return False
    for side in (stats.after[key], stats.before[key]):
        word, n = top(side)
        if word is not None and n >= TRUNCATED_SHARE * seen:
            return True
    continued = sum(n for w, n in stats.after[key].items() if w is not None and w not in STOPWORDS)
    return continued >= MODIFIER_SHARE * seen
