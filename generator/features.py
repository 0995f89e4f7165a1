"""Reader features rendered next to the core pages: the stats and
papers-with-code pages (Markdown, called from render_pages), Atom feeds and
the data export (plain files: feeds.py and export.py, called from
render.file_units). Each feature keeps its logic in its own module."""

from __future__ import annotations

from jinja2 import Environment

from .feeds import newest_first
from .models import Archive, Paper
from .stats import archive_stats

FEATURE_DIRS = ("feeds",)
FEATURE_FILES = ("stats.md", "code.md", "papers.json", "papers.csv")


def papers_with_code(archive: Archive) -> list[Paper]:
    order = {d.name: i for i, d in enumerate(archive.dumps)}
    return newest_first([p for p in archive.papers if p.code_links], order)


def render_feature_pages(env: Environment, ctx) -> dict[str, str]:
    """Relative path under site_src -> Markdown page, for the stats and code pages."""
    archive = ctx.archive
    with_code = papers_with_code(archive)
    return {
        "stats.md": env.get_template("stats.md.j2").render(
            ctx=ctx, stats=archive_stats(archive), code_count=len(with_code), root="../"
        ),
        "code.md": env.get_template("code.md.j2").render(ctx=ctx, papers=with_code, root="../"),
    }
