"""Stage 3c, tags: per-paper YAKE keywords -> a shared tag vocabulary.

A keyword becomes a tag only when two or more papers share it (after
canonicalisation), so every tag page lists at least two papers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from slugify import slugify

from .models import Tag

KEYWORDS_SHOWN = 8
TAGS_PER_PAPER = 6
MIN_PAPERS_PER_TAG = 2
GENERIC = {
    "learning",
    "models",
    "model",
    "data",
    "method",
    "methods",
    "approach",
    "results",
    "performance",
    "task",
    "tasks",
    "paper",
    "work",
    "framework",
    "training",
    "efficient",
    "large",
    "existing",
    "propose",
    "proposed",
    "novel",
    "based",
    "show",
    "achieve",
    "state-of-the-art",
    "experiments",
    "extensive experiments",
    "comprehensive survey",
}
NO_SINGULAR = {
    "data",
    "physics",
    "lens",
    "bus",
    "series",
    "analysis",
    "gas",
    "news",
    "species",
    "mathematics",
    "dynamics",
    "robotics",
    "graphics",
    "ethics",
    "semantics",
}


def singular(word: str) -> str:
    low = word.lower()
    if low in NO_SINGULAR or len(low) <= 3 or not low.endswith("s") or word.isupper():
        return word
    if low.endswith(("ss", "us", "is")):
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if low.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def canonical(keyword: str) -> str:
    """Case, hyphen/space and plural of the last word do not make a new tag."""
    words = re.sub(r"[-\u2010-\u2015]", " ", keyword).split()
    if not words:
        return ""
    words[-1] = singular(words[-1])
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in words)


def tag_slug(name: str) -> str:
    return slugify(name) or "tag"


def is_candidate(keyword: str) -> bool:
    low = keyword.lower()
    return low not in GENERIC and len(low) > 2 and not low.isdigit()


def build_tags(paper_keywords: dict[str, list[str]]) -> tuple[list[Tag], dict[str, list[str]]]:
    """paper slug -> keywords (best first)  =>  tags sorted by slug, and
    paper slug -> its tag slugs (best first)."""
    candidates: dict[str, list[str]] = {}
    spellings: dict[str, Counter] = defaultdict(Counter)
    for slug in sorted(paper_keywords):
        seen: list[str] = []
        for keyword in paper_keywords[slug]:
            if not is_candidate(keyword):
                continue
            key = canonical(keyword).lower()
            if key and key not in seen:
                seen.append(key)
                spellings[key][canonical(keyword)] += 1
        candidates[slug] = seen
    counts = Counter(key for keys in candidates.values() for key in keys)
    vocabulary = {key for key, n in counts.items() if n >= MIN_PAPERS_PER_TAG}
    # Display name: the most common spelling, ties broken alphabetically.
    names = {
        key: min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0] for key in vocabulary
    }
    slugs = {key: tag_slug(key) for key in vocabulary}
    paper_tags: dict[str, list[str]] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for slug, keys in candidates.items():
        chosen = [slugs[k] for k in keys if k in vocabulary][:TAGS_PER_PAPER]
        paper_tags[slug] = chosen
        for tag in chosen:
            members[tag].append(slug)
    # The per-paper cap can leave a tag with one paper: such a tag has no
    # page worth showing, so it goes.
    lonely = {tag for tag, papers in members.items() if len(papers) < MIN_PAPERS_PER_TAG}
    for slug in paper_tags:
        paper_tags[slug] = [t for t in paper_tags[slug] if t not in lonely]
    for tag in lonely:
        del members[tag]
    by_slug = {slugs[k]: names[k] for k in vocabulary}
    tags = [Tag(s, by_slug[s], sorted(members[s])) for s in sorted(members)]
    return tags, paper_tags
