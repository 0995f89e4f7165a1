"""The header search, in a real chromium, over the real Pagefind index of
the seed site, served under a sub-path as on GitHub Pages."""

from __future__ import annotations

import re

import pytest
from browser import PHONE, browser, collect_errors, serve_site  # noqa: F401 - fixture

from tests.test_untrusted import hostile_site  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARABIC = "A Transformer-based Approach for Arabic Offline Handwritten Text Recognition"


@pytest.fixture(scope="module")
def site_url(seed_site):
    with serve_site(seed_site / "site", prefix="archive") as url:
        yield url


@pytest.fixture
def desk(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.errors = collect_errors(page)
    yield page
    context.close()


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


def search(page, query: str) -> None:
    before = page.locator(".pa-search__status").text_content()
    page.locator(".pa-search__input").fill(query)
    wait_for_count_change(page, before)


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
    assert desk.errors == []


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
    assert desk.errors == []


def test_tag_filter_narrows_the_results(desk, site_url):
    desk.goto(site_url)
    desk.keyboard.press("/")
    search(desk, "model")
    unfiltered = count(desk)
    chip = desk.locator(".pa-search__result .pa-search__chip--tag").first
    tag = chip.inner_text()
    before = desk.locator(".pa-search__status").text_content()
    chip.click()
    wait_for_count_change(desk, before)
    filtered = count(desk)
    assert 1 <= filtered < unfiltered
    results = desk.locator(".pa-search__result")
    for i in range(results.count()):
        tags = results.nth(i).locator(".pa-search__chip--tag").all_inner_texts()
        assert tag in tags
    assert desk.locator(".pa-search__active").inner_text().startswith(f"tag: {tag}")
    # Removing the filter brings every result back.
    before = desk.locator(".pa-search__status").text_content()
    desk.locator(".pa-search__active button").click()
    wait_for_count_change(desk, before)
    assert count(desk) == unfiltered
    assert desk.errors == []


def test_dump_and_has_code_filters_narrow_the_results(desk, site_url):
    desk.goto(site_url)
    desk.keyboard.press("/")
    search(desk, "language")
    unfiltered = count(desk)
    before = desk.locator(".pa-search__status").text_content()
    desk.locator('input[name="code"]').check()
    wait_for_count_change(desk, before)
    with_code = count(desk)
    assert 1 <= with_code < unfiltered
    results = desk.locator(".pa-search__result")
    for i in range(results.count()):
        assert results.nth(i).locator(".pa-badge--code").count() == 1
    dump = results.first.locator(".pa-search__chip--dump").first.inner_text()
    before = desk.locator(".pa-search__status").text_content()
    results.first.locator(".pa-search__chip--dump").first.click()
    wait_for_count_change(desk, before)
    assert 1 <= count(desk) <= with_code
    for i in range(results.count()):
        assert dump in results.nth(i).locator(".pa-search__chip--dump").all_inner_texts()
    assert desk.errors == []


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
    assert desk.errors == []


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
    assert desk.errors == []


def test_search_works_at_phone_width(browser, site_url):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = collect_errors(page)
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
    assert errors == []
    context.close()


def test_hostile_titles_and_abstracts_stay_text_in_results(browser, hostile_site):  # noqa: F811
    with serve_site(hostile_site / "site") as url:
        context = browser.new_context()
        page = context.new_page()
        errors = collect_errors(page)
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.keyboard.press("/")
        search(page, "alert")
        titles = page.locator(".pa-search__title").all_inner_texts()
        assert {"<script>alert(1)</script>", "Paper 1 <img src=x onerror=alert(1)>"} <= set(titles)
        excerpts = page.locator(".pa-search__excerpt").all_inner_texts()
        assert any("<img src=x onerror=alert(1)>" in e for e in excerpts), excerpts
        injected = page.locator(".pa-search__results img, .pa-search__results script")
        assert injected.count() == 0
        page.wait_for_timeout(300)
        assert dialogs == [] and errors == []
        context.close()
