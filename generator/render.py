"""Stage 4, render: the archive -> Markdown pages (front matter + escaped
HTML) for MkDocs, from Jinja templates with autoescaping on.

Dump text is untrusted. Every value reaches the page through a template
variable, so it is HTML-escaped; the body is a raw HTML block, so Markdown
never interprets it; front matter is written by yaml.safe_dump, and its
title is pre-escaped because Material prints page titles unescaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .export import render_exports
from .features import FEATURE_DIRS, FEATURE_FILES, render_feature_pages
from .feeds import Feeds, tag_feed_path
from .freshness import fingerprint
from .listings import ListingPage, first_listed, listing_pages, page_path, pager
from .merge import paper_key
from .models import Archive, Dump, Paper, Tag
from .snippets import Snippets

GENERATED_DIRS = ("papers", "tags", "dumps", *FEATURE_DIRS)
GENERATED_FILES = ("index.md", *FEATURE_FILES)
HOME_TAGS = 40
HOME_NEW_PAPERS = 30
# libyaml's safe dumper when present: same output, several times faster
# (front matter was 40% of rendering).
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(data: dict) -> Markup:
    text = yaml.dump(data, Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=True, width=1000)
    return Markup(f"---\n{text}---\n")


def first_sentence(text: str, limit: int = 240) -> str:
    match = re.search(r"^(.{20,}?[.!?])\s+(?=[A-Z(])", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "\u2026"
    return sentence


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("generator", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["front_matter"] = front_matter
    env.filters["first_sentence"] = first_sentence
    env.filters["page_title"] = lambda s: html.escape(s, quote=True)
    env.filters["tag_feed_path"] = tag_feed_path
    return env


@dataclass
class Context:
    """Lookups shared by every template."""

    archive: Archive
    papers: dict[str, Paper]
    tags: dict
    dumps: dict[str, Dump]
    new_in: dict[str, list[Paper]]  # dump name -> papers first seen there
    by_title: dict[str, Paper]  # paper_key(title) -> paper
    first_listed: dict[str, tuple[int, int]]  # slug -> (its first dump's place, its line there)
    snippets: Snippets | None = None  # set by build_context
    item_prints: dict[str, str] = field(default_factory=dict)  # item_print's memo


def build_context(archive: Archive, env: Environment) -> Context:
    new_in: dict[str, list[Paper]] = {d.name: [] for d in archive.dumps}
    for paper in archive.papers:
        new_in[paper.first_dump].append(paper)
    ctx = Context(
        archive=archive,
        papers={p.slug: p for p in archive.papers},
        tags={t.slug: t for t in archive.tags},
        dumps={d.name: d for d in archive.dumps},
        new_in=new_in,
        by_title={paper_key(p.title): p for p in archive.papers},
        first_listed=first_listed(archive),
    )
    ctx.snippets = Snippets(env, ctx)
    return ctx


def dump_papers(ctx: Context, dump: Dump) -> list[Paper]:
    """The dump's papers in listing order, each once."""
    seen, result = set(), []
    for entry in dump.entries:
        paper = ctx.by_title.get(paper_key(entry.title))
        if paper and paper.slug not in seen:
            seen.add(paper.slug)
            result.append(paper)
    return result


# Renders a few pages: relative path -> text, or its UTF-8 bytes (the exports).
Unit = Callable[[], dict[str, str | bytes]]


@dataclass
class Page:
    """A unit of one page. inputs, for the pages a rebuild mostly leaves
    as they were (papers, tags): all the page shows, so the same inputs
    make the same page and render_runs need not render it again."""

    path: str
    render: Callable[[], str]
    inputs: Callable[[], tuple] | None = None

    def __call__(self) -> dict[str, str]:
        return {self.path: self.render()}


def paper_inputs(ctx: Context, p: Paper) -> tuple:
    """What paper.md.j2 shows of a paper and of the tags, related papers and
    dumps it links to. tests/test_render.py changes every field of each and
    checks that what changes the page changes this."""
    tags, papers, dumps = ctx.tags, ctx.papers, ctx.dumps
    return (
        p.slug, p.title, p.text, tuple(p.links), tuple(p.keywords),
        tuple((t, tags[t].name) for t in p.tags),
        tuple((r, papers[r].title, tuple(papers[r].code_links)) for r in p.related),
        tuple((d, dumps[d].listing_date) for d in p.dumps),
    )  # fmt: skip


def item_print(ctx: Context, slug: str) -> str:
    """Fingerprint of a paper's item in a listing, with its tags; each
    paper's is made once: a paper is listed on the pages of each of its
    tags and dumps."""
    items = ctx.item_prints
    if slug not in items:
        p, tags = ctx.papers[slug], ctx.tags
        named = tuple((t, tags[t].name) for t in p.tags)
        items[slug] = fingerprint((slug, p.title, p.text, tuple(p.code_links), named))
    return items[slug]


def listing_inputs(ctx: Context, listing: ListingPage, links: tuple, above: tuple) -> tuple:
    """What one page of a long listing (tag.md.j2, code.md.j2) shows: what
    is above the list (above: the tag, or the counts on the listing's own
    page), the page's place, its links to the listing's other pages and,
    per paper, its item with its tags (on a tag's page, but that one)."""
    items = tuple(item_print(ctx, s) for s in listing.papers)
    pages = tuple((link.rel, link.number, link.label) for link in links)
    return above, listing.number, listing.first, listing.last, pages, items


