"""Plain data passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field

# MkDocs publishes <folder>/index.md at <folder>/: the generated folders'
# index pages (the lists of tags and of dumps) own that name, so no paper,
# tag or dump may take it.
INDEX_NAME = "index"


@dataclass(frozen=True)
class Problem:
    """Something wrong in a dump, located at file:line."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" (entry rejected) or "warning" (kept)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """One title + abstract as it appears in one dump."""

    dump: str  # dump name: the file name without ".txt"
    line: int  # 1-based line of the title
    title: str
    abstract: str


@dataclass
class Dump:
    """A parsed dump file."""

    name: str
    path: str
    layout: str  # "packed", "daily" or "unknown"
    listing_date: str | None
    entries: list[Entry]
    problems: list[Problem] = field(default_factory=list)
    entries_read: int = 0  # entries + rejected; defined in parse.py
    # one per rejected entry, also in problems
    rejected: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class Paper:
    """A unique paper, merged from every entry with the same normalised title."""

    slug: str
    title: str
    abstract: str
    dumps: list[str]  # every dump it appears in, in dump order
    first_line: int  # line of the first entry, in dumps[0]
    text: str = ""  # abstract cleaned of LaTeX remnants
    links: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # tag slugs
    related: list[str] = field(default_factory=list)  # slugs, most similar first

    @property
    def first_dump(self) -> str:
        return self.dumps[0]

    @property
    def code_links(self) -> list[str]:
        """Links to a code repository. Found once per list of links:
        rendering asks some 13 times per paper (its page, listings, related
        lists, fingerprints); new links are looked at again. (Kept beside
        the links it was found in, not cleared by a __setattr__, which
        would cost every attribute set of every paper.)"""
        kept = self.__dict__.get("_code_links")
        if kept is None or kept[0] is not self.links:
            from .clean import is_code_link

            kept = (self.links, [url for url in self.links if is_code_link(url)])
            self.__dict__["_code_links"] = kept
        return kept[1]


@dataclass
class Tag:
    slug: str
    name: str
    papers: list[str]  # paper slugs, sorted


@dataclass
class Archive:
    """Everything the renderer needs."""

    dumps: list[Dump]
    papers: list[Paper]  # sorted by slug
    tags: list[Tag]  # sorted by slug
