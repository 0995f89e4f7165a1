"""The Pagefind index written by the build: paper pages only, with filters."""

from __future__ import annotations

import gzip
import html as html_lib
import json
import re
import shutil
from pathlib import Path

import pytest

from generator.build import BuildError, Paths, build_site
from generator.search_index import SearchIndexError, index_site


def fragments(site: Path) -> list[dict]:
    """Pagefind's per-page records (gzip, behind a 12-byte signature)."""
    records = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        records.append(json.loads(data[len(b"pagefind_dcd") :]))
    return records


def test_index_holds_every_paper_page_and_nothing_else(seed_site):
    site = seed_site / "site"
    papers = {
        f"/{p.parent.relative_to(site).as_posix()}/" for p in site.glob("papers/*/index.html")
    }
    records = fragments(site)
    assert {r["url"] for r in records} == papers
    assert len(records) == len(papers) > 500


def test_records_carry_title_tags_dumps_and_code(seed_site):
    site = seed_site / "site"
    records = {r["url"]: r for r in fragments(site)}
    page = site / "papers" / "better-faster-large-language-models-via-multi-token-prediction"
    record = records["/papers/better-faster-large-language-models-via-multi-token-prediction/"]
    html = (page / "index.html").read_text(encoding="utf-8")
    assert (
        record["meta"]["title"]
        == "Better & Faster Large Language Models via Multi-token Prediction"
    )
    for tag in record["filters"]["tag"]:
        assert f'data-pagefind-filter="tag">{tag}</a>' in html.replace("&amp;", "&")
    assert record["filters"]["dump"]
    with_code = [r for r in records.values() if r["filters"].get("code") == ["yes"]]
    without = [r for r in records.values() if "code" not in r["filters"]]
    assert with_code and without and len(with_code) + len(without) == len(records)
    # Section headings and link lists are not searchable text.
    for r in records.values():
        assert not r["content"].startswith("Abstract")
        assert "Listed in" not in r["content"]
        assert "first seen" not in r["content"]
        assert "Related papers" not in r["content"]


def test_a_paper_is_not_found_through_the_papers_that_list_it_as_related(seed_site):
    """Related lists are other papers' titles: searchable, they made every
    title query also return the pages that merely link to it."""
    site = seed_site / "site"
    records = {r["url"]: r for r in fragments(site)}
    listed = 0
    for page in sorted(site.glob("papers/*/index.html")):
        html = page.read_text(encoding="utf-8")
        if 'class="pa-related"' not in html:
            continue
        related = html.split('class="pa-related"', 1)[1].split("</ul>", 1)[0]
        record = records[f"/{page.parent.relative_to(site).as_posix()}/"]
        for title in re.findall(r'<a href="[^"]*">([^<]+)</a>', related):
            title = html_lib.unescape(title)
            if title not in html.split('class="pa-related"', 1)[0]:  # not also said above
                assert title not in record["content"]
                listed += 1
    assert listed > 500


def test_a_site_without_paper_bodies_is_an_error(tmp_path):
    page = tmp_path / "papers" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><h1>No data-pagefind-body here</h1></body></html>")
    with pytest.raises(SearchIndexError, match="data-pagefind-body"):
        index_site(tmp_path)


def test_the_build_indexes_exactly_what_the_built_pages_hold(seed_site, tmp_path):
    """The build indexes the generated articles while MkDocs runs; indexing
    the built pages afterwards must give the very same records."""
    site = tmp_path / "site"
    shutil.copytree(seed_site / "site", site)
    index_site(site)  # from the built HTML, replacing the build's bundle
    from_pages = {r["url"]: r for r in fragments(site)}
    from_build = {r["url"]: r for r in fragments(seed_site / "site")}
    assert len(from_build) > 500
    assert from_build == from_pages


def test_a_failed_index_leaves_the_site_as_it_was(seed_site, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(seed_site, root, ignore=shutil.ignore_patterns("site"))
    shutil.copytree(seed_site / "site", root / "site")
    before = sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*"))
    assert before
    page = next((root / "site_src" / "papers").glob("*.md"))
    page.write_text(page.read_text().replace("data-pagefind-body", "data-x"))
    with pytest.raises(BuildError, match="every paper page needs one data-pagefind-body"):
        build_site(Paths.at(root))
    assert sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*")) == before
    assert not (root / "site.new").exists() and not (root / "site.search").exists()
