"""Stage 2, merge: entries from every dump -> unique papers with stable slugs.

One paper per normalised title (case, punctuation and spacing ignored).
The slug comes from the title alone. When two different papers slugify
alike, the one seen in the earliest dump keeps the plain slug and the
other gets a suffix from a hash of its own normalised title, so adding
later dumps never moves an existing page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from slugify import slugify

from .models import INDEX_NAME, Dump, Entry, Paper, Problem

SLUG_MAX_LENGTH = 80
# Runs of what str.isalnum() refuses: \w is exactly isalnum plus "_".
NOT_ALNUM = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return NOT_ALNUM.sub(" ", text).strip()


# A title recurs in many dumps and merge, the accounting and the dump pages
# each ask for its key: computed once per title.
@lru_cache(maxsize=1 << 18)
def paper_key(title: str) -> str:
    """What unites entries into one paper: the normalised title, or the
    title as written when it is all symbols (it normalises to "")."""
    return normalise_title(title) or title


def title_hash(title: str) -> str:
    # A title of symbols only normalises to "": hash it as written instead,
    # so that different symbol titles get different slugs.
    key = normalise_title(title) or unicodedata.normalize("NFKC", title)
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def base_slug(title: str) -> str:
    slug = slugify(title, max_length=SLUG_MAX_LENGTH, word_boundary=True)
    # papers/index.md would be published at papers/, not papers/index/.
    return slug if slug and slug != INDEX_NAME else f"paper-{title_hash(title)}"


def merge_entries(
    dumps: list[Dump], slug_of: Callable[[str], str] = base_slug
) -> tuple[list[Paper], list[Problem]]:
    """Papers sorted by slug, plus warnings for repeats that disagree.
    slug_of: base_slug, or a memo of it (memo.py)."""
    by_key: dict[str, Paper] = {}
    first_entry: dict[str, Entry] = {}
    warnings: list[Problem] = []
    for dump in dumps:
        for entry in dump.entries:
            key = paper_key(entry.title)
            paper = by_key.get(key)
            if paper is None:
                by_key[key] = Paper(
                    slug="",
                    title=entry.title,
                    abstract=entry.abstract,
                    dumps=[dump.name],
                    first_line=entry.line,
                )
                first_entry[key] = entry
                continue
            if dump.name not in paper.dumps:
                paper.dumps.append(dump.name)
            first = first_entry[key]
            if entry.abstract != first.abstract and (
                " ".join(entry.abstract.split()) != " ".join(first.abstract.split())
            ):
                warnings.append(
                    Problem(
                        dump.path,
                        entry.line,
                        f"same title as {first.dump}:{first.line} but a different abstract;"
                        " the first one is kept",
                        "warning",
                    )
                )
    assign_slugs(list(by_key.values()), slug_of)
    return sorted(by_key.values(), key=lambda p: p.slug), warnings


def assign_slugs(papers: list[Paper], slug_of: Callable[[str], str] = base_slug) -> None:
    """papers arrive in first-seen order; the earliest keeps a contested slug."""
    taken: set[str] = set()
    for paper in papers:
        slug = slug_of(paper.title)
        if slug in taken:
            slug = f"{slug}-{title_hash(paper.title)}"
        while slug in taken:  # only if two hashes collide: practically never
            slug = f"{slug}-x"
        taken.add(slug)
        paper.slug = slug
