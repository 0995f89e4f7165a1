"""The key pages in a real headless Chromium, at desktop and phone width:
each renders its key elements, nothing overflows sideways, and the stats
charts are drawn and readable."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.browser import VIEWPORTS, horizontal_overflow, open_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample(seed_site: Path) -> dict[str, str]:
    """Paths (under the site) of a paper with code and related papers, a
    tag listing a paper with code, the oldest pages of the largest tag and
    of the papers with code, and the newest dump."""
    data = json.loads((seed_site / "site" / "papers.json").read_text(encoding="utf-8"))
    paper = next(p for p in data["papers"] if p["code_links"] and len(p["related"]) >= 3)
    tag = paper["tags"][0]["slug"]
    largest = Counter(t["slug"] for p in data["papers"] for t in p["tags"]).most_common(1)[0][0]
    return {
        "home": "",
        "paper": f"papers/{paper['slug']}/",
        "tag": f"tags/{tag}/",
        "older": f"tags/{largest}/1/",
        "older code": "code/1/",
        "dump": f"dumps/{data['dumps'][-1]['name']}/",
        "stats": "stats/",
    }


def visible_count(page, selector: str) -> int:
    return sum(1 for el in page.locator(selector).all() if el.is_visible())


def check_home(page) -> None:
    assert visible_count(page, ".pa-stats li") >= 4
    assert visible_count(page, ".pa-tags--cloud .pa-tag") >= 10
    assert page.locator('a[href="code/"]').count() and page.locator('a[href="stats/"]').count()
    assert page.locator("a.pa-feed").is_visible()


def check_paper(page) -> None:
    assert 1 <= visible_count(page, ".pa-paper__related li a") <= 5
    assert page.locator(".pa-paper__title + .pa-badge--code").is_visible()
    assert visible_count(page, ".pa-paper__tags .pa-tag") >= 1


def check_tag(page) -> None:
    assert visible_count(page, ".pa-item") >= 2
    assert visible_count(page, ".pa-item .pa-badge--code") >= 1
    assert page.locator("a.pa-feed").is_visible()


def check_older(page) -> None:
    """The oldest page of a long listing: its 50 papers, and a way back to newer ones."""
    assert visible_count(page, ".pa-item") == 50
    name = page.locator("h1").first.inner_text()
    newer = page.locator(".pa-pager__newer a")
    assert newer.count() == 1 and not page.locator(".pa-pager__older").count()
    newer.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == name
    assert visible_count(page, ".pa-item") >= 50
    assert page.locator(".pa-pager__older a").is_visible()


def check_dump(page) -> None:
    assert visible_count(page, ".pa-item") >= 10
    assert visible_count(page, ".pa-item .pa-badge--new") >= 1


def check_stats(page) -> None:
    charts = page.locator("svg.pa-chart__svg")
    assert charts.count() == 4
    width = page.viewport_size["width"]
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box and box["width"] > 0.6 * min(width, 900) and box["height"] > 50
    # Bars are drawn, and every label fits on screen without running into its value.
    rows = page.evaluate(
        """() => [...document.querySelectorAll('.pa-chart__row')].map(row => {
            const label = row.querySelector('.pa-chart__label').getBoundingClientRect();
            const value = row.querySelector('.pa-chart__value').getBoundingClientRect();
            const bars = [...row.querySelectorAll('rect:not(.pa-chart__track)')]
                .map(r => r.getBoundingClientRect().width);
            return {labelRight: label.right, labelHeight: label.height, valueLeft: value.left,
                    valueRight: value.right, bar: Math.max(0, ...bars)};
        })"""
    )
    assert len(rows) >= 5
    for row in rows:
        assert row["bar"] > 0 and row["labelHeight"] >= 10
        assert row["labelRight"] < row["valueLeft"] and row["valueRight"] <= width
    assert visible_count(page, ".pa-legend li") >= 2


CHECKS = {
    "home": check_home,
    "paper": check_paper,
    "tag": check_tag,
    "older": check_older,
    "older code": check_older,
    "dump": check_dump,
    "stats": check_stats,
}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(CHECKS))
def test_page_renders_its_key_elements(browser, seed_url, sample, name, viewport):
    with open_page(browser, seed_url + sample[name], viewport) as page:
        assert page.locator("h1").first.is_visible()
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {viewport} width"
        CHECKS[name](page)
        # Feed autodiscovery resolves under the sub-path the site is served from.
        feeds = page.locator('link[rel="alternate"][type="application/atom+xml"]')
        assert feeds.count() >= (2 if name == "tag" else 1)
        for href in [feeds.nth(i).get_attribute("href") for i in range(feeds.count())]:
            response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
            assert response.ok and "<feed" in response.text(), href


def test_nav_reaches_code_and_stats(browser, seed_url):
    with open_page(browser, seed_url, "desktop") as page:
        for label, title in (("Code", "Papers with code"), ("Stats", "Stats")):
            page.locator(".md-nav--primary").get_by_role("link", name=label, exact=True).click()
            page.wait_for_load_state("load")
            assert page.locator("h1").first.inner_text() == title
