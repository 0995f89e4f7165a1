"""The header search, in a real chromium, over the real Pagefind index of
the seed site, served under a sub-path as on GitHub Pages."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser import PHONE, PageWatch, serving
from tests.test_hostile_browser import DOM_REPORT, TITLE_ENTITIES, TITLE_TAGS, hostile_site  # noqa: F401
from tests.test_search_index import fragments

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARABIC = "A Transformer-based Approach for Arabic Offline Handwritten Text Recognition"


@pytest.fixture(scope="module")
def site_url(seed_site):
    with serving(seed_site / "site", prefix="archive") as url:
        yield url


def open_page(browser, base_url: str, **options):
    """A page in a fresh context, watched for errors and outside requests."""
    context = browser.new_context(**options)
    watch = PageWatch(context, base_url)
    page = context.new_page()
    watch.attach(page)
    page.watch = watch
    return page


@pytest.fixture
def desk(browser, site_url):
    page = open_page(browser, site_url, viewport={"width": 1280, "height": 800})
    yield page
    page.context.close()


def count(page) -> int:
    text = page.locator(".pa-search__status").inner_text()
    found = re.match(r"(\d+) papers?", text)
    assert found, f"no result count in {text!r}"
    return int(found.group(1))


def wait_for_count_change(page, before: str) -> None:
    page.wait_for_function(
        "before => document.querySelector('.pa-search__status').textContent !== before"
        " && !document.querySelector('.pa-search').hasAttribute('aria-busy')",
        arg=before,
    )


def redrawn(page, action) -> None:
    """Do action (type, click a filter) and wait for the results to be redrawn."""
    before = page.locator(".pa-search__status").text_content()
    action()
    wait_for_count_change(page, before)


def search(page, query: str) -> None:
    redrawn(page, lambda: page.locator(".pa-search__input").fill(query))


def test_typing_a_query_shows_the_expected_paper_first(desk, site_url):
    desk.goto(site_url)
    desk.locator(".pa-search-open").click()
    search(desk, "arabic handwritten offline")
    first = desk.locator(".pa-search__result").first
    assert first.locator(".pa-search__title").inner_text() == ARABIC
    # Highlighted excerpt and the paper's tags on the result.
    marks = [m.lower() for m in first.locator(".pa-search__excerpt mark").all_inner_texts()]
    assert {"arabic", "handwritten", "offline"} <= set(marks)
    assert first.locator(".pa-search__chip--tag").count() >= 1
    # The link works under the sub-path the site is served from.
    first.locator(".pa-search__title").click()
    desk.wait_for_load_state()
    assert desk.url.startswith(site_url + "papers/")
    assert desk.locator("h1").inner_text() == ARABIC
    desk.watch.assert_quiet()


def test_title_words_rank_above_abstract_words(desk, site_url):
    desk.goto(site_url)
    desk.keyboard.press("/")
    search(desk, "handwritten")
    titles = desk.locator(".pa-search__title").all_inner_texts()
    assert len(titles) >= 2, "the seeds have 'handwritten' in titles and abstracts"
    in_title = ["handwrit" in t.lower() for t in titles]
    # Every paper with the word in its title comes before any paper without.
    assert in_title == sorted(in_title, reverse=True)
    assert in_title[0] and not in_title[-1]
    desk.watch.assert_quiet()


def test_tag_filter_narrows_the_results(desk, site_url):
    desk.goto(site_url)
    desk.keyboard.press("/")
    search(desk, "model")
    unfiltered = count(desk)
    chip = desk.locator(".pa-search__result .pa-search__chip--tag").first
    tag = chip.inner_text()
    redrawn(desk, chip.click)
    filtered = count(desk)
    assert 1 <= filtered < unfiltered
    results = desk.locator(".pa-search__result")
    for i in range(results.count()):
        tags = results.nth(i).locator(".pa-search__chip--tag").all_inner_texts()
        assert tag in tags
    assert desk.locator(".pa-search__active").inner_text().startswith(f"tag: {tag}")
    # Removing the filter brings every result back.
    redrawn(desk, lambda: desk.locator(".pa-search__active button").click())
    assert count(desk) == unfiltered
    desk.watch.assert_quiet()


def test_dump_and_has_code_filters_narrow_the_results(desk, site_url):
    desk.goto(site_url)
    desk.keyboard.press("/")
    search(desk, "language")
    unfiltered = count(desk)
    redrawn(desk, lambda: desk.locator('input[name="code"]').check())
    with_code = count(desk)
    assert 1 <= with_code < unfiltered
    results = desk.locator(".pa-search__result")
    for i in range(results.count()):
        assert results.nth(i).locator(".pa-badge--code").count() == 1
    dump = results.first.locator(".pa-search__chip--dump").first.inner_text()
    redrawn(desk, lambda: results.first.locator(".pa-search__chip--dump").first.click())
    assert 1 <= count(desk) <= with_code
    for i in range(results.count()):
        assert dump in results.nth(i).locator(".pa-search__chip--dump").all_inner_texts()
    desk.watch.assert_quiet()


def test_tag_list_filter_offers_every_tag_and_dump(desk, site_url, seed_site):
    desk.goto(site_url)
    desk.keyboard.press("/")
    desk.locator(".pa-search__facet").focus()
    desk.wait_for_function("document.querySelectorAll('#pa-search-facets option').length > 0")
    values = desk.locator("#pa-search-facets option").evaluate_all("els => els.map(o => o.value)")
    dumps = sorted(p.stem for p in (seed_site / "dumps").glob("*.txt"))
    assert [v for v in values if v.startswith("dump: ")] == [f"dump: {d}" for d in dumps]
    tag = next(v for v in values if v.startswith("tag: "))
    desk.locator(".pa-search__facet").fill(tag)
    desk.wait_for_selector(".pa-search__result")
    assert desk.locator(".pa-search__active").inner_text().startswith(tag)
    assert count(desk) >= 2, "a tag is shared by at least two papers"
    desk.watch.assert_quiet()


def test_slash_and_ctrl_k_open_the_search(desk, site_url):
    desk.goto(site_url + "about/")
    dialog = desk.locator(".pa-search")
    assert dialog.is_hidden()
    desk.keyboard.press("/")
    assert dialog.is_visible()
    assert desk.evaluate("document.activeElement.classList.contains('pa-search__input')")
    assert desk.locator(".pa-search__input").input_value() == "", "'/' is not typed"
    desk.keyboard.press("Escape")
    assert dialog.is_hidden()
    desk.keyboard.press("Control+k")
    assert dialog.is_visible()
    assert desk.evaluate("document.activeElement.classList.contains('pa-search__input')")
    desk.keyboard.press("Escape")
    desk.keyboard.press("Meta+k")
    assert dialog.is_visible()
    desk.watch.assert_quiet()


def test_search_works_at_phone_width(browser, site_url):
    page = open_page(browser, site_url, **PHONE)
    page.goto(site_url)
    opener = page.locator(".pa-search-open")
    box = opener.bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 375
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    opener.tap()
    search(page, "arabic handwritten offline")
    assert page.locator(".pa-search__title").first.inner_text() == ARABIC
    panel = page.locator(".pa-search__panel").bounding_box()
    assert panel["width"] == 375
    assert page.locator(".pa-search__result").first.is_visible()
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.pa-search__panel *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert overflow == 0
    page.watch.assert_quiet()
    page.context.close()


def test_hostile_titles_and_abstracts_stay_text_in_results(browser, hostile_site):  # noqa: F811
    with serving(hostile_site) as url:
        page = open_page(browser, url)
        page.goto(url)
        page.keyboard.press("/")
        search(page, "alert")
        titles = page.locator(".pa-search__title").all_inner_texts()
        assert {TITLE_TAGS, TITLE_ENTITIES} <= set(titles)
        excerpts = " ".join(page.locator(".pa-search__excerpt").all_inner_texts())
        assert "onerror=alert" in excerpts  # shown, as text
        page.wait_for_timeout(300)
        report = page.evaluate(DOM_REPORT)
        assert report == {"handlers": [], "links": [], "scripts": 0, "frames": 0}
        page.watch.assert_quiet()
        page.context.close()


@pytest.fixture(scope="module")
def sharded_url(sharded_seed_site):
    with serving(sharded_seed_site / "site", prefix="archive") as url:
        yield url


def results_for(page, url: str, query: str) -> tuple[int, list[str]]:
    """Result count and titles shown for a query."""
    page.goto(url)
    page.keyboard.press("/")
    search(page, query)
    return count(page), page.locator(".pa-search__title").all_inner_texts()


def tagged(page, url: str, tag: str) -> int:
    """How many papers the search finds with a tag filter and no query."""
    page.goto(url)
    page.keyboard.press("/")
    page.locator(".pa-search__facet").focus()  # loads the list of tags and dumps
    page.wait_for_function("document.querySelectorAll('#pa-search-facets option').length > 0")
    page.locator(".pa-search__facet").fill(f"tag: {tag}")
    page.wait_for_selector(".pa-search__result")
    return count(page)


def test_a_sharded_index_finds_the_papers_of_every_shard(
    browser, site_url, sharded_url, sharded_seed_site
):
    """A large archive's index is built in shards that search.js merges: a
    title finds its paper whichever shard holds it, and result counts, with
    and without a filter, are those of one index. (The order below the first
    result may differ: each shard weighs words by its own statistics.)"""
    desktop = {"viewport": {"width": 1280, "height": 800}}
    one, sharded = (
        open_page(browser, site_url, **desktop),
        open_page(browser, sharded_url, **desktop),
    )
    bundle = sharded_seed_site / "site" / "pagefind"
    shards = json.loads((bundle / "shards.json").read_text())["shards"]
    assert len(shards) >= 2  # after the first
    for folder in ["", *shards]:  # a paper from each shard, found by its title
        record = fragments(bundle.parent, f"pagefind/{folder}")[0]
        title = record["meta"]["title"]
        query = " ".join(re.findall(r"[A-Za-z]{4,}", title)[:6])
        found, titles = results_for(sharded, sharded_url, query)
        assert titles[0] == title, f"{query!r} in shard {folder or 'pagefind/'}"
        assert found == results_for(one, site_url, query)[0]
    records = fragments(bundle.parent)
    for folder in shards:
        records += fragments(bundle.parent, f"pagefind/{folder}")
    last = fragments(bundle.parent, f"pagefind/{shards[-1]}")
    tag = next(r["filters"]["tag"][0] for r in last if r["filters"].get("tag"))
    papers = sum(tag in r["filters"].get("tag", []) for r in records)
    assert 2 <= tagged(sharded, sharded_url, tag) == papers == tagged(one, site_url, tag)
    for page in (one, sharded):
        page.watch.assert_quiet()
        page.context.close()
