"""Stage 3c, tags: per-paper keyword candidates -> a shared tag vocabulary.

Every candidate and every paper text is read as canonical words: lower
case, singular, hyphen = space, and acronyms defined in the texts ("large
language models (LLMs)") replaced by their long form, so "LLMs", "large
language model" and "Large-Language Models" are one key, and "MoE models"
is "mixture of experts models". Then, measured on the whole corpus:

- boilerplate and stop words are trimmed off both ends of a candidate;
- generic: corpus-frequent single words ("learning"), phrases of generic
  words only ("model performance");
- truncated: a phrase almost always followed, or preceded, by the same word
  ("large language" -> model), or almost always followed by some noun
  ("real-world");
- lone words that are not topics: rare in titles, verbs, modifiers;
- contained: phrases seen almost only inside a longer kept phrase.

Kept keys merge when they differ only by spaces ("finetuning") or by a
generic last word ("continual learning methods"), and as tags.yml says.
A key is a tag only when two or more papers carry it. All work is a few
passes over the texts with set look-ups: linear in the corpus size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from sys import intern

from slugify import slugify

from .acronyms import find_definitions, is_acronym, short_form_key
from .keywords import STOPWORDS
from .models import Tag
from .tag_rules import TagRules

KEYWORDS_SHOWN = 8
TAGS_PER_PAPER = 6
MIN_PAPERS_PER_TAG = 2
MAX_WORDS = 6  # longer candidates (after acronym expansion) are not tags

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
# A generic last word adds nothing to a tag: "continual learning methods"
# is "continual learning" when that is a tag itself.
GENERIC_HEADS = {
    "algorithm", "approach", "architecture", "framework", "method", "model",
    "network", "system", "task", "technique",
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

WORD = re.compile(r"[A-Za-z0-9]+")
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


def tag_slug(name: str) -> str:
    return slugify(name) or "tag"


# ---------------------------------------------------------------- words

Acronyms = dict[str, tuple[str, ...]]  # short form ("LLM") -> long-form words
# A token: (key word, start, end, whole). An expanded acronym gives its
# long-form words, all spanning the acronym in the text; only the first is
# "whole" (a phrase may not start or end inside an expansion).
Token = tuple[str, int, int, bool]
Segment = tuple[str, list[Token]]  # text between punctuation, its tokens


def segments(text: str, acronyms: Acronyms) -> list[Segment]:
    """Text -> phrases between punctuation, as canonical words: lower case,
    singular, hyphen = space, defined acronyms spelled out."""
    out = []
    for part in SEGMENT_BREAK.split(text):
        tokens: list[Token] = []
        for m in WORD.finditer(part):
            word, a, b = m.group(0), m.start(), m.end()
            if word == "s" and a > 0 and part[a - 1] in "'’":
                continue  # possessive
            long = acronyms.get(short_form_key(word)) if word.lower() != word else None
            if long:
                tokens.append((long[0], a, b, True))
                tokens.extend((w, a, b, False) for w in long[1:])
            else:
                # interned: the texts repeat a few thousand words millions of times
                tokens.append((intern(singular(word.lower())), a, b, True))
        if tokens:
            out.append((part, tokens))
    return out


def canonical_words(text: str, acronyms: Acronyms | None = None) -> tuple[str, ...]:
    """The key of a phrase: "Large-Language Models" -> large language model."""
    return tuple(t[0] for _, tokens in segments(text, acronyms or {}) for t in tokens)


def spelling(part: str, tokens: list[Token], i: int, j: int) -> str | None:
    """The text of tokens[i:j], or None when it cuts an acronym apart."""
    if not tokens[i][3] or (j < len(tokens) and not tokens[j][3]):
        return None
    return part[tokens[i][1] : tokens[j - 1][2]]


# ---------------------------------------------------------------- acronyms


@dataclass
class AcronymTable:
    own: dict[str, Acronyms]  # paper slug -> acronyms it defines
    corpus: Acronyms  # acronyms the corpus agrees on
    long_names: dict[tuple[str, ...], Counter]  # long-form key -> spellings
    short_names: dict[tuple[str, ...], Counter]  # long-form key -> short forms

    def for_paper(self, slug: str) -> Acronyms:
        return {**self.corpus, **self.own.get(slug, {})}


def acronym_table(texts: dict[str, str]) -> AcronymTable:
    own: dict[str, Acronyms] = {}
    votes: dict[str, Counter] = defaultdict(Counter)
    long_names: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    short_names: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for slug in sorted(texts):
        mine: Acronyms = {}
        for short, long in find_definitions(texts[slug]):
            words = canonical_words(long)
            if short in mine or not words:
                continue
            mine[short] = words
            votes[short][words] += 1
            long_names[words][display_case(long)] += 1
            short_names[words][short] += 1
        own[slug] = mine
    corpus = {}
    for short, counter in votes.items():
        words, n = min(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= ACRONYM_AGREEMENT * sum(counter.values()):
            corpus[short] = words
    return AcronymTable(own, corpus, long_names, short_names)


def display_case(phrase: str) -> str:
    """Lower-case except acronyms and names with inner capitals (GPT-4, MoE)."""
    return re.sub(r"[^\s-]+", lambda m: m[0] if is_acronym(m[0]) else m[0].lower(), phrase)


# ---------------------------------------------------------------- candidates


def _keys(phrases) -> set[tuple[str, ...]]:
    return {canonical_words(p) for p in phrases}


TRIM_START = _keys(BOILERPLATE) | _keys(STOPWORDS)
TRIM_END = TRIM_START | _keys(BOILERPLATE_AT_END)


@lru_cache(maxsize=1 << 18)
def _word_key(word: str) -> tuple[str, ...]:
    return canonical_words(word)


def _flat(keys) -> tuple[str, ...]:
    return tuple(chain.from_iterable(keys))


def _trimmed(keys: list[tuple[str, ...]], table: set, at_start: bool) -> int:
    """How many words at one end of a phrase are boilerplate; each word is
    matched whole, so "large" never trims "large-scale"."""
    for n in (3, 2, 1):
        if len(keys) >= n and _flat(keys[:n] if at_start else keys[-n:]) in table:
            return n
    return 0


def candidate(
    phrase: str, acronyms: Acronyms, long_forms: set = frozenset()
) -> tuple[tuple[str, ...], str]:
    """A keyword -> (its key, its spelling), boilerplate and stop words
    trimmed off both ends ("comprehensive survey" -> survey) but never out
    of an acronym's long form ("large language models"). () when nothing
    is left."""
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
    text = " ".join(words)
    key = canonical_words(text, acronyms) if text != text.lower() else _flat(keys)
    if not key or len(key) > MAX_WORDS or all(w.isdigit() for w in key) or key in TRIM_END:
        return (), ""
    return key, display_case(text)


# ---------------------------------------------------------------- statistics


@dataclass
class PhraseStats:
    seen: Counter  # key -> occurrences in the texts
    after: dict[tuple[str, ...], Counter]  # key -> next word (None: phrase end)
    before: dict[tuple[str, ...], Counter]  # key -> word before (None: start)
    spellings: dict[tuple[str, ...], Counter]  # key -> spellings not at a sentence start
    word_papers: Counter  # word -> papers whose text has it
    capitalised: Counter  # word -> (capitalised - lower-case) uses inside sentences


def occurrences(tokens: list[Token], keys: set, prefixes: set):
    """(start, end) of every occurrence of a key in one segment."""
    words = [t[0] for t in tokens]
    for i in range(len(words)):
        for j in range(i + 1, min(i + MAX_WORDS, len(words)) + 1):
            span = tuple(words[i:j])
            if span not in prefixes:
                break
            if span in keys:
                yield i, j


def measure(streams: dict[str, list[Segment]], keys: set) -> PhraseStats:
    """How often each key occurs in the texts, and what stands around it."""
    prefixes = {k[:n] for k in keys for n in range(1, len(k) + 1)}
    key_words = {w for k in keys for w in k}
    stats = PhraseStats(
        Counter(), defaultdict(Counter), defaultdict(Counter), {}, Counter(), Counter()
    )
    spellings: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for slug in sorted(streams):
        words_here = set()
        for part, tokens in streams[slug]:
            words_here.update(t[0] for t in tokens)
            for word, a, b, _whole in tokens[1:]:
                if word in key_words and part[a].isalpha():
                    surface = part[a:b]
                    if surface.isalpha() and singular(surface.lower()) == word:
                        stats.capitalised[word] += 1 if surface[0].isupper() else -1
            for i, j in occurrences(tokens, keys, prefixes):
                key = tuple(t[0] for t in tokens[i:j])
                stats.seen[key] += 1
                stats.after[key][tokens[j][0] if j < len(tokens) else None] += 1
                stats.before[key][tokens[i - 1][0] if i > 0 else None] += 1
                if i > 0 and (text := spelling(part, tokens, i, j)):
                    spellings[key][text] += 1
        stats.word_papers.update(words_here)
    for key, raw in spellings.items():
        cased = Counter()
        for text, n in raw.items():
            cased[display_case(text)] += n
        stats.spellings[key] = cased
    return stats


def standalone_share(streams: dict[str, list[Segment]], kept: set) -> dict[tuple, float]:
    """For each kept phrase, the share of its occurrences that are not
    inside an occurrence of a longer kept phrase."""
    prefixes = {k[:n] for k in kept for n in range(1, len(k) + 1)}
    total, alone = Counter(), Counter()
    for slug in sorted(streams):
        for _part, tokens in streams[slug]:
            spans = list(occurrences(tokens, kept, prefixes))
            for i, j in spans:
                key = tuple(t[0] for t in tokens[i:j])
                total[key] += 1
                if not any(a <= i and j <= b and (b - a) > (j - i) for a, b in spans):
                    alone[key] += 1
    return {k: alone[k] / total[k] for k in total}


def topic(key: tuple[str, ...], kept: set) -> tuple[str, ...]:
    """The key if kept, else its longest kept ending: English puts the head
    last, so "neural contextual bandits" is about "contextual bandits" and
    "hard reasoning tasks" about "reasoning tasks"."""
    for n in range(len(key), 0, -1):
        if key[-n:] in kept:
            return key[-n:]
    return ()


def prefixes_of(keys: set) -> set:
    return {k[:n] for k in keys for n in range(1, len(k) + 1)}


def mentions(
    title: list[Segment], text: list[Segment], kept: set, prefixes: set
) -> list[tuple[str, ...]]:
    """Kept phrases that stand alone (not inside a longer kept phrase) in
    the title, then those said at least twice in the text, most said first.
    prefixes: prefixes_of(kept)."""

    def alone(stream: list[Segment]) -> Counter:
        found = Counter()
        for _part, tokens in stream:
            spans = list(occurrences(tokens, kept, prefixes))
            for i, j in spans:
                if not any(a <= i and j <= b and (b - a) > (j - i) for a, b in spans):
                    found[tuple(t[0] for t in tokens[i:j])] += 1
        return found

    in_title = sorted(alone(title))
    in_text = alone(text)
    said_twice = sorted((k for k, n in in_text.items() if n >= 2), key=lambda k: (-in_text[k], k))
    return in_title + [k for k in said_twice if k not in in_title]


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
        if sum(after[w] for w in DETERMINERS) >= VERB_SHARE * seen:
            return True
        continued = sum(n for w, n in after.items() if w is not None and w not in STOPWORDS)
        return continued >= LONE_MODIFIER_SHARE * seen
    return False


def _top(counter: Counter) -> tuple[str | None, int]:
    return min(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))


def is_truncated(key: tuple[str, ...], stats: PhraseStats) -> bool:
    """Almost always followed, or preceded, by the same word: "large
    language" (model), "gaussian splatting" (after 3D); or almost always
    followed by some noun, so a modifier, not a topic: "weak" (supervision,
    learners), "real-world" (data, scenarios)."""
    seen = stats.seen[key]
    if seen < TRUNCATED_MIN_SEEN:
        return False
    for side in (stats.after[key], stats.before[key]):
        word, n = _top(side)
        if word is not None and n >= TRUNCATED_SHARE * seen:
            return True
    continued = sum(n for w, n in stats.after[key].items() if w is not None and w not in STOPWORDS)
    return continued >= MODIFIER_SHARE * seen


# ---------------------------------------------------------------- build


@dataclass
class TagResult:
    tags: list[Tag]  # sorted by slug
    paper_tags: dict[str, list[str]]  # paper slug -> tag slugs, best first
    paper_keywords: dict[str, list[str]]  # paper slug -> keywords to show


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


def build_tags(
    paper_keywords: dict[str, list[str]],
    paper_texts: dict[str, str],
    paper_titles: dict[str, str],
    rules: TagRules | None = None,
) -> TagResult:
    """paper slug -> keyword candidates (best first), its text (title and
    abstract) and its title  =>  tags, each paper's tags (best first) and
    the keywords to show on its page."""
    slugs = sorted(paper_keywords)
    table = acronym_table({s: paper_texts.get(s, "") for s in slugs})
    merge, banned, display, keep = resolve_rules(rules or TagRules(), table.corpus)
    long_forms = {k for k in table.long_names if k not in TRIM_END}  # not "SOTA"
    acronyms = {s: table.for_paper(s) for s in slugs}

    # Candidates per paper, best first, one per key.
    cands: dict[str, dict[tuple[str, ...], str]] = {}
    for slug in slugs:
        seen: dict[tuple[str, ...], str] = {}
        for keyword in paper_keywords[slug]:
            key, text = candidate(keyword, acronyms[slug], long_forms)
            seen.setdefault(key, text)
        seen.pop((), None)
        cands[slug] = seen
    shared = Counter(key for slug in slugs for key in cands[slug])
    pool = {key for key, n in shared.items() if n >= MIN_PAPERS_PER_TAG} | keep

    streams = {s: segments(paper_texts.get(s, ""), acronyms[s]) for s in slugs}
    stats = measure(streams, pool)
    generic = generic_words(stats, len(slugs))
    title_papers = Counter(
        w for s in slugs for w in set(canonical_words(paper_titles.get(s, ""))) if (w,) in pool
    )

    def dropped(key: tuple[str, ...], stats: PhraseStats) -> bool:
        if key in banned:
            return True
        if key in keep:
            return False
        return (
            is_generic(key, generic, long_forms)
            or is_truncated(key, stats)
            or is_lone_word(key, stats, title_papers)
        )

    kept = {key for key in pool if not dropped(key, stats)}
    alone = standalone_share(streams, kept)
    kept = {k for k in kept if k in keep or alone.get(k, 1.0) >= CONTAINED_SHARE}
    merge = {
        **compound_merges(Counter({k: shared[k] for k in kept})),
        **{k: k[:-1] for k in kept if k[-1] in GENERIC_HEADS and k[:-1] in kept},
        **merge,
    }
    # A kept phrase in a paper's title, or said twice in its text, is a
    # candidate too, after YAKE's: the corpus vouches for it.
    titles = {s: segments(paper_titles.get(s, ""), acronyms[s]) for s in slugs}
    kept_prefixes = prefixes_of(kept)
    for s in slugs:
        for key in mentions(titles[s], streams[s], kept, kept_prefixes):
            cands[s].setdefault(key, "")

    def final(key: tuple[str, ...]) -> tuple[str, ...]:
        seen = {key}  # follow "continual learning methods" -> "continual learning" -> ...
        while key in merge and merge[key] not in seen:
            key = merge[key]
            seen.add(key)
        return () if key in banned else key

    # Each paper's tag keys, best first. A key is a tag while two papers
    # carry it; a paper keeps TAGS_PER_PAPER, so dropping a tag can leave
    # another with one paper: repeat until nothing changes.
    ranked = {
        s: list(dict.fromkeys(filter(None, (final(topic(k, kept)) for k in cands[s]))))
        for s in slugs
    }
    vocabulary = {k for keys in ranked.values() for k in keys}
    while True:
        chosen = {s: [k for k in ranked[s] if k in vocabulary][:TAGS_PER_PAPER] for s in slugs}
        members = Counter(k for keys in chosen.values() for k in keys)
        smaller = {k for k in vocabulary if members[k] >= MIN_PAPERS_PER_TAG}
        if smaller == vocabulary:
            break
        vocabulary = smaller

    # Spellings of a tag: the texts' outweigh the candidates'; a merged
    # tag is spelled like its target when the target was seen itself.
    spelled: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    merged: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for s in slugs:
        for key, text in cands[s].items():
            if text:
                (spelled[key] if final(key) == key else merged[final(key)])[text] += 1
    for key, counter in stats.spellings.items():
        (spelled[key] if final(key) == key else merged[final(key)]).update(counter)
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
    shown = {
        s: [
            proper_case(w, proper)
            for w in shown_keywords(
                chosen[s], cands[s], streams[s], spellings, kept, pool, dropped, final
            )
        ]
        for s in slugs
    }
    return TagResult(tags, paper_tags, shown)


def shown_keywords(chosen, cands, stream, names, kept, pool, dropped, final) -> list[str]:
    """A paper's tags, then its other candidates that pass the same filters,
    measured on its own text when the corpus has too few of them."""
    own = measure({"": stream}, {k for k in cands if k not in pool})
    words = [names[k] for k in chosen]
    keys = list(chosen)
    for key, text in cands.items():
        if len(words) >= KEYWORDS_SHOWN:
            break
        target = final(key)
        if not target or target in keys or any(_inside(target, k) for k in keys):
            continue
        if key in pool and target not in kept:
            continue
        if key not in pool and dropped(key, own):
            continue
        keys.append(target)
        words.append(names.get(target, text))
    return words


def _inside(short: tuple, long: tuple) -> bool:
    n = len(short)
    return n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def unique_slugs(keys: set) -> dict[tuple[str, ...], str]:
    """Key -> slug; the rare clash is broken by a number, in key order."""
    out, taken = {}, set()
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
    name = _top(spellings)[0] if spellings else " ".join(key)
    if key in table.long_names and " " not in name and is_acronym(short_form_key(name)):
        name = f"{_top(table.long_names[key])[0]} ({name})"
    return proper_case(name, proper)


def proper_case(phrase: str, proper: set) -> str:
    """Names the texts capitalise inside sentences keep their capital."""
    return re.sub(
        r"[A-Za-z]+",
        lambda m: m[0].capitalize() if m[0].islower() and singular(m[0]) in proper else m[0],
        phrase,
    )
