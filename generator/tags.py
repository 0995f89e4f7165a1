"""Stage 3c, tags: per-paper keyword candidates -> a shared tag vocabulary.

Candidates are read as canonical words (tag_words), measured on the whole
corpus and filtered (tag_stats). Kept keys merge when they differ only by
spaces ("finetuning") or by a generic last word ("continual learning
methods"), and as tags.yml says. A key is a tag only when two or more
papers carry it. All work is a few passes over the texts with set look-ups:
linear in the corpus size; each text is tokenised once.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

from slugify import slugify

from . import collector, freshness, tag_counts
from .acronyms import is_acronym, short_form_key
from .models import INDEX_NAME, Tag
from .progress import progress_bar
from .tag_rules import TagRules
from .tag_stats import (
    CONTAINED_SHARE,
    KeyTables,
    PhraseCounter,
    PhraseStats,
    alone_share,
    generic_words,
    is_generic,
    is_lone_word,
    is_truncated,
    key_tables,
    line_words,
    mentions,
    own_capitalised,
    paper_stats,
    standalone_counts,
    top,
    topic,
)
from .tag_words import (
    TRIM_END,
    Acronyms,
    AcronymTable,
    CandidateReader,
    acronym_table,
    canonical_words,
    display_case,
    segments,
    singular,
)
from .workers import LOW_PRIORITY, Alongside, job_count, joined, map_runs

PASSES = 5  # each_paper passes in build_tags, for the progress bar
KEYWORDS_SHOWN = 8
TAGS_PER_PAPER = 6
MIN_PAPERS_PER_TAG = 2
# A generic last word adds nothing to a tag: "continual learning methods"
# is "continual learning" when that is a tag itself.
GENERIC_HEADS = {
    "algorithm", "approach", "architecture", "framework", "method", "model",
    "network", "system", "task", "technique",
}  # fmt: skip


def tag_slug(name: str) -> str:
    return slugify(name) or "tag"


# ---------------------------------------------------------------- build


@dataclass
class TagResult:
    tags: list[Tag]  # sorted by slug
    paper_tags: dict[str, list[str]]  # paper slug -> tag slugs, best first
    paper_keywords: dict[str, list[str]]  # paper slug -> keywords to show
    # The kept state's saves, going on in other processes (counts_cache): wait() for them.
    saving: list[Alongside] = field(default_factory=list)

    def wait(self) -> None:
        while self.saving:
            self.saving.pop(0).result()


def resolve_rules(rules: TagRules, acronyms: Acronyms):
    """tags.yml phrases -> keys, read like keywords (acronyms the corpus
    agrees on are spelled out). Merge chains a -> b -> c resolve to c."""

    def canonical(phrase: str) -> tuple[str, ...]:
        return canonical_words(phrase, acronyms)

    merge = {canonical(a): canonical(b) for a, b in rules.merge.items()}
    for start in list(merge):
        seen, target = {start}, merge[start]
        while target in merge and target not in seen:
            seen.add(target)
            target = merge[target]
        merge[start] = target
    return (
        merge,
        {canonical(p) for p in rules.ban},
        {canonical(a): b for a, b in rules.display.items()},
        {canonical(p) for p in rules.keep},
    )


def compound_merges(keys: Counter) -> dict[tuple[str, ...], tuple[str, ...]]:
    """ "finetuning", "fine tuning" and "fine-tuning" are one tag: keys
    equal once spaces are removed go to the one most papers use."""
    groups: dict[str, list] = defaultdict(list)
    for key in keys:
        groups["".join(key)].append(key)
    out = {}
    for group in groups.values():
        if len(group) > 1:
            best = min(group, key=lambda k: (-keys[k], k))
            out.update({k: best for k in group if k != best})
    return out


class _OnDemand(dict):
    """fn's result for each key, made when first asked for. A pass looks up
    some 700,000 keys at 20,000 papers: dict's look-up cost two thirds of
    lru_cache's call. (Not memo.Memo: that one keeps results between builds.)"""

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


