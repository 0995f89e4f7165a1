"""listings alone: a long listing cut into its own page and older pages."""

from __future__ import annotations

from generator.listings import listing_pages, pager


def dated_by_number(slug: str) -> tuple[int, int]:
    """Papers named p0007: dump 7 // 10, line 7 % 10 (p0000 the oldest)."""
    n = int(slug[1:])
    return n // 10, n % 10


def papers(count: int) -> list[str]:
    return [f"p{n:04d}" for n in range(count)]


def test_every_paper_is_on_one_page_newest_first():
    for count in (1, 49, 50, 99, 100, 101, 160, 1234):
        shuffled = sorted(papers(count), key=lambda s: s[::-1])  # not in date order
        pages = listing_pages(shuffled, dated_by_number, size=50)
        listed = [s for page in pages for s in page.papers]
        assert sorted(listed) == papers(count)
        # Own page first, then older and older: newest dump first, each in listing order.
        by_dump = sorted(papers(count), key=lambda s: (-dated_by_number(s)[0], s))
        assert listed == by_dump
        own, older = pages[0], pages[1:]
        assert own.number == 0 and own.last == count
        assert min(count, 50) <= len(own.papers) <= 99
        assert [p.number for p in older] == list(range(len(older), 0, -1))
        for page in older:
            assert len(page.papers) == 50 == page.last - page.first + 1
            assert set(page.papers) == set(papers(count)[page.first - 1 : page.last])


def test_within_a_dump_papers_keep_their_listing_order():
    slugs = ["z", "a", "m"]
    dated = {"z": (1, 5), "a": (1, 9), "m": (0, 1)}.__getitem__
    assert listing_pages(slugs, dated, size=50)[0].papers == ["z", "a", "m"]


def test_a_new_dump_changes_the_own_page_and_leaves_older_pages_as_they_were():
    before = {p.number: p for p in listing_pages(papers(1234), dated_by_number, size=50)}
    after = {p.number: p for p in listing_pages(papers(1260), dated_by_number, size=50)}
    assert after[0] != before[0]
    assert after.keys() == before.keys() | {24}  # one older page more
    assert all(after[n] == before[n] for n in before if n)


def test_pager_links_the_own_page_to_every_older_page_and_older_pages_to_their_neighbours():
    pages = listing_pages(papers(260), dated_by_number, size=50)  # own page: papers 201-260
    assert [p.number for p in pages] == [0, 4, 3, 2, 1]
    own = pager(pages, 0)
    assert [(link.rel, link.number, link.label) for link in own] == [
        ("older", 4, "papers 151\u2013200"),
        ("older", 3, "papers 101\u2013150"),
        ("older", 2, "papers 51\u2013100"),
        ("older", 1, "papers 1\u201350"),
    ]
    assert [(link.rel, link.number) for link in pager(pages, 1)] == [
        ("newer", 0),
        ("older", 3),
    ]
    assert [(link.rel, link.number) for link in pager(pages, len(pages) - 1)] == [("newer", 2)]
    small = listing_pages(papers(99), dated_by_number, size=50)
    assert len(small) == 1 and pager(small, 0) == ()
