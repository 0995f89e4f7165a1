"""MkDocs plugin `generated-pages` (mkdocs.yml): generated pages skip Markdown.

Every generated page is front matter plus one raw HTML block, escaped by
the templates. Markdown passes such a block through unchanged, but only
after parsing it with an HTML parser: for paper and tag pages that was half
of MkDocs' time. For those pages this hook gives MkDocs the block as the
page content directly. The HTML is the same byte for byte (a test builds
with and without the plugin and compares every file), and without it the
pages still build the same: the Markdown stays engine-neutral.
"""

from __future__ import annotations

from types import MethodType

from mkdocs.plugins import BasePlugin
from mkdocs.structure.toc import get_toc

from generator.render import GENERATED_DIRS, GENERATED_FILES


def is_generated_html(src_uri: str, markdown: str) -> bool:
    generated = src_uri in GENERATED_FILES or src_uri.split("/", 1)[0] in GENERATED_DIRS
    return generated and src_uri.endswith(".md") and markdown.lstrip().startswith("<")


def render_html(page, config, files) -> None:
    """Page.render for a page that is one raw HTML block: what Markdown
    would give, without parsing it (no Markdown headings: no toc, no title
    from the body; links inside raw HTML are not checked by MkDocs)."""
    page.content = page.markdown.strip()
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


class GeneratedPages(BasePlugin):
    def on_page_markdown(self, markdown, page, config, files):
        if is_generated_html(page.file.src_uri, markdown):
            page.render = MethodType(render_html, page)
        return markdown