@dataclass
class _Corpus:
    """What the per-paper passes read; forked workers inherit it (workers.py)."""

    slugs: list[str]
    keywords: dict[str, list[str]]
    texts: dict[str, str]
    titles: dict[str, str]
    table: AcronymTable
    long_forms: set
    reader: CandidateReader
    cands: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    read_cands: set = field(default_factory=set)  # papers whose candidates were read anew
    pool: KeyTables | None = None
    streams: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    title_words: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    own_case: dict[str, Counter] = field(default_factory=dict)
    kept: KeyTables | None = None
    tag_of: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None  # a key's tag key, or ()
    last_mentions: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    shown: Callable[[str], tuple[tuple[list[str], int], list[str]]] | None = None
    update: tag_counts.Update | None = None  # the last build's counts, to bring up to date
    known: tag_counts.Known | None = None  # the last build's candidates
    rescan: tag_counts.Rescan | None = None  # for a pass over kept phrases: who to read


def _read_candidates(c: _Corpus, start: int, end: int) -> list[dict | None]:
    """Candidates per paper, best first, one per key; None where the last
    build's still hold (c.known)."""
    candidate = c.reader  # a worker's reader remembers its earlier runs' keywords
    known = c.known
    out = []
    for slug in c.slugs[start:end]:
        if known and known.hold(
            slug, c.keywords[slug], c.texts.get(slug, ""), c.titles.get(slug, "")
        ):
            out.append(None)
            continue
        acronyms = c.table.for_paper(slug)
        seen: dict[tuple[str, ...], str] = {}
        for keyword in c.keywords[slug]:
            key, text = candidate(keyword, acronyms)
            seen.setdefault(key, text)
        seen.pop((), None)
        out.append(seen)
    return out


def _read_texts(c: _Corpus, start: int, end: int):
    """Each text is read once: the corpus statistics of the pool, and per
    paper only what later steps need (its words, its title's words, the
    case of its own lone candidates, with a 0 for each lone word looked
    at), to keep memory low. With the last build's counts and words
    (c.update, tag_counts.py), an old paper is read again only to count a
    key new to the pool that its words hold, to look at a lone word it did
    not have, or to count it afresh, its old counts taken off, when the
    corpus reads one of its acronyms differently now. Titles are counted
    for every word, not the pool's only: an old one is not read again."""
    counter = PhraseCounter(c.pool)
    pool, up = c.pool.keys, c.update
    delta = PhraseCounter(up.delta, count_words=False) if up else None
    taken = PhraseCounter(up.old_tables) if up else None
    words: dict[str, tuple] = {}  # slug -> (its words, its title's words), when read afresh
    own_case: dict[str, Counter] = {}  # slug -> own_capitalised, when looked at afresh
    title_papers: Counter = Counter()
    for s in c.slugs[start:end]:
        text, title = c.texts.get(s, ""), c.titles.get(s, "")
        acronyms = c.table.for_paper(s)
        stream, fresh = None, True
        if up is None or s in up.new:
            stream = segments(text, acronyms)
            counter.add(stream)
            title_papers.update(set(canonical_words(title)))
        elif tag_counts.may_read(up.changed_acronyms, text, title):
            stream = segments(text, acronyms)
            taken.add(segments(text, {**up.old.corpus, **c.table.own.get(s, {})}))
            counter.add(stream)
        else:
            fresh = False
            if up.counted(up.old.lines[s]):
                stream = segments(text, acronyms)
                delta.add(stream)
        if fresh:
            title_words = [seg.words for seg in segments(title, acronyms)]
            words[s] = ([seg.words for seg in stream], title_words)
        if not fresh and s not in c.read_cands:
            continue  # last build's candidates, a pool that only grew: no lone word is new
        lone = {k[0] for k in c.cands[s] if len(k) == 1 and k not in pool}
        if fresh or not lone <= up.old.own_case[s].keys():
            stream = stream or segments(text, acronyms)
            case = own_capitalised(stream, lone) if lone else Counter()
            own_case[s] = Counter({**dict.fromkeys(sorted(lone), 0), **case})
    added = [counter.counts()] + ([delta.counts()] if up else [])
    taken_off = [taken.counts()] if up and taken.word_papers else []
    return (added, taken_off), words, own_case, title_papers


def _count_kept(c: _Corpus, start: int, end: int):
    """standalone_counts of the papers; with c.rescan, of the papers it
    names only, with their counts of the last build to take off."""
    r, run = c.rescan, c.slugs[start:end]
    if r is None:
        return standalone_counts((c.streams[s] for s in run), c.kept), None
    again = [s for s in run if r.again(s)]
    old = [line_words(r.old_lines[s]) for s in again if s in r.old_lines]
    return (
        standalone_counts((c.streams[s] for s in again), c.kept),
        standalone_counts(old, r.old_tables),
    )


