"""Shared browser-test helpers: a static server for a built site on
127.0.0.1 and Debian's headless chromium driven by Playwright.

conftest.py registers the `browser` and `serve_site` fixtures for every
test module (a test module must not import them again: each import would
start its own Playwright):

    @pytest.mark.browser
    def test_x(browser, serve_site, some_built_site):
        with serve_site(some_built_site / "site") as base_url:
            page = browser.new_page()
            page.goto(base_url)

Browser tests skip when /usr/bin/chromium is missing, except under CI=true,
where they fail: CI must run them. Never `playwright install`.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    not_found: Path | None = None  # the page a 404 answers with, as on GitHub Pages

    def send_error(self, code, message=None, explain=None):
        if code != 404 or not (self.not_found and self.not_found.is_file()):
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serving(site: Path, prefix: str = "") -> Iterator[str]:
    """Serve site/ over http on 127.0.0.1 at a free port; yields the base URL.
    With a prefix the site lives under /prefix/, as on a GitHub Pages
    project site (https://user.github.io/repo/). A missing page gets the
    site's 404.html with status 404, as GitHub Pages answers."""
    with tempfile.TemporaryDirectory() as mount:
        root = Path(site)
        if prefix:
            os.symlink(root.resolve(), Path(mount) / prefix)
            root = Path(mount)
        pages = type("Handler", (QuietHandler,), {"not_found": Path(site) / "404.html"})
        handler = functools.partial(pages, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            path = f"/{prefix}/" if prefix else "/"
            yield f"http://127.0.0.1:{server.server_address[1]}{path}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


@pytest.fixture
def serve_site():
    """The `serving` context manager, as a fixture."""
    return serving


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's headless chromium (also for bench/, outside pytest)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    with chromium() as launched:
        yield launched


class PageWatch:
    """Everything a page did that a reader did not ask for: dialogs opened,
    requests to anywhere but 127.0.0.1 (aborted), console errors, uncaught
    exceptions."""

    def __init__(self, context, base_url: str):
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.base_url = base_url
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base_url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def attach(self, page) -> None:
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_quiet(self) -> None:
        assert self.dialogs == [], "a dialog opened"
        assert self.outside == [], "a request left 127.0.0.1"
        assert self.console_errors == [] and self.page_errors == []


# Viewports and page helpers for tests that look at the built pages.

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="session")
def seed_url(seed_site: Path) -> Iterator[str]:
    """The real seed build (conftest's seed_site) served over http under a
    sub-path (/archive/), as GitHub Pages serves a project site: a link
    that assumes the site sits at the server root breaks there."""
    with serving(seed_site / "site", prefix="archive") as url:
        yield url


@contextlib.contextmanager
def open_page(browser, url: str, viewport: str = "desktop"):
    """A page of a fresh context at a named viewport (phone: mobile, touch),
    loaded from url. Requests that leave 127.0.0.1 are refused."""
    width, height = VIEWPORTS[viewport]
    phone = viewport == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    origin = urllib.parse.urlsplit(url)
    watch = PageWatch(context, f"{origin.scheme}://{origin.netloc}/")
    page = context.new_page()
    watch.attach(page)
    try:
        page.goto(url, wait_until="load")
        yield page
        watch.assert_quiet()  # no request left 127.0.0.1, no 404, no script error
    finally:
        context.close()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 is right)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
