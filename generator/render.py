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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .features import FEATURE_DIRS, FEATURE_FILES, render_feature_files, render_feature_pages
from .feeds import tag_feed_path
from .merge import paper_key
from .models import Archive, Dump, Paper
from .progress import progress_bar
from .snippets import Snippets
from .writer import WriteCounts, write_changed

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
    snippets: Snippets | None = None  # set by build_context


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


def render_pages(archive: Archive, progress: bool | None = None) -> dict[str, str]:
    """Relative path under site_src -> page text, for every generated page.
    progress: a bar over the paper and tag pages (default: on a terminal)."""
    return dict(iter_pages(archive, progress))


def render_page_bytes(archive: Archive, progress: bool | None = None) -> dict[str, bytes]:
    """render_pages, each page UTF-8 encoded as soon as it is rendered: a
    third of the pages hold a non-ASCII character, which makes Python keep
    the whole str at 2 or 4 bytes a character (660 MB of str against 373 MB
    of UTF-8 at 20,000 papers)."""
    return {path: text.encode("utf-8") for path, text in iter_pages(archive, progress)}


def iter_pages(archive: Archive, progress: bool | None = None) -> Iterator[tuple[str, str]]:
    """(relative path under site_src, page text) for every generated page."""
    env = make_env()
    ctx = build_context(archive, env)
    common = {"ctx": ctx}
    bar = progress_bar(len(archive.papers) + len(archive.tags), "render", progress, unit="page")
    paper_tpl = env.get_template("paper.md.j2")
    for paper in archive.papers:
        yield f"papers/{paper.slug}.md", paper_tpl.render(common, paper=paper, root="../../")
        bar.update()
    tag_tpl = env.get_template("tag.md.j2")
    for tag in archive.tags:
        yield f"tags/{tag.slug}.md", tag_tpl.render(common, tag=tag, root="../../")
        bar.update()
    bar.close()
    letters: dict[str, list] = {}
    for tag in sorted(archive.tags, key=lambda t: (t.name.lower(), t.slug)):
        first = tag.name[:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(tag)
    yield (
        "tags/index.md",
        env.get_template("tags_index.md.j2").render(
            common, letters=sorted(letters.items()), root="../"
        ),
    )
    dump_tpl = env.get_template("dump.md.j2")
    listings = {d.name: dump_papers(ctx, d) for d in archive.dumps}
    for dump in archive.dumps:
        yield (
            f"dumps/{dump.name}.md",
            dump_tpl.render(common, dump=dump, papers=listings[dump.name], root="../../"),
        )
    yield (
        "dumps/index.md",
        env.get_template("dumps_index.md.j2").render(common, listings=listings, root="../"),
    )
    top_tags = sorted(archive.tags, key=lambda t: (-len(t.papers), t.slug))[:HOME_TAGS]
    newest = archive.dumps[-1] if archive.dumps else None
    yield (
        "index.md",
        env.get_template("home.md.j2").render(
            common,
            top_tags=top_tags,
            newest=newest,
            newest_papers=ctx.new_in[newest.name][:HOME_NEW_PAPERS] if newest else [],
            root="",
        ),
    )
    yield from render_feature_pages(env, ctx).items()


def render_files(archive: Archive, site_url: str = "") -> dict[str, str]:
    """Relative path under site_src -> text, for the files that are not
    pages: Atom feeds, papers.json and papers.csv."""
    return render_feature_files(make_env(), archive, site_url)


def write_pages(
    pages: dict[str, str | bytes], site_src: Path, progress: bool | None = None
) -> WriteCounts:
    """Make the generated pages under site_src exactly `pages` (text, or
    its UTF-8 bytes), writing only files that changed; hand-written files stay."""
    with progress_bar(len(pages), "write", progress, unit="file") as bar:
        return write_changed(pages, site_src, GENERATED_DIRS, GENERATED_FILES, bar.update)
