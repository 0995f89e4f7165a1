"""The tags stage's work, kept between builds (.cache/tag-counts.marshal, and
the shown keywords' record beside it, tag-counts-shown.pickle).

Reading every text for PhraseCounter is most of the tags stage. Its counts
are sums over the papers, and each key is counted on its own, so when a
dump adds papers the last build's sums need only:

- the new papers, counted in full;
- the old papers, counted for the keys that joined the pool (delta), since
  the pool of a grown archive holds the old pool; only those whose kept
  words hold such a key are read again;
- the old papers whose acronyms changed (the corpus now agrees on another
  long form): their old counts taken off, their new ones added.

Each paper's words, candidates and mentions are kept too, with the sums the
contained filter reads: a pass over the kept phrases reads again only the
papers where a phrase kept then or now, not both, occurs (Rescan), found
by one search of each paper's words kept as a line (tag_stats.KeySearch).

The result is what a build from scratch makes (tests/test_tags.py checks
the tags and the kept state). Anything else (a paper removed or edited, a
key leaving the pool, other generator code) means a count from scratch.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

from . import cache_file
from .freshness import code_digest, text_digest
from .tag_stats import KeySearch, KeyTables, key_tables, line_words, words_line
from .tag_words import Acronyms, plain_words


def paper_digest(text: str, title: str, keywords: list[str]) -> bytes:
    return text_digest("\0".join([title, text, *keywords]))


@dataclass
class CountState:
    """What a build counted: PhraseCounter.counts() and how many titles
    hold each word, over the papers (slug -> its digest: build_tags'
    paper_digests, or paper_digest) read with the corpus acronyms."""

    code: str  # freshness.code_digest(): a state made by other code is not read
    # Names this state: the shown keywords' record (another file) is read
    # with the state it was made with only.
    token: str
    pool: set
    corpus: Acronyms
    papers: dict[str, bytes]
    counts: tuple[Counter, ...]
    title_papers: Counter  # word -> titles holding it, for every word (tags._read_texts)
    # What the later passes read of each paper, so an old paper is not read
    # again (tags._read_texts): its words, its title's, own_capitalised.
    # The words are saved as lines only (save): a loaded state has none,
    # and LineWords reads a paper's from its line when a pass needs them.
    words: dict[str, list[tuple[str, ...]]]
    title_words: dict[str, list[tuple[str, ...]]]
    own_case: dict[str, Counter]
    # Each paper's candidates (tags._read_candidates) and the long forms
    # they were trimmed with.
    cands: dict[str, dict[tuple[str, ...], str]]
    # Their sums (candidate_sums), brought up to date rather than counted
    # again: over a million entries at 20,000 papers.
    shared: Counter
    written: Counter
    long_forms: set
    # The kept phrases before and after the contained filter, the counts
    # that filter read (standalone_counts) and each paper's mentions.
    first_kept: set
    standalone: tuple[Counter, Counter]
    kept: set
    mentions: dict[str, list[tuple[str, ...]]]
    definitions: dict[str, list[tuple[str, str]]]  # acronyms.find_definitions of each text
    # Each paper's words as one words_line, which KeySearch reads: kept for
    # the papers as they were, made by save() for the others.
    lines: dict[str, str]
    # Each paper's shown keywords and what they were made from: saved on
    # its own (save_shown), once they are made, so that the state's save
    # need not wait for them.
    shown: Shown = field(default_factory=lambda: Shown())


@dataclass
class Shown:
    """Each paper's shown keywords as tags.shown_keywords made them (before
    proper_case), the candidates it looked at and the paper's tags (keys);
    with what it read of each of those keys (tags.build_tags' fact)."""

    words: dict[str, list[str]] = field(default_factory=dict)
    looked: dict[str, tuple] = field(default_factory=dict)  # slug -> candidate keys looked at
    chosen: dict[str, list] = field(default_factory=dict)
    facts: dict[tuple, tuple] = field(default_factory=dict)
    code: str = ""  # the token of the CountState it goes with (cache_file.load checks it)

    def moved(self, fact) -> set:
        """The keys that read otherwise now (fact)."""
        return {key for key, was in self.facts.items() if fact(key) != was}

    def still(
        self, slug: str, chosen: list, cands: dict, moved: set, most: int
    ) -> tuple[list[str], int] | None:
        """The paper's shown keywords of the last build, and how many
        candidates they looked at, when its tags are the same and its
        candidates, as far as they were looked at, are the same keys and
        none of those keys moved; with fewer than most keywords, when it
        has no other candidate either. The caller knows its candidates'
        texts, words and own capitalisation to be as they were."""
        words = self.words.get(slug)
        if words is None or self.chosen[slug] != chosen:
            return None
        looked = self.looked[slug]
        if tuple(islice(cands, len(looked))) != looked:
            return None
        if len(words) < most and len(cands) != len(looked):
            return None  # it had looked at them all: a candidate since then is looked at
        if not (moved.isdisjoint(chosen) and moved.isdisjoint(looked)):
            return None
        return words, len(looked)

    @classmethod
    def of(cls, made: dict, chosen: dict, cands: dict, fact) -> Shown:
        """made: slug -> (shown keywords, candidates looked at)."""
        looked = {s: tuple(islice(cands[s], n)) for s, (_, n) in made.items()}
        keys = set(chain.from_iterable(chain(chosen[s], looked[s]) for s in made))  # each once
        facts = {key: fact(key) for key in keys}
        return cls({s: words for s, (words, _) in made.items()}, looked, dict(chosen), facts)


@dataclass(frozen=True)
class Update:
    """How to bring a CountState to the current archive."""

    old: CountState
    new: frozenset  # slugs counted in full
    delta: KeyTables  # keys new to the pool; key_words: only words new to it
    counted: KeySearch  # an old line the delta counts: one with a key of it, or a key word
    old_tables: KeyTables  # the old pool, to take changed papers' counts off
    changed_acronyms: frozenset  # short forms the corpus reads differently now


@dataclass(frozen=True)
class Rescan:
    """Which papers a pass over the kept phrases must read again, when the
    last build's results are brought up to date: those read afresh, and
    those where a phrase kept then or now, not both, occurs."""

    old_lines: dict[str, str]  # the last build's words of each paper, as words_line
    reread: frozenset  # papers new or read again (tags._read_texts)
    moved: KeySearch  # phrases kept then or now, not both
    old_tables: KeyTables  # the phrases kept then

    def again(self, slug: str, title: list[tuple[str, ...]] | None = None) -> bool:
        """title: the paper's title words, to look in too."""
        if slug in self.reread:
            return True
        return self.moved(self.old_lines[slug]) or (
            title is not None and self.moved(words_line(title))
        )


def rescan(old: CountState, reread: frozenset, old_kept: set, kept: set) -> Rescan:
    return Rescan(old.lines, reread, KeySearch(old_kept ^ kept), key_tables(old_kept))


class LineWords(dict):
    """Paper slug -> its words, read from its line (words_line) when first
    asked for: a rebuild's passes read the words of the few old papers they
    look at again. Saving the words besides the lines made the state at
    20,000 papers 84 MB instead of 61, and its load 1.6-2.5 s instead of
    1.2-1.7. `slug in` tells only whether they were read: ask `.lines`."""

    def __init__(self, lines: dict[str, str]):
        super().__init__()
        self.lines = lines

    def __missing__(self, slug: str) -> list[tuple[str, ...]]:
        words = self[slug] = line_words(self.lines[slug])
        return words


def load(path: Path, code: str | None = None) -> CountState | None:
    """None when missing, unreadable or made by other code than code
    (default: freshness.code_digest(), this code). Its shown keywords'
    record is empty unless the one beside it was made with it."""
    fields = cache_file.load_plain(path, "CountState", code or code_digest())
    if fields is None:
        return None
    _convert(fields, Counter)
    state = CountState(**fields, words={})
    state.shown = cache_file.load(shown_path(path), Shown, state.token) or Shown()
    return state


def shown_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-shown.pickle")


def save(path: Path, state: CountState, share: bool = False) -> None:
    """Saves state, with the lines it lacks made first: by the process
    that saves, not the build's (tags.build_tags). The words are saved as
    those lines only, and its shown keywords' record apart (save_shown).
    share: made of one object per equal word and key first (one_copy), for
    a state counted from scratch."""
    for slug, words in state.words.items():
        if slug not in state.lines:
            state.lines[slug] = words_line(words)
    fields = {f.name: getattr(state, f.name) for f in dataclasses.fields(CountState)}
    del fields["words"], fields["shown"]
    _convert(fields, dict)  # marshal takes built-in types only
    if share:
        fields = one_copy(fields, {})
    cache_file.save_plain(path, "CountState", fields)
    if (pickled := path.with_suffix(".pickle")) != path:  # the state as saved before 60684a3
        pickled.unlink(missing_ok=True)


def one_copy(value, seen: dict):
    """value with one object for each equal string and each equal tuple of
    strings (a key) in it; seen: those met so far. A state counted from
    scratch holds many equal copies: the passes' forked workers send back
    their own, and words are read apart from each other. Written once
    (marshal writes an object it met before as a reference), the next
    build loads fewer objects, and finds a key by identity where it
    compared its words: at 20,000 papers the state was 53 MB instead of
    64 (57 when counted in one process), and adding 200 papers to it took
    10.3 s instead of 10.8-11.0 (three alternating runs). The walk takes
    about 2 s of the saving process (a recount on a rebuild waited 0.8 s
    longer for it), so a rebuild, whose state is mostly the last one's
    objects, does not walk it."""
    kind = type(value)
    if kind is str:
        return seen.setdefault(value, value)
    if kind is tuple:
        if all(type(item) is str for item in value):
            if (got := seen.get(value)) is None:
                got = seen[value] = tuple([seen.setdefault(w, w) for w in value])
            return got
        return tuple(one_copy(item, seen) for item in value)  # not shared: True == 1
    if kind is list:
        return [one_copy(item, seen) for item in value]
    if kind is dict:
        return {one_copy(k, seen): one_copy(v, seen) for k, v in value.items()}
    if kind is set:
        return {one_copy(item, seen) for item in value}
    if kind is frozenset:
        return frozenset(one_copy(item, seen) for item in value)
    return value


def _convert(fields: dict, kind: type) -> None:
    """CountState's Counters (alone, in tuples, per paper) made kind, in place."""
    for name in ("counts", "standalone"):
        fields[name] = tuple(map(kind, fields[name]))
    for name in ("title_papers", "shared", "written"):
        fields[name] = kind(fields[name])
    fields["own_case"] = {s: kind(case) for s, case in fields["own_case"].items()}


def save_shown(path: Path, shown: Shown, token: str, share: bool = False) -> None:
    """The shown keywords' record of the state (save) named token; share:
    as in save."""
    if share:  # every field, so that one added later is shared too
        parts = {f.name: getattr(shown, f.name) for f in dataclasses.fields(Shown)}
        shown = Shown(**one_copy(parts, {}))
    cache_file.save(shown_path(path), dataclasses.replace(shown, code=token))


@dataclass(frozen=True)
class Known:
    """The last build's candidates, and when a paper's still hold."""

    cands: dict[str, dict[tuple[str, ...], str]]
    unchanged: frozenset  # slugs whose title, text and keywords are as they were
    changed_acronyms: frozenset  # short forms the corpus reads differently now
    long_form_words: frozenset  # first and last words of long forms added or gone

    def hold(self, slug: str, keywords: list[str], text: str, title: str) -> bool:
        """A keyword reads its acronyms (in the paper's text) and the long
        forms its first and last words may start or end (tag_words.trim)."""
        if slug not in self.unchanged or may_read(self.changed_acronyms, text, title):
            return False
        ends = self.long_form_words
        return not ends or ends.isdisjoint(chain.from_iterable(map(plain_words, keywords)))


def may_read(shorts: frozenset, text: str, title: str) -> bool:
    """Whether a paper may read one of these acronyms: its look-up key is a
    prefix of the word (LLM, LLMs), so it is in the text."""
    return any(a in text or a in title for a in shorts)


def unchanged(old: CountState | None, papers: dict[str, bytes]) -> frozenset:
    """The last build's papers whose title, text and keywords are as they were."""
    if old is None:
        return frozenset()
    return frozenset(s for s, digest in old.papers.items() if papers.get(s) == digest)


def known_definitions(old: CountState | None, same: frozenset) -> dict | None:
    """The acronym definitions of the papers that are the same (unchanged())."""
    return None if old is None else {s: old.definitions[s] for s in same}


def changed_acronyms(old: CountState, corpus: Acronyms) -> frozenset:
    return frozenset(
        s for s in corpus.keys() | old.corpus.keys() if corpus.get(s) != old.corpus.get(s)
    )


def known_candidates(
    old: CountState | None, same: frozenset, corpus: Acronyms, long_forms: set
) -> Known | None:
    if old is None:
        return None
    moved = long_forms ^ old.long_forms
    ends = frozenset(w for key in moved for w in (key[0], key[-1]))
    return Known(old.cands, same, changed_acronyms(old, corpus), ends)


def plan(
    old: CountState | None, same: frozenset, papers: dict, pool: set, corpus: Acronyms
) -> Update | None:
    """The update from old to these papers (same: unchanged()), pool and
    corpus acronyms; None when only a full count will do."""
    if old is None:
        return None
    if len(same) != len(old.papers):
        return None  # a paper removed or edited: its old counts are unknown
    if not old.pool <= pool:
        return None  # counts of a key that left the pool would have to go
    tables = key_tables(pool - old.pool)
    old_words = {w for key in old.pool for w in key}
    delta = dataclasses.replace(tables, key_words=tables.key_words - old_words)
    new = frozenset(slug for slug in papers if slug not in old.papers)
    counted = KeySearch(chain(tables.keys, ((w,) for w in delta.key_words)))
    return Update(old, new, delta, counted, key_tables(old.pool), changed_acronyms(old, corpus))


def candidate_sums(
    old: CountState | None, cands: dict[str, dict], read: set
) -> tuple[Counter, Counter]:
    """How many papers hold each candidate key, and each (key, its text as
    written) pair with a text; cands: every paper's candidates as read,
    read: the papers whose candidates were read in this build. From the
    last build's sums, with the papers read again or gone taken off and
    those read added; counted in full without them."""
    if old is None:
        return _sums(cands.values())
    gone = [old.cands[s] for s in old.cands if s in read or s not in cands]
    added = _sums(cands[s] for s in read)
    return merged((old.shared, old.written), [added], [_sums(gone)] if gone else [])


def _sums(papers: Iterable[dict]) -> tuple[Counter, Counter]:
    shared, written = Counter(), Counter()
    for paper in papers:
        shared.update(paper.keys())  # (a dict itself would add its values)
        written.update(filter(itemgetter(1), paper.items()))
    return shared, written


def merged(base: tuple[Counter, ...], added: list, removed: list) -> tuple[Counter, ...]:
    """base + added - removed, each a tuple of Counters alike
    (PhraseCounter.counts(), candidate_sums); what a count
    from scratch gives: the same entries with the same numbers (only their
    order differs, and no reader depends on it)."""
    out = tuple(Counter(c) for c in base)
    for counts in added:
        for total, part in zip(out, counts, strict=True):
            total.update(part)
    if removed:
        for counts in removed:
            for total, part in zip(out, counts, strict=True):
                total.subtract(part)
        for total in out:
            for key in [k for k, n in total.items() if n <= 0]:
                del total[key]
    return out
