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
from generator.search_index import SearchIndexError, index_site, shard_sizes
from tests.conftest import SEED_SHARD_PAGES


def fragments(site: Path, bundle: str = "pagefind") -> list[dict]:
    """Pagefind's per-page records (gzip, behind a 12-byte signature)."""
    records = []
    for path in sorted((site / bundle / "fragment").glob("*.pf_fragment")):
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


def test_shards_are_as_few_and_as_even_as_the_limit_allows():
    assert shard_sizes(0, 100) == [0]
    assert shard_sizes(100, 100) == [100]
    assert shard_sizes(101, 100) == [51, 50]
    assert shard_sizes(50_000, 12_500) == [12_500] * 4
    sizes = shard_sizes(20_001, 10_000)
    assert len(sizes) == 3 and sum(sizes) == 20_001 and max(sizes) - min(sizes) <= 1


def test_a_sharded_index_holds_the_same_records_as_one_index(seed_site, sharded_seed_site):
    """Past --search-shard-pages, each shard is its own Pagefind run (less
    memory); together they hold exactly the records of one index."""
    site = sharded_seed_site / "site"
    listing = json.loads((site / "pagefind" / "shards.json").read_text())
    papers = len(list(site.glob("papers/*/index.html")))
    expected = len(shard_sizes(papers, SEED_SHARD_PAGES))
    assert expected >= 3
    assert listing == {"shards": [f"shard-{n}/" for n in range(2, expected + 1)]}
    records = fragments(site)
    assert 0 < len(records) <= SEED_SHARD_PAGES
    for shard in listing["shards"]:
        bundle = site / "pagefind" / shard
        # Searched by the first bundle's script and WebAssembly: index files only.
        files = [p.name for p in bundle.iterdir() if p.is_file()]
        assert [f for f in files if not f.endswith(".pf_meta")] == ["pagefind-entry.json"]
        shard_records = fragments(site, f"pagefind/{shard}")
        assert 0 < len(shard_records) <= SEED_SHARD_PAGES
        records += shard_records
    by_url = {r["url"]: r for r in records}
    assert len(by_url) == len(records)  # no page in two shards
    assert by_url == {r["url"]: r for r in fragments(seed_site / "site")}
    assert json.loads((seed_site / "site" / "pagefind" / "shards.json").read_text()) == {
        "shards": []
    }
