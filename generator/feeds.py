"""Atom feeds: the archive's newest papers, and one feed per tag.

Written into site_src/feeds/ so MkDocs copies them into the site. Dumps
carry no year (a daily listing says "Sep 19"; a search dump says nothing),
so feed dates encode dump order instead of the clock: dump number N (the
sequence number its file name starts with) is dated FEED_EPOCH + N days.
The same dumps always give the same feeds, and a newer dump always dates
later. Ids are name-based UUIDs of the paper slug or tag slug, so they never
change; links are absolute when mkdocs.yml sets site_url, else relative to
the feed file (RFC 4287 resolves them against the feed's own URL).

Material's script fetches "sitemap.xml" next to the target of every
<link rel="alternate"> in a page (it expects language versions of the
site), so each feed folder gets an empty sitemap: without it every page
load would cost a 404, and with a feed at the site root it would download
the whole site's sitemap instead.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from .freshness import fingerprint
from .listings import first_listed, newest_first_key
from .models import Archive, Dump, Paper, Tag

FEED_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
LATEST_ENTRIES = 100  # papers in the archive-wide feed, newest dumps first
TAG_ENTRIES = 30  # papers per tag feed, newest first
TAG_SUMMARY_CHARS = 300  # tag feeds are many: a shorter summary keeps them small
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "paper-archive")
LATEST_FEED = "feeds/latest.xml"
# Characters XML 1.0 forbids; dump text may contain them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- Empty on purpose: see generator/feeds.py. -->\n"
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)


def tag_feed_path(slug: str) -> str:
    return f"feeds/tags/{slug}.xml"


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


def dump_dates(dumps: list[Dump]) -> dict[str, datetime]:
    """Dump name -> its feed date: strictly later for every later dump."""
    dates: dict[str, datetime] = {}
    previous = -1
    for index, dump in enumerate(dumps):
        number = re.match(r"\d+", dump.name)
        day = max(int(number.group()) if number else index, previous + 1)
        dates[dump.name] = FEED_EPOCH + timedelta(days=day)
        previous = day
    return dates


def atom_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_id(kind: str, slug: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, f'{kind}/{slug}')}"


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "\u2026"


def newest_first(papers: list[Paper], first: dict[str, tuple[int, int]]) -> list[Paper]:
    """first: listings.first_listed."""
    return sorted(papers, key=lambda p: newest_first_key(*first[p.slug], p.slug))


def feed_base(site_url: str, path: str) -> str:
    """What entry and feed links start with: site_url, else the way back
    from the feed file to the site root."""
    return site_url if site_url else "../" * path.count("/")


class FeedEntries:
    """Atom <entry> elements, each paper's rendered once per base and summary
    length: a paper sits in up to TAG_ENTRIES-long feeds of all its tags."""

    def __init__(self, env: Environment, archive: Archive):
        self.macro = env.get_template("_feed.j2").module.feed_entry
        self.dates = {name: atom_date(d) for name, d in dump_dates(archive.dumps).items()}
        self.tag_names = {t.slug: t.name for t in archive.tags}
        self.rendered: dict[tuple, Markup] = {}

    def updated(self, paper: Paper) -> str:
        return self.dates[paper.first_dump]

    def data(self, p: Paper, summary_chars: int | None) -> dict:
        return {
            "id": atom_id("paper", p.slug),
            "title": xml_text(p.title),
            "path": f"papers/{p.slug}/",
            "updated": self.updated(p),
            "summary": xml_text(shorten(p.text, summary_chars) if summary_chars else p.text),
            "categories": [(slug, xml_text(self.tag_names[slug])) for slug in p.tags],
        }

    def entry(self, paper: Paper, base: str, summary_chars: int | None) -> Markup:
        key = (paper.slug, base, summary_chars)
        if key not in self.rendered:
            self.rendered[key] = self.macro(self.data(paper, summary_chars), base)
        return self.rendered[key]


class Feeds:
    """Every feed of an archive, each rendered on its own: a tag's feed is
    a page of its own for render_runs, rendered again only when
    tag_inputs changed."""

    def __init__(self, env: Environment, archive: Archive, site_url: str = ""):
        self.template = env.get_template("feed.xml.j2")
        self.entries = FeedEntries(env, archive)
        self.archive, self.site_url = archive, site_url
        self.papers = {p.slug: p for p in archive.papers}
        self.everything = newest_first(archive.papers, first_listed(archive))
        # newest_first is a total order (slugs are unique): a tag's papers sort
        # by their place in the whole archive's order, a cheaper key.
        self.rank = {p.slug: i for i, p in enumerate(self.everything)}
        self.item_prints: dict[str, str] = {}  # tag_inputs' memo

    def latest(self) -> dict[str, str]:
        """The archive-wide feed and the feed folders' sitemaps."""
        if not self.archive.dumps:
            return {}
        base = feed_base(self.site_url, LATEST_FEED)
        entries = self.entries
        return {
            "feeds/sitemap.xml": EMPTY_SITEMAP,
            "feeds/tags/sitemap.xml": EMPTY_SITEMAP,
            LATEST_FEED: self.template.render(
                id=atom_id("feed", "latest"),
                title="Paper archive: new papers",
                subtitle="Papers new to the archive, newest dump first.",
                path=LATEST_FEED,
                page="",
                updated=entries.dates[self.archive.dumps[-1].name],
                entries=[entries.entry(p, base, None) for p in self.everything[:LATEST_ENTRIES]],
                base=base,
            ),
        }

    def shown(self, tag: Tag) -> list[Paper]:
        newest = sorted(tag.papers, key=self.rank.__getitem__)[:TAG_ENTRIES]
        return [self.papers[s] for s in newest]

    def tag_feed(self, tag: Tag) -> str:
        return render_tag_feed(self.template, self.entries, self.site_url, tag, self.shown(tag))

    def tag_inputs(self, tag: Tag) -> tuple:
        """All a tag's feed shows: the tag, the site address and its newest
        papers, each with its date and its tags' names (fingerprinted once:
        a paper is in the feeds of all its tags)."""
        items, names = self.item_prints, self.entries.tag_names
        for p in (shown := self.shown(tag)):
            if p.slug not in items:
                named = tuple((t, names[t]) for t in p.tags)
                date = self.entries.updated(p)
                items[p.slug] = fingerprint((p.slug, p.title, p.text, date, named))
        return tag.slug, tag.name, self.site_url, tuple(items[p.slug] for p in shown)


