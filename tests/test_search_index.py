"""The Pagefind index written by the build: paper pages only, with filters."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

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


def test_a_site_without_paper_bodies_is_an_error(tmp_path):
    page = tmp_path / "papers" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><h1>No data-pagefind-body here</h1></body></html>")
    with pytest.raises(SearchIndexError, match="data-pagefind-body"):
        index_site(tmp_path)
