"""Reader features rendered next to the core pages: the stats page and
the papers with code (Markdown: render.code_units lists them), Atom feeds and
the data export (plain files: feeds.py and export.py, called from
render.file_units). Each feature keeps its logic in its own module."""

from __future__ import annotations

from jinja2 import Environment

from .stats import archive_stats

FEATURE_DIRS = ("feeds", "code")  # code/: the older pages of code.md
FEATURE_FILES = ("stats.md", "code.md", "papers.json", "papers.csv")


def render_feature_pages(env: Environment, ctx) -> dict[str, str]:
    """Relative path under site_src -> Markdown page, for the stats page."""
    archive = ctx.archive
    with_code = sum(1 for p in archive.papers if p.code_links)
    return {
        "stats.md": env.get_template("stats.md.j2").render(
            ctx=ctx, stats=archive_stats(archive), code_count=with_code, root="../"
        ),
    }
