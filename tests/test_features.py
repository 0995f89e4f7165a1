"""Reader features on real builds: related papers, Atom feeds, the code
page, the stats page and the JSON/CSV export."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from generator.export import csv_field
from generator.feeds import read_site_url, render_feeds
from generator.models import Archive, Dump, Paper, Tag
from generator.related import POSTING_CAP, TOP_TERMS, keep_top_per_row, related_papers, tfidf_matrix
from generator.render import make_env
from tests import dumpgen
from tests.conftest import make_project, run_generator

ATOM = "{http://www.w3.org/2005/Atom}"
FILLER = (
    "We evaluate on several public benchmarks, compare with strong baselines and report"
    " ablations that isolate each component, and we release everything for others to reuse."
    " The results hold across model sizes and data regimes, and the remaining failure cases"
    " are discussed at length together with the limits of the evaluation protocol we use."
)


def daily(*pairs: tuple[str, str], date: str = "Sep 19") -> str:
    return dumpgen.daily(pairs, date)


def parse_feed(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed", path
    return root


def atom_time(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_atom(feed: ET.Element) -> list[ET.Element]:
    """RFC 4287's required elements; returns the entries."""
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None and feed.find(f"{ATOM}{name}").text, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    updated = atom_time(feed.find(f"{ATOM}updated").text)
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert atom_time(entry.find(f"{ATOM}updated").text) <= updated
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    return entries


def page_of(site: Path, feed_file: Path, href: str) -> Path:
    """The built page a feed link points at: absolute under site_url, or
    relative to the feed file."""
    if urlparse(href).scheme:
        return site_path(site, href) / "index.html"
    return (feed_file.parent / href).resolve() / "index.html"


def site_path(site: Path, url: str) -> Path:
    """The folder of site/ that an absolute URL under site_url names."""
    path = urlparse(url).path
    base = urlparse(read_site_url(site.parent / "mkdocs.yml")).path
    assert path.startswith(base), url
    return site / path[len(base) :]


# Related papers


def synthetic(n_topics: int, per_topic: int) -> list[Paper]:
    words = ["quantum", "protein", "glacier", "violin", "orbital", "lattice", "pollen", "sonar"]
    papers = []
    for topic in range(n_topics):
        w = words[topic]
        for k in range(per_topic):
            abstract = f"We study {w} {w}-dynamics and {w} modelling in setting {k}. {FILLER}"
            papers.append(Paper(f"{w}-{k}", f"{w.title()} study number {k}", abstract, ["d"], 1))
    return sorted(papers, key=lambda p: p.slug)


def test_related_papers_share_the_topic_never_self_at_most_five():
    papers = synthetic(n_topics=6, per_topic=8)
    related = related_papers(papers)
    for paper in papers:
        found = related[paper.slug]
        assert 1 <= len(found) <= 5
        assert paper.slug not in found
        topic = paper.slug.split("-")[0]
        assert all(slug.startswith(topic + "-") for slug in found), (paper.slug, found)
    assert related_papers(papers) == related  # deterministic


def test_candidate_index_is_bounded_whatever_the_size():
    # 400 papers over 8 shared words: every word is in ~100 papers, more
    # than a posting list may keep, so only the caps bound the work.
    words = ["quantum", "protein", "glacier", "violin", "orbital", "lattice", "pollen", "sonar"]
    papers = [
        Paper(
            f"p-{k:03d}", f"Study {k}", f"{words[k % 8]} {words[k * 3 % 7]} data. {FILLER}", [], 1
        )
        for k in range(400)
    ]
    matrix = tfidf_matrix([p.title + " " + p.abstract for p in papers])
    salient = keep_top_per_row(matrix, TOP_TERMS)
    index = keep_top_per_row(salient.T.tocsr(), POSTING_CAP)
    assert max(index.getnnz(axis=1)) == POSTING_CAP  # the cap did bind
    assert max(salient.getnnz(axis=1)) <= TOP_TERMS
    related = related_papers(papers)
    assert all(len(found) == 5 for found in related.values())
    shared = set(papers[9].abstract.split()[:2])
    assert all(shared & set(papers[int(s[2:])].abstract.split()[:2]) for s in related["p-009"])