def _find_mentions(c: _Corpus, start: int, end: int) -> list[tuple[list | None, list]]:
    """Per paper, its mentions of kept phrases (None where c.rescan says
    the last build's still hold: c.last_mentions) and its tag keys, best
    first: its candidates', then those of the phrases it mentions but has
    no candidate for."""
    kept, r, tag_of = c.kept, c.rescan, c.tag_of
    out = []
    for s in c.slugs[start:end]:
        found = None
        if r is None or r.again(s, c.title_words[s]):
            found = mentions(c.title_words[s], c.streams[s], kept.keys, kept.prefixes, kept.first)
        paper = c.cands[s]
        vouched = [
            key for key in (c.last_mentions[s] if found is None else found) if key not in paper
        ]
        ranked = dict.fromkeys(filter(None, map(tag_of, chain(paper, vouched))))
        out.append((found, list(ranked)))
    return out


def _shown_keywords(c: _Corpus, start: int, end: int) -> list[tuple[tuple[list[str], int], list]]:
    return [c.shown(s) for s in c.slugs[start:end]]


def build_tags(
    paper_keywords: dict[str, list[str]],
    paper_texts: dict[str, str],
    paper_titles: dict[str, str],
    rules: TagRules | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    counts_cache: Path | None = None,
    save_later: bool = False,
    pass_jobs: int | None = None,
    paper_digests: dict[str, str | bytes] | None = None,
) -> TagResult:
    """paper slug -> keyword candidates (best first), its text (title and
    abstract) and its title  =>  tags, each paper's tags (best first) and
    the keywords to show on its page. The per-paper passes run in jobs
    processes (workers.py; default: all cores on a large corpus); the result
    does not depend on how many. progress: a bar over the passes (default:
    when stderr is a terminal). counts_cache: a file that keeps the corpus
    counts for the next build (tag_counts.py); the result is the same
    with or without it. save_later: return before counts_cache is written
    (by another process, at the lowest priority); TagResult.wait() waits
    for it. pass_jobs: processes for the passes alone (default: jobs); the
    counts are still saved by another process when jobs allows one.
    paper_digests: slug -> a digest that changes whenever the paper's
    keywords, text or title do (enrich passes its keyword cache key);
    default: tag_counts.paper_digest of them."""
    slugs = sorted(paper_keywords)
    jobs = job_count(len(slugs), jobs)
    pass_jobs = jobs if pass_jobs is None else min(jobs, max(1, pass_jobs))
    digests = paper_digests or {
        s: tag_counts.paper_digest(
            paper_texts.get(s, ""), paper_titles.get(s, ""), paper_keywords[s]
        )
        for s in slugs
    }
    code = freshness.code_digest() if counts_cache else ""
    last = tag_counts.load(counts_cache, code) if counts_cache else None
    same = tag_counts.unchanged(last, digests)
    table = acronym_table(
        {s: paper_texts.get(s, "") for s in slugs}, tag_counts.known_definitions(last, same)
    )
    merge, banned, display, keep = resolve_rules(rules or TagRules(), table.corpus)
    long_forms = {k for k in table.long_names if k not in TRIM_END}  # not "SOTA"
    reader = CandidateReader(long_forms)
    corpus = _Corpus(slugs, paper_keywords, paper_texts, paper_titles, table, long_forms, reader)
    corpus.known = tag_counts.known_candidates(last, same, table.corpus, long_forms)

    bar = progress_bar(len(slugs), "tags", progress, steps=PASSES)

    def each_paper(fn) -> list:
        return map_runs(fn, corpus, len(slugs), pass_jobs, bar.update)

    cands = corpus.cands = dict(zip(slugs, joined(each_paper(_read_candidates)), strict=True))
    # Papers whose candidates were read anew (their texts may read otherwise):
    # their shown keywords are made anew. (This holds every paper whose
    # words are read again too, in _read_texts: new, or reading a changed
    # acronym. A paper's own_case may gain lone words there, keeping the
    # figures of those it had.)
    changed = corpus.read_cands = {s for s in slugs if cands[s] is not None}
    for s in slugs:
        if cands[s] is None:
            cands[s] = corpus.known.cands[s]
    corpus.known = None
    # How many papers hold each key, and each (key, text) pair with a text
    # (the spellings below): the last build's sums brought up to date.
    shared, written = tag_counts.candidate_sums(last, cands, changed)
    pool = {key for key, n in shared.items() if n >= MIN_PAPERS_PER_TAG} | keep
    corpus.pool = key_tables(pool)  # built once, read by every run

    update = corpus.update = tag_counts.plan(last, same, digests, pool, table.corpus)
    last = update.old if update else None  # the rest is brought up to date only with the counts
    fresh = last is None  # counted from scratch: saved with one copy of each value (one_copy)
    title_papers: Counter = Counter(update.old.title_papers if update else ())
    added, taken_off = [], []
    if update:  # an old paper's words stay its words, read from its line when needed
        corpus.streams = tag_counts.LineWords(update.old.lines)
        corpus.title_words.update(update.old.title_words)
        corpus.own_case.update(update.old.own_case)
    streams, titles, own_case = corpus.streams, corpus.title_words, corpus.own_case
    reread = set()  # papers whose words were read here
    for (run_added, run_taken), run_words, run_case, run_title_papers in each_paper(_read_texts):
        added += run_added  # runs in slug order: as if counted in one process
        taken_off += run_taken
        title_papers.update(run_title_papers)
        for s, (words, title_words) in run_words.items():
            streams[s], titles[s] = words, title_words
        reread.update(run_words)
        own_case.update(run_case)
    base = update.old.counts if update else tuple(Counter() for _ in PhraseCounter.COUNTS)
    counts = tag_counts.merged(base, added, taken_off)
    if update and (lost := set(slugs) - streams.keys() - update.old.lines.keys()):
        raise AssertionError(f"tags: {len(lost)} papers without words")  # a bug, not a dump
    del update, added, taken_off, base
    corpus.update = None
    counter = PhraseCounter(corpus.pool)
    counter.add_counts(counts)
    stats = counter.stats()
    del counter
    generic = generic_words(stats, len(slugs))
    # Titles holding each one-word key: what is_lone_word reads.
    key_titles = Counter({w: n for w, n in title_papers.items() if (w,) in pool})

    def dropped(key: tuple[str, ...], stats: PhraseStats) -> bool:
        if key in banned:
            return True
        if key in keep:
            return False
        return (
            is_generic(key, generic, long_forms)
            or is_truncated(key, stats)
            or is_lone_word(key, stats, key_titles)
        )

    first_kept = kept = {key for key in pool if not dropped(key, stats)}
    corpus.kept = key_tables(kept)
    if last:
        corpus.rescan = tag_counts.rescan(last, frozenset(reread), last.first_kept, kept)
    runs = each_paper(_count_kept)
    standalone = tag_counts.merged(
        last.standalone if last else (Counter(), Counter()),
        [found for found, _ in runs],
        [taken for _, taken in runs if taken],
    )
    del runs
    share = alone_share(*standalone)
    kept = {k for k in kept if k in keep or share.get(k, 1.0) >= CONTAINED_SHARE}
    corpus.kept = key_tables(kept)
    if last:
        corpus.rescan = tag_counts.rescan(last, frozenset(reread), last.kept, kept)
    merge = {
        **compound_merges(Counter({k: shared[k] for k in kept})),
        **{k: k[:-1] for k in kept if k[-1] in GENERIC_HEADS and k[:-1] in kept},
        **merge,
    }

    finals: dict[tuple[str, ...], tuple[str, ...]] = {}

    def final(key: tuple[str, ...]) -> tuple[str, ...]:
        if (got := finals.get(key)) is not None:
            return got
        # Follow "continual learning methods" -> "continual learning" -> ...
        start, seen = key, {key}
        while key in merge and merge[key] not in seen:
            key = merge[key]
            seen.add(key)
        finals[start] = () if key in banned else key
        return finals[start]

    # Each paper's tag keys, best first, are made in the pass that finds
    # its mentions: they are its candidates' and its mentions' tag keys.
    corpus.tag_of = _OnDemand(lambda key: final(topic(key, kept))).__getitem__
    corpus.last_mentions = last.mentions if last else {}
    found, ranked = {}, {}
    for s, (mentioned, tag_keys) in zip(slugs, joined(each_paper(_find_mentions)), strict=True):
        found[s] = last.mentions[s] if mentioned is None else mentioned
        ranked[s] = tag_keys
    corpus.rescan = corpus.tag_of = None
    corpus.last_mentions = {}
    # The lines of the papers not read here are the last build's (save makes the others).
    lines = {s: line for s, line in last.lines.items() if s not in reread} if last else {}
    # What the papers' shown keywords were made from, last time (Shown.still).
    was = tag_counts.Shown() if last is None else last.shown
    del last
    # Saved by another process from here on (beside the rest of the stage),
    # with the candidates as read (a paper's dict is replaced,
    # not changed, when vouched keys join it); the shown keywords' record
    # is saved apart once they are made, tied to it by its token.
    state, saving = None, []
    nice = LOW_PRIORITY if save_later else 0
    if counts_cache:
        state = tag_counts.CountState(
            code, secrets.token_hex(8), pool, table.corpus, digests, counts, title_papers,
            streams, titles, own_case, dict(cands), shared, written, long_forms, first_kept,
            standalone, kept, found, table.found, lines,
        )  # fmt: skip
        saving.append(Alongside(tag_counts.save, counts_cache, state, fresh, jobs=jobs, nice=nice))
        if save_later:  # freed beside the saving process, its pages would be copied
            collector.keep(state)
    del counts, standalone, lines
    # A kept phrase in a paper's title, or said twice in its text, is a
    # candidate too, after YAKE's: the corpus vouches for it.
    for s in slugs:
        paper = cands[s]
        if extra := [key for key in found[s] if key not in paper]:
            cands[s] = {**paper, **dict.fromkeys(extra, "")}
    del found

    # A key is a tag while two papers carry it; a paper keeps
    # TAGS_PER_PAPER, so dropping a tag can leave another with one paper:
    # repeat until nothing changes.
    vocabulary = {k for keys in ranked.values() for k in keys}
    while True:
        chosen = {s: [k for k in ranked[s] if k in vocabulary][:TAGS_PER_PAPER] for s in slugs}
        members = Counter(k for keys in chosen.values() for k in keys)
        smaller = {k for k in vocabulary if members[k] >= MIN_PAPERS_PER_TAG}
        if smaller == vocabulary:
            break
        vocabulary = smaller

    # Spellings of a tag: the texts' outweigh the candidates'; a merged
    # tag is spelled like its target when the target was seen itself. Only
    # tags are named: other keys' spellings are not counted.
    spelled: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    merged: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    # The candidates' texts (a vouched key has none: it is not in written).
    for (key, text), n in written.items():
        if (target := final(key)) in vocabulary:
            (spelled[key] if target == key else merged[target])[text] += n
    del written
    for key, texts in stats.spellings.items():
        if (target := final(key)) in vocabulary:
            into = spelled[key] if target == key else merged[target]
            for text, n in texts.items():
                into[display_case(text)] += n
    for key in vocabulary:
        if not +spelled[key]:
            spelled[key] = merged[key]
    proper = {w for w, n in stats.capitalised.items() if n > 0}
    # Keywords show the names as they are spelled; tag names start upper case.
    spellings = {k: tag_name(k, spelled[k], table, proper, display) for k in vocabulary}
    names = {k: spellings[k][:1].upper() + spellings[k][1:] for k in vocabulary}
    tag_slugs = unique_slugs(vocabulary)
    paper_tags = {s: [tag_slugs[k] for k in chosen[s]] for s in slugs}
    papers_of: dict[str, list[str]] = defaultdict(list)
    for s in slugs:
        for t in paper_tags[s]:
            papers_of[t].append(s)
    tags = sorted(
        (Tag(tag_slugs[k], names[k], papers_of[tag_slugs[k]]) for k in vocabulary),
        key=lambda t: t.slug,
    )

    cased: dict[str, str] = {}

    def shown(s: str) -> tuple[tuple[list[str], int], list[str]]:
        """The paper's shown keywords as made, with how many candidates
        they looked at (what the state keeps), and as shown (proper_case:
        in the passes, not after them). A paper whose candidates, words and
        tags are as they were, and whose candidates, as far as the last
        build looked, read as they did, shows the same: most papers of a
        rebuild."""
        made = None
        if s not in changed:
            made = was.still(s, chosen[s], cands[s], moved, KEYWORDS_SHOWN)
        made = made or make(s)
        return made, [cased[w] if w in cased else cased.setdefault(w, proper_case(w, proper))
                      for w in made[0]]  # fmt: skip

    def make(s: str) -> tuple[list[str], int]:
        return shown_keywords(
            chosen[s],
            cands[s],
            lambda key: paper_stats(streams[s], key, own_case[s]),
            spellings,
            kept,
            pool,
            dropped,
            final,
        )

    facts: dict[tuple[str, ...], tuple] = {}

    def fact(key: tuple[str, ...]) -> tuple:
        """All shown_keywords reads of a key, bar the paper's own figures."""
        if (got := facts.get(key)) is None:
            target = final(key)
            got = facts[key] = (
                target, key in pool, target in kept, spellings.get(target), spellings.get(key),
                key in banned, key in keep, key in long_forms, len(key) == 1 and key[0] in generic,
            )  # fmt: skip
        return got

    moved = was.moved(fact)
    corpus.shown = shown
    made, paper_keywords_shown = {}, {}
    for s, (as_made, as_shown) in zip(slugs, joined(each_paper(_shown_keywords)), strict=True):
        made[s], paper_keywords_shown[s] = as_made, as_shown
    bar.close()
    if state:  # written by another process while the build goes on
        token = state.token
        del state
        shown_save = (counts_cache, token, made, chosen, cands, fact, fresh)
        saving.append(Alongside(_save_shown, *shown_save, jobs=jobs, nice=nice))
        if save_later:
            collector.keep(locals())  # all the stage made
    result = TagResult(tags, paper_tags, paper_keywords_shown, saving)
    if not save_later:
        result.wait()
    return result


