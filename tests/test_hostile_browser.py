"""A hostile dump, built by the real build and opened in a real browser: no
dialog opens, no request leaves 127.0.0.1, no console error, and the
hostile text reads literally, character for character."""

from __future__ import annotations

import re

import pytest

from tests.browser import PageWatch
from tests.conftest import make_project, run_generator
from tests.dumpgen import ABSTRACT, daily

TITLE_TAGS = '<script>alert("title")</script><img src=x onerror=alert("title-img")> Hostile title'
TITLE_ENTITIES = '&lt;script&gt;alert("entity")&lt;/script&gt; &#106;avascript:alert(1) look-alike'
MARKUP = [
    '<script>alert("abstract")</script>',
    '<img src=x onerror=alert("img")>',
    '<svg onload=alert("svg")></svg>',
    "<a href=\"javascript:alert('a-js')\">click me</a>",
    '<a href=data:text/html,<script>alert("a-data")</script>>data link</a>',
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<body onload=alert('body')>",
    '[markdown link](javascript:alert("md"))',
    "</p></article><script>alert('breakout')</script>",
]
ENTITIES = [
    "&lt;img src=x onerror=alert(2)&gt;",
    "&#x6A;avascript:alert(3)",
    "&#106;&#97;vascript:alert(4)",
    "&amp;lt;b&amp;gt;",
    "javascript:alert(6)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==",
    "{{ 7*7 }} {% if x %} ${alert(8)}",
    "<!-- a comment -->",
    "---",
]
HOSTILE = [
    (TITLE_TAGS, "Markup in abstracts: " + " ".join(MARKUP) + " must show as plain text."),
    (TITLE_ENTITIES, "Entities written literally: " + " ".join(ENTITIES) + " " + ABSTRACT),
    ("A plain paper about hostile markup", ABSTRACT),
]

# Page scripts may do anything a reader did not ask for; this finds it.
DOM_REPORT = """() => {
  const handlers = [...document.querySelectorAll('*')].flatMap(el =>
    [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name));
  const links = [...document.querySelectorAll('[href],[src],[action],[formaction]')]
    .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action')
               || el.getAttribute('formaction') || '')
    .filter(v => /^\\s*(javascript|data|vbscript):/i.test(v));
  const scripts = [...document.scripts].filter(s => /alert/.test(s.textContent)).length;
  const frames = document.querySelectorAll('iframe, object, embed').length;
  return {handlers, links, scripts, frames};
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hostile"), {"001_hostile.txt": daily(HOSTILE)})
    result = run_generator(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert "3 entries read = 3 papers + 0 repeats + 0 rejected" in result.stderr
    return root / "site"


# A plain word of each hostile paper, to find the pages that show it.
MARKERS = {"Hostile title": TITLE_TAGS, "look-alike": TITLE_ENTITIES}


def pages_showing(site, marker: str) -> list[str]:
    """URL paths of every built page whose HTML holds marker."""
    return [
        "" if p.parent == site else f"{p.parent.relative_to(site)}/"
        for p in sorted(site.rglob("*.html"))
        if marker in p.read_text(encoding="utf-8")
    ]


def paper_title(site, url: str) -> str:
    html = (site / url / "index.html").read_text(encoding="utf-8")
    return re.search(r'<h1 class="pa-paper__title"[^>]*>(.*?)</h1>', html, re.S).group(1)


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_dump_reads_literally_and_runs_nothing(hostile_site, browser, serve_site):  # noqa: F811
    shown = {marker: pages_showing(hostile_site, marker) for marker in MARKERS}
    urls = sorted(set(shown["Hostile title"]) | set(shown["look-alike"]))
    # home, the dump page and each paper page at least (tag pages when YAKE made tags)
    assert {"", "dumps/001_hostile/"} <= set(shown["Hostile title"]) & set(shown["look-alike"])
    # Its own page (other paper pages may name it among related papers).
    paper_of = {
        marker: [
            u for u in pages if u.startswith("papers/") and marker in paper_title(hostile_site, u)
        ]
        for marker, pages in shown.items()
    }
    assert all(len(papers) == 1 for papers in paper_of.values()), paper_of
    with serve_site(hostile_site) as base:
        context = browser.new_context()
        watch = PageWatch(context, base)
        for url in urls:
            page = context.new_page()
            watch.attach(page)
            page.goto(base + url, wait_until="load")
            for link in page.locator(".md-content a").all()[:40]:
                link.hover()  # mouse-over handlers, if any got through
            page.wait_for_timeout(200)  # let deferred scripts and handlers run
            text = page.inner_text("body")
            for marker, title in MARKERS.items():
                if url in shown[marker]:
                    assert title in text, f"{url}: title not shown literally"
            if url in paper_of["Hostile title"]:
                missing = [m for m in MARKUP if m not in text]
                assert missing == [], url
                assert page.title() == f"{TITLE_TAGS} - Paper archive"
                assert page.inner_text("h1") == TITLE_TAGS
            if url in paper_of["look-alike"]:
                missing = [e for e in ENTITIES if e not in text]
                assert missing == [], url
                assert page.title() == f"{TITLE_ENTITIES} - Paper archive"
            report = page.evaluate(DOM_REPORT)
            assert report == {"handlers": [], "links": [], "scripts": 0, "frames": 0}, url
            page.close()
        context.close()
    watch.assert_quiet()


@pytest.mark.browser
def test_page_watch_sees_dialogs_outside_requests_and_console_errors(
    tmp_path,
    browser,  # noqa: F811
    serve_site,  # noqa: F811
):
    """The watch above can fail: on a page that misbehaves, it reports each thing."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>bad</title><p>hi</p>"
        '<img src="https://example.com/pixel.png">'
        '<script>alert("boom"); console.error("broken")</script>'
    )
    with serve_site(tmp_path) as base:
        context = browser.new_context()
        watch = PageWatch(context, base)
        page = context.new_page()
        watch.attach(page)
        page.goto(base, wait_until="load")
        page.wait_for_timeout(200)
        context.close()
    assert watch.dialogs == ["alert: boom"]
    assert watch.outside == ["https://example.com/pixel.png"]
    assert "broken" in watch.console_errors
    with pytest.raises(AssertionError):
        watch.assert_quiet()
