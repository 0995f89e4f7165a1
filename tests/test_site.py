"""A real `mkdocs build --strict` of the seed dumps, read like a reader would."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from generator.merge import merge_entries
from generator.parse import read_dumps
from tests.conftest import ROOT, make_project, run_generator
from tests.sitecheck import broken_links, page_text, parse_page

SEED_NEWEST = "004_cc7c0150dadd3a92"


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def links_in(page: Path, css_class: str) -> list[str]:
    return [
        a["href"]
        for tag, a in parse_page(page).elements
        if tag == "a" and css_class in a.get("class", "").split()
    ]


def test_build_makes_a_page_per_paper_tag_and_dump(seed_site):
    site = seed_site / "site"
    papers = [p for p in (site / "papers").iterdir() if (p / "index.html").exists()]
    assert len(papers) == 591
    tag_pages = [p for p in (site / "tags").iterdir() if (p / "index.html").exists()]
    tags_index = site / "tags" / "index.html"
    listed = re.findall(r'<li><a href="([^"/]+)/">', tags_index.read_text())
    assert len(tag_pages) == len(listed) > 100
    assert sorted(p.name for p in (site / "dumps").iterdir() if p.is_dir()) == sorted(
        p.stem for p in (ROOT / "dumps").glob("*.txt")
    )
    for name in ("index.html", "about/index.html", "404.html"):
        assert (site / name).exists()


def test_no_internal_link_is_broken(seed_site):
    assert broken_links(seed_site / "site") == []


def test_paper_page_shows_everything_about_the_paper(seed_site):
    page = (
        seed_site
        / "site/papers/ship-in-sight-diffusion-models-for-ship-image-super-resolution/index.html"
    )
    text = page_text(page)
    assert "Ship in Sight: Diffusion Models for Ship-Image Super Resolution" in text
    assert "mostly from ShipSpotting www.shipspotting.com website" in text  # \url{} cleaned
    assert "\\url" not in page.read_text()
    assert "Keywords" in text and "Tags" in text
    tags = links_in(page, "pa-tag")
    assert len(tags) >= 1 and all(h.startswith("../../tags/") for h in tags)
    hrefs = [a.get("href") for tag, a in parse_page(page).elements if tag == "a"]
    assert "https://www.shipspotting.com" in hrefs
    assert "../../dumps/000_e11b7e261620048d/" in hrefs


def test_abstract_links_are_clickable(seed_site):
    papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
    linked = 0
    for paper in papers:
        html = (seed_site / "site/papers" / paper.slug / "index.html").read_text()
        if '<section class="pa-paper__links">' in html:
            linked += 1
    assert linked == 129


def test_tag_pages_list_papers_with_lead_and_other_tags(seed_site):
    site = seed_site / "site"
    index_text = page_text(site / "tags/index.html")
    assert re.search(r"\b[A-Z]\b", index_text)  # letter headings
    counts = re.findall(
        r'<li><a href="([^"/]+)/">[^<]+</a> <span class="pa-count">(\d+)</span>',
        (site / "tags/index.html").read_text(),
    )
    assert counts and all(int(n) >= 2 for _, n in counts)
    slug, n = max(counts, key=lambda c: int(c[1]))
    tag_page = site / "tags" / slug / "index.html"

    def titles(page: Path) -> list[str]:
        return [
            a["href"].rsplit("papers/", 1)[1]
            for tag, a in parse_page(page).elements
            if tag == "a" and a.get("class") == "pa-item__title"
        ]

    # The largest tag lists its newest papers; its older ones are on pages of
    # their own (listings.py), each linked from the tag's page.
    assert int(n) >= 100
    older = sorted(
        {int(m) for m in re.findall(rf'href="[./]*tags/{slug}/(\d+)/"', tag_page.read_text())}
    )
    assert older == list(range(1, int(n) // 50))
    listed = titles(tag_page) + [
        p for k in older for p in titles(tag_page.parent / str(k) / "index.html")
    ]
    assert len(listed) == len(set(listed)) == int(n)
    assert 50 <= len(titles(tag_page)) < 100
    assert all((site / "papers" / href / "index.html").exists() for href in listed)
    assert 'class="pa-item__lead"' in tag_page.read_text()
    assert f'class="pa-tag" href="../../tags/{slug}/"' not in tag_page.read_text()  # others only


def test_dump_pages_show_date_counts_and_new_papers(seed_site):
    site = seed_site / "site"
    index_text = page_text(site / "dumps/index.html")
    assert "Sep 19" in index_text and "Mar 20" in index_text
    first = page_text(site / "dumps/000_e11b7e261620048d/index.html")
    assert "231 entries" in first and "231 new" in first.replace("papers · 231 new", "231 new")
    newest = site / f"dumps/{SEED_NEWEST}/index.html"
    html = newest.read_text()
    assert "Listing date Mar 20" in page_text(newest)
    dumps = read_dumps(ROOT / "dumps")
    papers, _ = merge_entries(dumps)
    new_here = [p for p in papers if p.first_dump == SEED_NEWEST]
    assert html.count('pa-badge--new">new<') == len(new_here) > 0


def test_home_page_has_counts_newest_papers_and_top_tags(seed_site):
    home = seed_site / "site/index.html"
    text = page_text(home)
    assert "591 papers" in text and "4 dumps" in text
    assert "New in the latest dump" in text and SEED_NEWEST in text
    assert len(links_in(home, "pa-tag")) >= 20


def test_nav_holds_home_tags_dumps_code_stats_about_only(seed_site):
    page = next((seed_site / "site/papers").iterdir()) / "index.html"
    html = page.read_text()
    nav = html[html.index("md-nav--primary") : html.index("</nav>", html.index("md-nav--primary"))]
    labels = re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', nav)
    assert labels == ["Home", "Tags", "Dumps", "Code", "Stats", "About"]
    assert "papers/" not in nav


def test_paper_page_size_does_not_grow_with_the_archive(seed_site, tmp_path):
    one_dump = ROOT / "dumps" / "002_8afe489e874394e9.txt"
    small = make_project(tmp_path, {one_dump.name: one_dump.read_text()})
    assert run_generator(small, "build").returncode == 0
    dumps = read_dumps(small / "dumps")
    papers, _ = merge_entries(dumps)
    for paper in papers[:10]:
        big_html = (seed_site / "site/papers" / paper.slug / "index.html").read_text()
        small_html = (small / "site/papers" / paper.slug / "index.html").read_text()
        # Same page in a 67-paper and a 591-paper archive: only tags and the
        # dumps it is listed in may differ, not the frame around it.
        strip = re.compile(r'<article class="pa-paper".*?</article>', re.S)
        assert len(strip.sub("", big_html)) == len(strip.sub("", small_html))
        assert len(big_html) < 20_000


def test_two_builds_write_byte_identical_pages(seed_site, tmp_path):
    again = make_project(tmp_path, seeds=True)
    result = run_generator(again, "build", "--no-mkdocs", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    first = tree_digest(seed_site / "site_src")
    second = tree_digest(again / "site_src")
    assert first == second
    assert sum(1 for k in first if k.startswith("papers/")) == 591