def test_each_row_keeps_its_k_largest_values_ties_to_the_lower_column():
    # Rows shorter than k (kept whole), longer (ranked), empty ones first,
    # inside and last, and values from a small set, so that ties are cut.
    rng = np.random.default_rng(3)
    k, width = 6, 40
    lengths = [0, 3, 6, 7, 0, 12, 1, 30, 0, 6, 9, 0]
    rows = [sorted(rng.choice(width, n, replace=False).tolist()) for n in lengths]
    dense = np.zeros((len(rows), width))
    for i, cols in enumerate(rows):
        dense[i, cols] = rng.integers(1, 4, len(cols))
    kept = keep_top_per_row(sparse.csr_matrix(dense), k)
    expected = np.zeros_like(dense)
    for i, cols in enumerate(rows):
        best = sorted(cols, key=lambda c: (-dense[i, c], c))[:k]
        expected[i, best] = dense[i, best]
    assert (kept.toarray() == expected).all()
    assert kept.getnnz(axis=1).tolist() == [min(n, k) for n in lengths]


def test_paper_pages_list_related_papers_that_exist(seed_site: Path):
    site = seed_site / "site"
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    with_related = [p for p in data["papers"] if p["related"]]
    assert len(with_related) > 0.9 * len(data["papers"])
    page = (site / "papers" / with_related[0]["slug"] / "index.html").read_text(encoding="utf-8")
    section = page.split('class="pa-paper__related"')[1].split("</section>")[0]
    links = re.findall(r'href="\.\./\.\./papers/([^/"]+)/"', section)
    assert links == with_related[0]["related"] and 1 <= len(links) <= 5
    assert all((site / "papers" / slug / "index.html").exists() for slug in links)


# Atom feeds


def test_latest_feed_validates_and_lists_the_newest_dump_first(seed_site: Path):
    site = seed_site / "site"
    feed_file = site / "feeds" / "latest.xml"
    entries = check_atom(parse_feed(feed_file))
    assert 0 < len(entries) <= 100
    times = [atom_time(e.find(f"{ATOM}updated").text) for e in entries]
    assert times == sorted(times, reverse=True)
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    newest = data["dumps"][-1]["name"]
    new_there = {p["slug"] for p in data["papers"] if p["first_dump"] == newest}
    first = entries[: len(new_there)]
    hrefs = [e.find(f"{ATOM}link").get("href") for e in first]
    assert {page_of(site, feed_file, h).parent.name for h in hrefs} == new_there
    assert all(page_of(site, feed_file, h).exists() for h in hrefs)


