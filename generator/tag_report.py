"""`python -m generator tags`: the tag vocabulary as a maintainer checks it.

Prints the most used tags with their paper counts, how many papers carry
three tags or more, and for an evenly spread sample of papers their
keywords and tags.
"""

from __future__ import annotations

from .models import Paper, Tag

ENOUGH_TAGS = 3


def tag_report(papers: list[Paper], tags: list[Tag], top: int = 100, sample: int = 10) -> str:
    names = {t.slug: t.name for t in tags}
    ranked = sorted(tags, key=lambda t: (-len(t.papers), t.slug))
    enough = sum(1 for p in papers if len(p.tags) >= ENOUGH_TAGS)
    share = enough / len(papers) if papers else 0.0
    lines = [
        f"{len(tags)} tags over {len(papers)} papers;"
        f" {enough} papers ({share:.1%}) carry {ENOUGH_TAGS} tags or more",
        "",
        f"Top {min(top, len(ranked))} tags (papers):",
    ]
    lines += [f"{i:4}. {t.name} ({len(t.papers)})" for i, t in enumerate(ranked[:top], 1)]
    ordered = sorted(papers, key=lambda p: p.slug)
    step = max(1, len(ordered) // sample) if sample > 0 else 0
    picked = ordered[::step][:sample] if step else []
    if picked:
        lines += ["", f"Sample of {len(picked)} papers:"]
    for paper in picked:
        lines += [
            f"- {paper.title}",
            f"    keywords: {'; '.join(paper.keywords) or '-'}",
            f"    tags:     {'; '.join(names[s] for s in paper.tags) or '-'}",
        ]
    return "\n".join(lines) + "\n"
