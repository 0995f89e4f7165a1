"""render_pages alone: plain data in, Markdown pages out (no MkDocs)."""

from __future__ import annotations

import yaml

from generator.models import Archive, Dump, Entry, Paper, Tag
from generator.render import render_pages

ABSTRACT = "First sentence of the abstract is here. Then <b>more</b> text & code at https://github.com/a/b."


def tiny_archive() -> Archive:
    dump = Dump(
        "001_x",
        "dumps/001_x.txt",
        "daily",
        "Sep 19",
        [Entry("001_x", 13, "A <i>Title</i>", ABSTRACT), Entry("001_x", 15, "Other", ABSTRACT)],
    )
    papers = [
        Paper(
            "a-i-title-i",
            "A <i>Title</i>",
            ABSTRACT,
            ["001_x"],
            13,
            text=ABSTRACT,
            links=["https://github.com/a/b"],
            keywords=["kw one", "kw two"],
            tags=["topic"],
        ),
        Paper("other", "Other", ABSTRACT, ["001_x"], 15, text=ABSTRACT, tags=["topic"]),
    ]
    return Archive([dump], papers, [Tag("topic", "Topic", ["a-i-title-i", "other"])])


def split(page: str) -> tuple[dict, str]:
    _, front, body = page.split("---\n", 2)
    return yaml.safe_load(front), body


def test_every_page_exists():
    pages = render_pages(tiny_archive())
    assert sorted(pages) == [
        "code.md",
        "dumps/001_x.md",
        "dumps/index.md",
        "index.md",
        "papers/a-i-title-i.md",
        "papers/other.md",
        "stats.md",
        "tags/index.md",
        "tags/topic.md",
    ]


def test_paper_page_front_matter_and_body():
    meta, body = split(render_pages(tiny_archive())["papers/a-i-title-i.md"])
    assert meta["title"] == "A &lt;i&gt;Title&lt;/i&gt;"  # Material prints titles unescaped
    assert (
        '<h1 class="pa-paper__title" data-pagefind-weight="10" data-pagefind-meta="title">'
        "A &lt;i&gt;Title&lt;/i&gt;</h1>" in body
    )
    assert "Then &lt;b&gt;more&lt;/b&gt; text &amp; code" in body
    assert '<a href="https://github.com/a/b"' in body
    assert '<a class="pa-tag" href="../../tags/topic/" data-pagefind-filter="tag">Topic</a>' in body
    assert '<a href="../../dumps/001_x/" data-pagefind-filter="dump">001_x</a> (Sep 19)' in body
    assert "<li>kw one</li><li>kw two</li>" in body
    assert "Code</span>" in body


def test_body_is_one_raw_html_block():
    """A blank line would end the HTML block and let Markdown read the rest."""
    for name, page in render_pages(tiny_archive()).items():
        _, body = split(page)
        assert "\n\n" not in body.strip(), name
        assert body.lstrip().startswith("<"), name


def test_listing_pages_link_relative_to_their_depth():
    pages = render_pages(tiny_archive())
    assert 'href="../../papers/other/"' in pages["tags/topic.md"]
    assert 'href="topic/"' in pages["tags/index.md"]
    assert 'href="001_x/"' in pages["dumps/index.md"]
    assert 'href="papers/other/"' in pages["index.md"]
    assert "First sentence of the abstract is here." in pages["tags/topic.md"]
    assert "Then" not in pages["tags/topic.md"].split("pa-item__lead")[1].split("</p>")[0]


def test_a_paper_titled_in_symbols_only_is_listed_on_its_dump_page():
    title = "∑∏∫ ≈ ∞"  # normalises to "": its key is the title as written
    dump = Dump("001_x", "dumps/001_x.txt", "packed", None, [Entry("001_x", 3, title, ABSTRACT)])
    paper = Paper("paper-1a2b3c4d", title, ABSTRACT, ["001_x"], 3, text=ABSTRACT)
    pages = render_pages(Archive([dump], [paper], []))
    assert 'href="../../papers/paper-1a2b3c4d/"' in pages["dumps/001_x.md"]


def linked_archive() -> Archive:
    """Two dumps, three papers that relate to each other, two tags."""
    second = Dump("002_y", "dumps/002_y.txt", "packed", None, [Entry("002_y", 2, "Third", "T.")])
    archive = tiny_archive()
    archive.dumps.append(second)
    first, other = archive.papers
    first.related, other.related = ["other", "third"], ["a-i-title-i"]
    first.dumps = ["001_x", "002_y"]
    third = Paper("third", "Third", "Third one. More.", ["002_y"], 2, text="Third one. More.")
    third.links, third.tags = ["https://gitlab.com/c/d"], ["topic", "extra"]
    other.tags = ["topic", "extra"]
    archive.papers.append(third)
    archive.tags[0].papers.append("third")
    archive.tags.append(Tag("extra", "Extra", ["other", "third"]))
    return archive


