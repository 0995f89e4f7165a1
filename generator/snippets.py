"""HTML pieces that many pages repeat, rendered once and reused.

A paper's list item is on the page of each of its tags (about six), of its
dumps and maybe on the code and home pages; its tag links and code badge on
every page that lists or relates to it. Calling the Jinja macros of
_macros.j2 for each occurrence cost most of the render stage, so each piece
is rendered once from those macros and kept as Markup (already escaped).
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment
from markupsafe import Markup

from .models import Paper


def fill_in(macro, *args) -> str:
    """The macro's output as a str.format pattern with {0}, {1}... where its
    Markup arguments go (None marks an argument to fill in). Filling the
    pattern with Markup values is exact and far cheaper than a macro call,
    for macros that only place those arguments (no test on them)."""
    marks = [Markup(f"\x00{i}\x00") if a is None else a for i, a in enumerate(args)]
    text = str(macro(*marks)).replace("{", "{{").replace("}", "}}")
    for i, a in enumerate(args):
        if a is None:
            text = text.replace(f"\x00{i}\x00", f"{{{i}}}")
    return text


class Snippets:
    def __init__(self, env: Environment, ctx):
        self.macros = env.get_template("_macros.j2").module
        self.ctx = ctx
        self.badges: dict[tuple, Markup] = {}  # (paper slug, filter) -> badge
        self.links: dict[tuple, str] = {}  # (tag slug, root, filter) -> <li>
        self.heads: dict[tuple, str] = {}  # (paper slug, root, new) -> item head
        self.related: dict[tuple, str] = {}  # (paper slug, root) -> <li>
        self.dumps: dict[tuple, str] = {}  # (dump name, root, first) -> <li>
        self.tag_list = fill_in(self.macros.tag_list, None)
        self.item_with_tags = fill_in(self.macros.paper_item, None, None)
        self.item_without_tags = fill_in(self.macros.paper_item, None, Markup(""))

    def code_badge(self, paper: Paper, filter: bool = False) -> Markup:
        key = (paper.slug, filter)
        if key not in self.badges:
            self.badges[key] = self.macros.code_badge(paper, filter=filter)
        return self.badges[key]

    def joined_links(self, slugs: Iterable[str], root: str, filter: str | None = None) -> str:
        links = self.links
        for slug in slugs:
            if (slug, root, filter) not in links:
                links[slug, root, filter] = self.macros.tag_link(self.ctx, slug, root, filter)
        return "".join([links[slug, root, filter] for slug in slugs])

    def tag_links(self, slugs: list[str], root: str, filter: str | None = None) -> Markup:
        return Markup(self.tag_list.format(self.joined_links(slugs, root, filter)))

    def related_links(self, slugs: list[str], root: str) -> Markup:
        """A paper page's related papers, each with its code badge."""
        for slug in slugs:
            if (slug, root) not in self.related:
                paper = self.ctx.papers[slug]
                self.related[slug, root] = self.macros.related_link(paper, root)
        return Markup("".join([self.related[slug, root] for slug in slugs]))

    def dump_links(self, names: list[str], root: str) -> Markup:
        """A paper page's dumps, the first marked as where it was first seen."""
        for i, name in enumerate(names):
            if (name, root, i == 0) not in self.dumps:
                dump = self.ctx.dumps[name]
                self.dumps[name, root, i == 0] = self.macros.dump_link(dump, root, i == 0)
        return Markup("".join([self.dumps[name, root, i == 0] for i, name in enumerate(names)]))

    def listing_items(
        self, slugs: list[str], root: str, made_for: str, skip_tag: str | None = None
    ) -> Markup:
        """A listing page's items, one per line (on a tag's page without
        that tag). Made for a listing's own page (root made_for) and moved
        one folder deeper for its older pages: every link in an item starts
        with the root (dump text is escaped, so no other 'href="' is in
        it), and each item is then made once for both."""
        papers = self.ctx.papers
        items = "".join(
            [f"{self.paper_item(papers[s], made_for, skip_tag=skip_tag)}\n" for s in slugs]
        )
        if root != made_for:
            items = items.replace(f'href="{made_for}', f'href="{root}')
        return Markup(items)

    def paper_items(
        self, papers: list[Paper], root: str, new_in: str | None = None
    ) -> list[Markup]:
        """List items of papers, marked new when first seen in dump new_in."""
        return [self.paper_item(p, root, new=p.first_dump == new_in) for p in papers]

    def paper_item(
        self, paper: Paper, root: str, new: bool = False, skip_tag: str | None = None
    ) -> Markup:
        """The paper's entry in a listing; on a tag's page without that tag."""
        key = (paper.slug, root, new)
        if key not in self.heads:
            self.heads[key] = self.macros.paper_item_head(paper, root, new=new)
        others = [slug for slug in paper.tags if slug != skip_tag]
        if not others:
            return Markup(self.item_without_tags.format(self.heads[key]))
        return Markup(self.item_with_tags.format(self.heads[key], self.joined_links(others, root)))