def render_feeds(env: Environment, archive: Archive, site_url: str = "") -> dict[str, str]:
    """Relative path under site_src -> Atom XML, for the latest feed and every tag."""
    if not archive.dumps:
        return {}
    feeds = Feeds(env, archive, site_url)
    files = feeds.latest()
    for tag in archive.tags:
        files[tag_feed_path(tag.slug)] = feeds.tag_feed(tag)
    return files


def render_tag_feed(template, entries: FeedEntries, site_url: str, tag: Tag, papers: list[Paper]):
    shown = papers[:TAG_ENTRIES]
    path = tag_feed_path(tag.slug)
    base = feed_base(site_url, path)
    return template.render(
        id=atom_id("tag", tag.slug),
        title=f"Paper archive: {xml_text(tag.name)}",
        subtitle=f"Papers tagged \u201c{xml_text(tag.name)}\u201d, newest first.",
        path=path,
        page=f"tags/{tag.slug}/",
        updated=max(entries.updated(p) for p in shown),
        entries=[entries.entry(p, base, TAG_SUMMARY_CHARS) for p in shown],
        base=base,
    )


def read_site_url(config: Path) -> str:
    """site_url from mkdocs.yml ('' when unset), with a trailing slash.
    Loaded the way MkDocs loads it, so !ENV works."""
    from mkdocs.utils.yaml import yaml_load

    if not config.exists():
        return ""
    with config.open(encoding="utf-8") as handle:
        url = (yaml_load(handle) or {}).get("site_url") or ""
    return url if not url or url.endswith("/") else url + "/"
