"""Long listings (a tag's papers, the papers with code) cut into pages a
reader can load.

One page listing every paper of a tag grows with the archive: at 20,000
synthetic papers the largest tag page was 4.9 MB, and the papers-with-code
page 3.4 MB. A listing's own page lists its newest papers; the older ones
go on pages of PAGE_SIZE papers counted from the oldest, so they keep
their papers, and their addresses, as dumps are added: a new dump changes
the listing's own page, and adds an older page each PAGE_SIZE papers,
instead of every page of a large listing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Archive

PAGE_SIZE = 50  # papers per older page; the listing's own page holds up to twice as many


def first_listed(archive: Archive) -> dict[str, tuple[int, int]]:
    """Paper slug -> (the place of the dump it was first listed in, its
    line there): what every newest-first order reads."""
    numbers = {d.name: i for i, d in enumerate(archive.dumps)}
    return {p.slug: (numbers[p.first_dump], p.first_line) for p in archive.papers}


def newest_first_key(dump: int, line: int, slug: str) -> tuple[int, int, str]:
    """Latest first dump first; within a dump, in listing order."""
    return -dump, line, slug


@dataclass(frozen=True)
class ListingPage:
    number: int  # 0: the listing's own page; 1, 2...: older pages, 1 holding the oldest papers
    first: int  # its oldest paper's place in the listing, counted from 1 at the oldest
    last: int  # its newest paper's place
    papers: list[str]  # slugs, newest first


def listing_pages(
    papers: list[str], dated: Callable[[str], tuple[int, int]], size: int = PAGE_SIZE
) -> list[ListingPage]:
    """The listing's own page, then its older pages from the newest to the oldest.
    dated: a paper's (dump number, line) where it was first listed; later
    dumps are newer, and within a dump papers keep their listing order. The
    own page holds the papers past the older pages: from size to 2 x size - 1
    of them, or all of a listing with fewer than 2 x size."""
    oldest_first = sorted((*dated(s), s) for s in papers)  # (dump, line, slug)
    older = max(0, len(oldest_first) // size - 1)

    def newest_first(run: list[tuple[int, int, str]]) -> list[str]:
        return [s for _, _, s in sorted(run, key=lambda k: newest_first_key(*k))]

    own = oldest_first[older * size :]
    pages = [ListingPage(0, older * size + 1, len(oldest_first), newest_first(own))]
    for number in range(older, 0, -1):
        run = oldest_first[(number - 1) * size : number * size]
        pages.append(ListingPage(number, (number - 1) * size + 1, number * size, newest_first(run)))
    return pages


def page_path(base: str, number: int) -> str:
    """Page path under site_src of a listing at base (tags/<slug>, code):
    base.md, its older pages base/<n>.md (addresses base/ and base/<n>/)."""
    return f"{base}.md" if number == 0 else f"{base}/{number}.md"


@dataclass(frozen=True)
class PagerLink:
    rel: str  # "newer" or "older"
    number: int  # the page it leads to; 0: the listing's own page
    label: str


def pager(listing: list[ListingPage], at: int) -> tuple[PagerLink, ...]:
    """Links from listing[at] to the listing's other pages: from its own
    page to every older one; from an older page to the next newer and the
    next older. An older page's links change only when a newer older page
    is added."""
    if at == 0:
        return tuple(PagerLink("older", p.number, _label(p)) for p in listing[1:])
    links = [PagerLink("newer", listing[at - 1].number, _label(listing[at - 1]))]
    if at + 1 < len(listing):
        links.append(PagerLink("older", listing[at + 1].number, _label(listing[at + 1])))
    return tuple(links)


def _label(page: ListingPage) -> str:
    return "newest papers" if page.number == 0 else f"papers {page.first}\u2013{page.last}"