def test_every_tag_has_a_valid_feed_of_its_own_papers(seed_site: Path):
    site = seed_site / "site"
    tags = sorted(p.name for p in (site / "tags").iterdir() if p.is_dir())
    feeds = sorted(p.stem for p in (site / "feeds" / "tags").glob("*.xml") if p.stem != "sitemap")
    assert feeds == tags
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    tagged: dict[str, set] = {}
    for paper in data["papers"]:
        for tag in paper["tags"]:
            tagged.setdefault(tag["slug"], set()).add(paper["slug"])
    for slug in tags[:: max(1, len(tags) // 40)]:
        feed_file = site / "feeds" / "tags" / f"{slug}.xml"
        entries = check_atom(parse_feed(feed_file))
        pages = {page_of(site, feed_file, e.find(f"{ATOM}link").get("href")) for e in entries}
        assert {p.parent.name for p in pages} <= tagged[slug] and entries
        assert all(p.exists() for p in pages)
        assert all(slug in [c.get("term") for c in e.findall(f"{ATOM}category")] for e in entries)


def test_pages_link_their_feeds_for_autodiscovery(seed_site: Path):
    site = seed_site / "site"
    link = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"')
    tag_dir = next(p for p in sorted((site / "tags").iterdir()) if p.is_dir())
    for page in (site / "index.html", site / "stats" / "index.html", tag_dir / "index.html"):
        hrefs = link.findall(page.read_text(encoding="utf-8"))
        assert hrefs, page
        for href in hrefs:
            assert not href.startswith("/"), href  # relative: works under any sub-path
            assert (page.parent / href).resolve().is_file(), (page, href)
    tag_hrefs = link.findall((tag_dir / "index.html").read_text(encoding="utf-8"))
    assert any(h.endswith(f"feeds/tags/{tag_dir.name}.xml") for h in tag_hrefs)


def test_hostile_text_stays_text_in_feeds_and_exports(tmp_path: Path):
    title = 'Attack <script>alert(1)</script> & "quotes" ]]> =cmd'
    abstract = f"Beware <b>bold</b> & <!-- comment --> text with odd markup. {FILLER}"
    other = ("=HYPERLINK(1) A Calm Second Paper About Beware Bold", f"Beware bold. {FILLER}")
    root = make_project(tmp_path, dumps={"001_a.txt": daily((title, abstract), other)})
    result = run_generator(root, "build", "--no-mkdocs")
    assert result.returncode == 0, result.stderr
    feed = parse_feed(root / "site_src" / "feeds" / "latest.xml")
    titles = [e.find(f"{ATOM}title").text for e in check_atom(feed)]
    assert title in titles  # parsed back as the very text, not as markup
    rows = list(csv.DictReader(io.StringIO((root / "site_src" / "papers.csv").read_text())))
    data = json.loads((root / "site_src" / "papers.json").read_text(encoding="utf-8"))
    assert {r["title"] for r in rows} == {title, "'" + other[0]}  # no spreadsheet formula
    assert {p["title"] for p in data["papers"]} == {title, other[0]}  # JSON keeps it exact


def test_characters_xml_forbids_never_reach_a_feed():
    # The parser rejects control characters today; the feed must not
    # depend on it: one such character makes the whole feed unreadable.
    text = "Odd \x01 bytes \x0b and \ufffe here"
    paper = Paper("odd", f"Title {text}", f"Abstract {text}", ["001_a"], 1, text=f"Text {text}")
    paper.tags = ["odd-tag"]
    archive = Archive(
        dumps=[Dump("001_a", "001_a.txt", "daily", None, [])],
        papers=[paper],
        tags=[Tag("odd-tag", f"odd {text}", ["odd"])],
    )
    feeds = render_feeds(make_env(), archive)
    for xml in [text for path, text in feeds.items() if not path.endswith("sitemap.xml")]:
        entries = check_atom(ET.fromstring(xml.encode("utf-8")))
        assert entries[0].find(f"{ATOM}title").text == "Title Odd  bytes  and  here"


def test_feeds_and_exports_are_deterministic_and_dated_by_dump_order(tmp_path: Path):
    first = [(f"Glacier Melt Study {i}", f"Glacier melt and ice {i}. {FILLER}") for i in range(3)]
    later = [(f"Glacier Flow Model {i}", f"Glacier flow and ice {i}. {FILLER}") for i in range(2)]
    dumps = {"001_a.txt": daily(*first), "002_b.txt": daily(*later, first[0], date="Sep 20")}
    outputs = []
    for run in ("one", "two"):
        folder = tmp_path / run
        folder.mkdir()
        root = make_project(folder, dumps=dumps)
        assert run_generator(root, "build", "--no-mkdocs").returncode == 0
        src = root / "site_src"
        outputs.append(
            {
                p.relative_to(src).as_posix(): p.read_bytes()
                for p in sorted(src.rglob("*"))
                if p.is_file() and (p.suffix in (".xml", ".json", ".csv") or p.name == "stats.md")
            }
        )
    assert outputs[0] == outputs[1] and "feeds/latest.xml" in outputs[0]
    entries = check_atom(ET.fromstring(outputs[0]["feeds/latest.xml"]))
    by_title = {e.find(f"{ATOM}title").text: e.find(f"{ATOM}updated").text for e in entries}
    assert by_title["Glacier Flow Model 0"] > by_title["Glacier Melt Study 1"]
    assert by_title["Glacier Melt Study 0"] == by_title["Glacier Melt Study 1"]  # first seen
    assert list(by_title)[:2] == ["Glacier Flow Model 0", "Glacier Flow Model 1"]


# Code page and badges


def test_code_page_lists_every_paper_with_code_and_badges_show(seed_site: Path):
    site = seed_site / "site"
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    with_code = {p["slug"] for p in data["papers"] if p["code_links"]}
    assert with_code
    page = (site / "code" / "index.html").read_text(encoding="utf-8")
    # Past 100 papers the older ones are on pages of their own (listings.py).
    older = sorted({int(n) for n in re.findall(r'href="\.\./code/(\d+)/"', page)})
    assert older == list(range(1, len(with_code) // 50))
    pages = [page] + [(site / f"code/{n}/index.html").read_text(encoding="utf-8") for n in older]
    listed = [
        slug
        for text in pages
        for slug in re.findall(r'class="pa-item__title" href="[./]*papers/([^/"]+)/"', text)
    ]
    assert set(listed) == with_code and len(listed) == len(with_code)
    assert sum(text.count("pa-badge--code") for text in pages) == len(with_code)
    assert f"{len(with_code)} of {len(data['papers'])} papers link a code repository" in page
    slug = sorted(with_code)[0]
    paper_page = (site / "papers" / slug / "index.html").read_text(encoding="utf-8")
    assert "pa-badge--code" in paper_page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="code/"' in home and f"<strong>{len(with_code)}</strong>" in home


# Stats


def test_stats_page_charts_carry_the_archive_numbers(seed_site: Path):
    site = seed_site / "site"
    page = (site / "stats" / "index.html").read_text(encoding="utf-8")
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    body = page.split("pa-stats-page")[1].split("</article>")[0]
    assert body.count('<svg class="pa-chart__svg"') == 4 and "<script" not in body
    for dump in data["dumps"]:
        new = sum(1 for p in data["papers"] if p["first_dump"] == dump["name"])
        seen = sum(1 for p in data["papers"] if dump["name"] in p["dumps"]) - new
        assert f"{new} new \u00b7 {seen} seen" in page, dump["name"]
    counts: dict[str, int] = {}
    for paper in data["papers"]:
        for tag in paper["tags"]:
            counts[tag["name"]] = counts.get(tag["name"], 0) + 1
    top_name, top_count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    assert f"{top_count} papers" in page


# Export


def test_export_has_every_paper_with_the_documented_fields(seed_site: Path):
    site = seed_site / "site"
    data = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert len(data["papers"]) == len(list((site / "papers").glob("*/index.html")))
    fields = {"slug", "url", "title", "abstract", "keywords", "tags", "dumps", "first_dump"}
    fields |= {"links", "code_links", "related"}
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in fields:
        assert f"`{name}`" in readme, f"field {name} is not documented in README.md"
    for paper in data["papers"]:
        assert set(paper) == fields
        assert (site_path(site, paper["url"]) / "index.html").is_file()
    rows = list(csv.DictReader(io.StringIO((site / "papers.csv").read_text(encoding="utf-8"))))
    assert [r["slug"] for r in rows] == [p["slug"] for p in data["papers"]]
    first = data["papers"][0]
    assert rows[0]["links"].split() == first["links"]
    assert rows[0]["tags"] == "; ".join(t["name"] for t in first["tags"])


CSV_TEXT = st.text(alphabet=st.sampled_from(["a", " ", ",", '"', "'", ";", "\n", "\r", "=", "é"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CSV_TEXT, min_size=2, max_size=4), max_size=4))
def test_csv_fields_read_back_as_written_and_as_the_csv_module_writes_them(rows):
    """papers.csv is joined from csv_field: a spreadsheet or csv.reader
    reads back every field as it was, and the bytes are csv.writer's, but
    for a lone carriage return, which is quoted here (RFC 4180)."""
    text = "".join(",".join(map(csv_field, row)) + "\n" for row in rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == rows
    if not any("\r" in field for row in rows for field in row):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        assert text == out.getvalue()


@pytest.mark.parametrize("name", ["papers.json", "papers.csv", "feeds/latest.xml"])
def test_feature_files_are_copied_into_the_site(seed_site: Path, name: str):
    assert (seed_site / "site" / name).read_bytes() == (seed_site / "site_src" / name).read_bytes()
