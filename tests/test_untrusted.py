"""Dump text is untrusted: a hostile dump builds, and every string reads literally."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.merge import merge_entries
from generator.parse import read_dumps
from tests.conftest import make_project, run_generator
from tests.sitecheck import page_text, parse_page

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "---",
    "{{ config }}",
    "{% raw %}",
    "| a | b |",
    "*star* and **strong**",
    "_under_ and __dunder__",
    "# Heading",
]
FILLER = (
    "This abstract is long enough to be read as an abstract by the parser, and it "
    "repeats a hostile string inside its text so that the body is tested as well: "
)


def hostile_dump() -> str:
    lines = [
        "Get trending papers in your email inbox once a day!",
        "Get trending papers in your email inbox!",
    ]
    for i, evil in enumerate(HOSTILE):
        title = evil if i % 2 == 0 else f"Paper {i} {evil}"
        lines += [("Subscribe" if i == 0 else "") + title, f"{FILLER}{evil} end {i}. " + FILLER]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile"), {"001_hostile.txt": hostile_dump()})
    result = run_generator(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return root


def all_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_hostile_entry_became_a_paper(hostile_site):
    dumps = read_dumps(hostile_site / "dumps")
    assert dumps[0].errors == []
    papers, _ = merge_entries(dumps)
    assert len(papers) == len(HOSTILE)


def test_no_live_script_handler_or_javascript_link(hostile_site):
    for page in all_pages(hostile_site / "site"):
        for tag, attrs in parse_page(page).elements:
            for name, value in attrs.items():
                assert not name.startswith("on"), f"{page}: <{tag} {name}={value}>"
                if name in ("href", "src", "action"):
                    assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (
                        page
                    )
            if tag == "img":
                assert attrs.get("src") != "x", f"{page}: injected <img>"
        html = page.read_text()
        assert "<script>alert" not in html and "<img src=x" not in html


def test_hostile_text_reads_literally_on_paper_pages(hostile_site):
    papers, _ = merge_entries(read_dumps(hostile_site / "dumps"))
    for paper, evil in zip(sorted(papers, key=lambda p: p.first_line), HOSTILE, strict=True):
        page = hostile_site / "site/papers" / paper.slug / "index.html"
        text = page_text(page)
        assert paper.title in text, paper.title
        assert f"{evil} end" in text, evil  # the abstract keeps it verbatim
        # The browser tab title shows it literally too.
        [title] = [
            t for t in parse_page(page).text if paper.title in t and "Paper archive" in t
        ] or [None]
        assert title is not None, f"<title> of {page} does not read {paper.title!r}"


def test_markdown_syntax_in_titles_stays_text(hostile_site):
    site = hostile_site / "site"
    made_from_markdown = [
        "<em>star</em>",
        "<strong>strong</strong>",
        "<em>under</em>",
        "<strong>dunder</strong>",
        "<h1>Heading",
        '<h1 id="heading"',
        "<td>a</td>",
        "<hr",
    ]
    for page in all_pages(site):
        if page.parent.name == "about":  # hand-written Markdown
            continue
        html = page.read_text()
        for markup in made_from_markdown:
            assert markup not in html, f"{page}: {markup}"
    dump_page = page_text(site / "dumps/001_hostile/index.html")
    for evil in HOSTILE:
        assert evil in dump_page