def changed_value(value):
    """Another value of the same kind, or None when there is none to make."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value + " changed"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [*value[1:], "https://github.com/new/repo"]
    return None  # a list of entries or problems: not shown on these pages


LINKS = {
    "papers": ("slug", "tags", "dumps", "related"),
    "tags": ("slug", "papers"),
    "dumps": ("name",),
}


def test_a_paper_or_tag_page_changes_only_when_its_inputs_do():
    """render_runs skips a paper, tag, dump or code page, or a tag's feed, whose
    inputs (Page.inputs) are the last build's. Every field of the paper, of the
    papers it relates to or lists, of their tags and of their dumps is
    changed in turn: each change that changes a page changes its inputs."""
    import copy
    from dataclasses import fields

    from generator.render import Page, file_units, page_units

    def pages(archive, site_url="https://example.org/a/") -> dict[str, tuple[str, tuple]]:
        units = page_units(archive) + file_units(archive, site_url)
        units = [u for u in units if isinstance(u, Page) and u.inputs]
        return {u.path: (u.render(), u.inputs()) for u in units}

    base = pages(linked_archive())
    kinds = ("papers/", "tags/", "dumps/", "feeds/tags/", "code.md")
    assert {p for p in base if p.startswith(kinds)} == set(base)
    assert len(base) == 10
    shown = missed = 0
    for kind in ("papers", "tags", "dumps"):
        for index in range(len(getattr(linked_archive(), kind))):
            for f in fields(getattr(linked_archive(), kind)[index]):
                archive = copy.deepcopy(linked_archive())
                item = getattr(archive, kind)[index]
                new = changed_value(getattr(item, f.name))
                if new is None or f.name in LINKS[kind]:
                    continue  # links between items: changed together below
                setattr(item, f.name, new)
                for path, (text, inputs) in pages(archive).items():
                    if path in base and text != base[path][0]:  # a new path: rendered anyway
                        shown += 1
                        missed += inputs == base[path][1]
    # Links: a paper leaves a tag, a related paper drops, a dump is renamed
    # (the same number, then another: feeds date papers by dump number), a
    # paper is first seen in a later dump; then the site moves.
    for change in ("tag", "related", "001_z", "005_x", "first dump", "new elsewhere", "site"):
        archive, url = linked_archive(), "https://example.org/a/"
        first = archive.papers[0]
        if change == "tag":
            first.tags = []
            archive.tags[0].papers.remove(first.slug)
        elif change == "related":
            first.related = first.related[:1]
        elif change == "first dump":
            first.dumps = first.dumps[1:]
        elif change == "new elsewhere":  # as many new papers per dump, not the same ones
            first.dumps = ["002_y", "001_x"]
            archive.papers[2].dumps = ["001_x", "002_y"]
        elif change == "site":
            url = "https://example.org/b/"
        else:
            archive.dumps[0].name = change
            for paper in archive.papers:
                paper.dumps = [change if d == "001_x" else d for d in paper.dumps]
        for path, (text, inputs) in pages(archive, url).items():
            if path in base and text != base[path][0]:
                shown += 1
                missed += inputs == base[path][1]
    assert shown > 25
    assert missed == 0


def test_a_large_tag_is_listed_on_pages_that_link_to_each_other():
    """160 papers of one tag, 40 per dump: the tag's page lists the newest
    60, newest dump first; two older pages of 50 each; every link on them
    leads to a page of the site."""
    import posixpath
    import re

    dumps, papers = [], []
    for d in range(4):
        name = f"00{d}_x"
        entries = [Entry(name, 10 + i, f"Paper {d} {i}", ABSTRACT) for i in range(40)]
        dumps.append(Dump(name, f"dumps/{name}.txt", "daily", None, entries))
        for i in range(40):
            slug = f"paper-{d}-{i:02d}"
            papers.append(Paper(slug, f"Paper {d} {i}", ABSTRACT, [name], 10 + i, text=ABSTRACT))
            papers[-1].tags = ["topic", "other"] if i % 2 else ["topic"]
    tags = [
        Tag("other", "Other", sorted(p.slug for p in papers if "other" in p.tags)),
        Tag("topic", "Topic", sorted(p.slug for p in papers)),
    ]
    pages = render_pages(Archive(dumps, sorted(papers, key=lambda p: p.slug), tags))
    assert {p for p in pages if p.startswith("tags/topic")} == {
        "tags/topic.md",
        "tags/topic/1.md",
        "tags/topic/2.md",
    }

    def listed(path: str) -> list[str]:
        return re.findall(r'class="pa-item__title" href="[./]*papers/([^/"]+)/"', pages[path])

    own = listed("tags/topic.md")
    assert own[:40] == [f"paper-3-{i:02d}" for i in range(40)]
    assert own[40:] == [f"paper-2-{i:02d}" for i in range(20, 40)]
    assert len(listed("tags/topic/2.md")) == len(listed("tags/topic/1.md")) == 50
    assert sorted(own + listed("tags/topic/2.md") + listed("tags/topic/1.md")) == tags[1].papers
    assert "160 papers (the newest 60 here)" in pages["tags/topic.md"]
    assert "Papers 1&ndash;50 of this tag" in pages["tags/topic/1.md"]
    for path in ("tags/topic.md", "tags/topic/1.md", "tags/topic/2.md"):
        url = path.removesuffix(".md") + "/"  # use_directory_urls
        hrefs = re.findall(r'href="(\.\.[^"]*/)"', pages[path])  # pages, not the feed
        assert len(hrefs) > 50
        for href in hrefs:
            target = posixpath.normpath(posixpath.join(url, href))
            assert f"{target}.md" in pages or f"{target}/index.md" in pages, (path, href)
    pager = re.findall(
        r'href="([^"]*)">(newest papers|papers [0-9\u2013]+)<', pages["tags/topic/1.md"]
    )
    assert pager == [  # the count line's link, then the pager's: no older page
        ("../../../tags/topic/", "newest papers"),
        ("../../../tags/topic/2/", "papers 51\u2013100"),
    ]