def _save_shown(path: Path, token: str, made, chosen, cands, fact, share: bool) -> None:
    """In the saving process: the shown keywords' record (tag_counts.save_shown)."""
    tag_counts.save_shown(path, tag_counts.Shown.of(made, chosen, cands, fact), token, share)


def shown_keywords(chosen, cands, own, names, kept, pool, dropped, final) -> tuple[list[str], int]:
    """A paper's tags, then its other candidates that pass the same filters,
    measured on its own text when the corpus has too few of them; and how
    many candidates were looked at. own: key -> PhraseStats of the
    paper's text (paper_stats)."""
    words = [names[k] for k in chosen]
    keys = list(chosen)
    inside = set().union(*map(_parts, keys))  # nothing inside a shown keyword is shown
    looked = 0
    for key, text in cands.items():
        if len(words) >= KEYWORDS_SHOWN:
            break
        looked += 1
        target = final(key)
        if not target or target in keys or target in inside:
            continue
        if key in pool and target not in kept:
            continue
        if key not in pool and dropped(key, own(key)):
            continue
        keys.append(target)
        inside |= _parts(target)
        words.append(names.get(target, text))
    return words, looked


@lru_cache(maxsize=1 << 16)
def _parts(key: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """The shorter phrases inside a key: "a b c" -> a, b, c, a b, b c."""
    n = len(key)
    return frozenset(key[a:b] for a in range(n) for b in range(a + 1, n + 1) if b - a < n)


def unique_slugs(keys: set) -> dict[tuple[str, ...], str]:
    """Key -> slug; the rare clash (with another key's slug or the index
    page's name) is broken by a number, in key order."""
    out, taken = {}, {INDEX_NAME}  # tags/index.md lists every tag
    for key in sorted(keys):
        base = tag_slug(" ".join(key))
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[key] = slug
    return out


def tag_name(key, spellings: Counter, table: AcronymTable, proper: set, display: dict) -> str:
    """Spelled name: tags.yml, else the most common spelling (acronyms in
    capitals, names such as Gaussian capitalised), with the long form
    spelled out for a bare acronym: "Large language models (LLMs)"."""
    if key in display:
        return display[key]
    name = top(spellings)[0] if spellings else " ".join(key)
    if key in table.long_names and " " not in name and is_acronym(short_form_key(name)):
        name = f"{top(table.long_names[key])[0]} ({name})"
    return proper_case(name, proper)


def proper_case(phrase: str, proper: set) -> str:
    """Names the texts capitalise inside sentences keep their capital."""
    return re.sub(
        r"[A-Za-z]+",
        lambda m: m[0].capitalize() if m[0].islower() and singular(m[0]) in proper else m[0],
        phrase,
    )