def listing_units(
    ctx: Context, page: Callable, base: str, template: str, papers: list[str], above, **values
) -> list[Unit]:
    """A long listing's own page (base.md, address base/) and its older
    pages (listings.py), from template with listing, links, root and
    own_root (the own page's root, which its items are made for).
    above(own): what the page shows above the list, for its inputs."""
    listing = listing_pages(papers, ctx.first_listed.__getitem__)
    own_root = "../" * (base.count("/") + 1)
    units = []
    for at, shown in enumerate(listing):
        links = pager(listing, at)
        inputs = partial(listing_inputs, ctx, shown, links, above(at == 0))
        root = own_root if at == 0 else own_root + "../"
        path = page_path(base, shown.number)
        shows = dict(listing=shown, links=links, root=root, own_root=own_root)
        units.append(page(path, template, inputs, **values, **shows))
    return units


def tag_units(ctx: Context, tag: Tag, page: Callable) -> list[Unit]:
    """The tag's own page (with its number of papers) and its older pages."""

    def above(own: bool) -> tuple:
        return tag.slug, tag.name, len(tag.papers) if own else None

    return listing_units(ctx, page, f"tags/{tag.slug}", "tag.md.j2", tag.papers, above, tag=tag)


def code_units(ctx: Context, page: Callable) -> list[Unit]:
    """The papers with code: their own page (with how many of all papers
    they are) and its older pages."""
    with_code = [p.slug for p in ctx.archive.papers if p.code_links]  # listing_pages orders them
    total = len(ctx.archive.papers)

    def above(own: bool) -> tuple:
        return (len(with_code), total) if own else ()

    return listing_units(ctx, page, "code", "code.md.j2", with_code, above, total=total)


def dump_inputs(ctx: Context, dump: Dump, papers: list[Paper]) -> tuple:
    """What dump.md.j2 shows: the dump, its counts and, per paper, its
    item, marked new when first seen in this dump."""
    new = dump.name
    listed = tuple((item_print(ctx, p.slug), p.first_dump == new) for p in papers)
    counts = (len(dump.entries), len(ctx.new_in[dump.name]))
    return dump.name, dump.listing_date, dump.layout, counts, listed


def render_pages(archive: Archive) -> dict[str, str]:
    """Relative path under site_src -> page text, for every generated page."""
    pages: dict[str, str] = {}
    for unit in page_units(archive):
        pages.update(unit())
    return pages


def page_units(archive: Archive) -> list[Unit]:
    """Every generated page as units of work, one per paper or tag page and
    one per small group of others. Templates are loaded here, once: forked
    workers can then render runs of units (render_runs.py) without
    compiling them again."""
    env = make_env()
    ctx = build_context(archive, env)
    common = {"ctx": ctx}

    templates: dict = {}

    def page(path: str, template: str, inputs=None, **values) -> Page:
        # Looked up once: get_template checks the file's mtime on every call.
        if template not in templates:
            templates[template] = env.get_template(template)
        tpl = templates[template]
        return Page(path, lambda: tpl.render(common, **values), inputs)

    # The units that list the most papers first, the paper pages last: the
    # workers take runs of units in this order, so the last runs are short
    # and even (20,000 + 200 papers: a last run of the dump and feature
    # pages, 1.3 s, had left one core idle).
    units: list[Unit] = [lambda: render_feature_pages(env, ctx)]
    top_tags = sorted(archive.tags, key=lambda t: (-len(t.papers), t.slug))[:HOME_TAGS]
    newest = archive.dumps[-1] if archive.dumps else None
    newest_papers = ctx.new_in[newest.name][:HOME_NEW_PAPERS] if newest else []
    home = dict(top_tags=top_tags, newest=newest, newest_papers=newest_papers, root="")
    units.append(page("index.md", "home.md.j2", **home))
    listings = {d.name: dump_papers(ctx, d) for d in archive.dumps}
    units.append(page("dumps/index.md", "dumps_index.md.j2", listings=listings, root="../"))
    units += code_units(ctx, page)
    for dump in archive.dumps:
        path = f"dumps/{dump.name}.md"
        inputs = partial(dump_inputs, ctx, dump, listings[dump.name])
        units.append(
            page(path, "dump.md.j2", inputs, dump=dump, papers=listings[dump.name], root="../../")
        )
    letters: dict[str, list] = {}
    for tag in sorted(archive.tags, key=lambda t: (t.name.lower(), t.slug)):
        first = tag.name[:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(tag)
    units.append(
        page("tags/index.md", "tags_index.md.j2", letters=sorted(letters.items()), root="../")
    )
    for tag in sorted(archive.tags, key=lambda t: -len(t.papers)):
        units += tag_units(ctx, tag, page)
    units += [
        page(
            f"papers/{p.slug}.md",
            "paper.md.j2",
            partial(paper_inputs, ctx, p),
            paper=p,
            root="../../",
        )
        for p in archive.papers
    ]
    return units


def file_units(archive: Archive, site_url: str = "") -> list[Unit]:
    """The files that are not pages, as units of work: the archive-wide
    feed with papers.json and papers.csv, and each tag's Atom feed, a Page
    of its own that is rendered again only when what it shows changed."""
    feeds = Feeds(make_env(), archive, site_url)
    units: list[Unit] = [lambda: {**feeds.latest(), **render_exports(archive, site_url)}]
    if archive.dumps:  # no dump, no feed
        units += [
            Page(tag_feed_path(t.slug), partial(feeds.tag_feed, t), partial(feeds.tag_inputs, t))
            for t in archive.tags
        ]
    return units
