"""MkDocs plugin `generated-pages` (mkdocs.yml): generated pages skip Markdown.

Every generated page is front matter plus one raw HTML block, escaped by
the templates. Markdown passes such a block through unchanged, but only
after parsing it with an HTML parser: for paper and tag pages that was half
of MkDocs' time. For those pages this hook gives MkDocs the block as the
page content directly. The HTML is the same byte for byte (a test builds
with and without the plugin and compares every file), and without it the
pages still build the same: the Markdown stays engine-neutral.

It also renders the theme's page-independent blocks (the sidebars, the
footer, the config script, styles and scripts) once per folder for
generated pages outside the nav, instead of once per page: with Markdown
gone, Material's templates are most of MkDocs' time, and these blocks are
the same on every paper page. `theme_overrides/main.html` asks for them
through `reuse_block`; without the plugin it renders them as usual.

A generated page's block is read again from its file when the page is
written, and dropped once it is: MkDocs reads every page before it writes
any, and holding every block in between was most of its memory (about
0.7 GB at 20,000 papers).
"""

from __future__ import annotations

import posixpath
from types import MethodType

from mkdocs.plugins import BasePlugin
from mkdocs.structure.toc import get_toc

from generator.progress import progress_bar
from generator.render import GENERATED_DIRS, GENERATED_FILES


def is_generated_html(src_uri: str, markdown: str) -> bool:
    generated = src_uri in GENERATED_FILES or src_uri.split("/", 1)[0] in GENERATED_DIRS
    return generated and src_uri.endswith(".md") and markdown.lstrip().startswith("<")


def render_html(page, config, files) -> None:
    """Page.render for a page that is one raw HTML block: what Markdown
    would give, without parsing it (no Markdown headings: no toc, no title
    from the body; links inside raw HTML are not checked by MkDocs). The
    block itself is set by GeneratedPages.on_page_context, when the page is
    written."""
    page.markdown = page.content = ""  # "", not None: MkDocs reads None as unread
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def html_block(page, length: int) -> str:
    """The page's raw HTML block, read again from its file: the last
    `length` characters of the source are what followed the front matter
    (MkDocs' meta.get_data keeps a suffix of the file's text)."""
    source = page.file.content_string
    return source[len(source) - length :].strip()


def shared_block_key(page, nav) -> tuple | None:
    """What the reusable blocks of a generated page depend on, or None when
    they depend on the page itself: a page in the nav is marked active in
    it, and a page with headings has its own table of contents. Links are
    relative, so pages share blocks only within one folder."""
    if page in nav.pages or len(page.toc):
        return None
    hide = page.meta.get("hide") or ()
    folder = posixpath.dirname(page.url.rstrip("/"))
    return folder, tuple(hide) if isinstance(hide, list) else hide


class GeneratedPages(BasePlugin):
    def __init__(self):
        # src_uri -> length of the page's Markdown after its front matter
        self.generated: dict[str, int] = {}
        self.blocks: dict[tuple, str] = {}
        self.bar = progress_bar(0, "mkdocs", False)

    # A progress bar over MkDocs' two passes on the pages (read, then
    # template and write), shown as pages, on a terminal only.
    def on_files(self, files, config):
        pages = len(files.documentation_pages())
        self.bar = progress_bar(pages, "mkdocs", unit="page", steps=2)
        return files

    def on_page_markdown(self, markdown, page, config, files):
        self.bar.update()
        if is_generated_html(page.file.src_uri, markdown):
            page.render = MethodType(render_html, page)
            self.generated[page.file.src_uri] = len(markdown)
        return markdown

    def on_post_page(self, output, page, config):
        self.bar.update()
        if page.file.src_uri in self.generated:
            page.content = ""  # written: let the block go
        return output

    def on_post_build(self, config):
        self.bar.close()

    def on_build_error(self, error):
        self.bar.close()

    def on_env(self, env, config, files):
        self.blocks = {}  # one build's blocks: `mkdocs serve` rebuilds
        env.globals["reuse_block"] = self.reuse_block
        return env

    def reuse_block(self, name: str, key: tuple, caller) -> str:
        """A template block rendered once per key (a Jinja call block)."""
        found = self.blocks.get((name, key))
        if found is None:
            found = self.blocks[name, key] = caller()
        return found

    def on_page_context(self, context, page, config, nav):
        length = self.generated.get(page.file.src_uri)
        if length is not None:
            page.content = html_block(page, length)
            context["shared_block_key"] = shared_block_key(page, nav)
        return context
