"""Reading a built site the way a browser would: links, elements, text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse


class PageParser(HTMLParser):
    """Collects elements with their attributes, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_text(path: Path) -> str:
    return " ".join(" ".join(parse_page(path).text).split())


def resolve(site: Path, page: Path, url: str) -> Path | None:
    """The file an internal link points to, or None for external links."""
    parsed = urlparse(url)
    if parsed.scheme or url.startswith("//") or not parsed.path:
        return None
    base = "/" + page.relative_to(site).as_posix()
    target = unquote(urlparse(urljoin(base, parsed.path)).path)
    path = site / target.lstrip("/")
    return path / "index.html" if target.endswith("/") else path


def internal_links(site: Path, page: Path) -> list[tuple[str, Path]]:
    links = []
    for tag, attrs in parse_page(page).elements:
        for attr in ("href", "src"):
            url = attrs.get(attr)
            if url and tag in ("a", "link", "script", "img"):
                target = resolve(site, page, url)
                if target is not None:
                    links.append((url, target))
    return links


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in sorted(site.rglob("*.html")):
        for url, target in internal_links(site, page):
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {url}")
    return broken
