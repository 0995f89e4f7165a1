"""Stats: the numbers behind the stats page, laid out as SVG chart geometry.

Charts are inline SVG drawn at build time (no script, nothing fetched).
Horizontal positions are percentages and vertical ones pixels, so a chart
fills any screen width while its text keeps its real size: on a phone the
bars get shorter, the labels do not shrink.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from .listings import first_listed
from .models import Archive, Dump, Tag

DUMPS_SHOWN = 30  # latest dumps in the per-dump chart
TAGS_SHOWN = 15  # most used tags
GROWTH_TAGS = 6  # tags drawn in the growth chart
LABEL_CHARS = 32
ROW = 40  # px per bar row: a label line, then the bar
LINE_HEIGHT = 200  # px of a line chart's plotting area
LINE_TOP = 14
X_LEFT, X_RIGHT = 9.0, 97.0  # % of the width a line chart's x axis spans


@dataclass
class Bar:
    label: str
    value_text: str
    y: int  # px: top of the row
    segments: list[tuple[str, float, float]]  # (css class, x %, width %)
    href: str = ""


@dataclass
class Series:
    name: str
    href: str
    css: str
    counts: list[int]
    points: list[tuple[float, float]]  # (x %, y px)

    @property
    def segments(self) -> list[tuple[float, float, float, float]]:
        return [(*a, *b) for a, b in zip(self.points, self.points[1:], strict=False)]


@dataclass
class LineChart:
    series: list[Series]
    ticks: list[tuple[float, str]]  # (x %, dump label) under the x axis
    highest: int

    @property
    def top(self) -> int:
        return LINE_TOP

    @property
    def bottom(self) -> int:
        return LINE_TOP + LINE_HEIGHT

    @property
    def height(self) -> int:
        return LINE_TOP + LINE_HEIGHT + 24

    @property
    def x_left(self) -> float:
        return X_LEFT

    @property
    def x_right(self) -> float:
        return X_RIGHT


@dataclass
class Stats:
    dump_bars: list[Bar]
    dumps_hidden: int
    tag_bars: list[Bar]
    tag_growth: LineChart
    tags_in_use: LineChart
    total_dumps: int

    @property
    def dump_chart_height(self) -> int:
        return ROW * len(self.dump_bars) + 4

    @property
    def tag_chart_height(self) -> int:
        return ROW * len(self.tag_bars) + 4


def short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "\u2026"


def pct(value: float, total: float) -> float:
    return round(100.0 * value / total, 2) if total else 0.0


def dump_bars(archive: Archive) -> tuple[list[Bar], int]:
    listed = Counter(name for p in archive.papers for name in p.dumps)
    new = Counter(p.first_dump for p in archive.papers)
    shown = archive.dumps[-DUMPS_SHOWN:][::-1]  # newest first, like the dumps page
    widest = max((listed[d.name] for d in shown), default=0)
    bars = []
    for row, dump in enumerate(shown):
        fresh, total = new[dump.name], listed[dump.name]
        seen = total - fresh
        label = dump.name + (f" \u00b7 {dump.listing_date}" if dump.listing_date else "")
        bars.append(
            Bar(
                label=short(label),
                value_text=f"{fresh} new \u00b7 {seen} seen",
                y=row * ROW,
                segments=[
                    ("pa-chart__new", 0.0, pct(fresh, widest)),
                    ("pa-chart__seen", pct(fresh, widest), pct(seen, widest)),
                ],
                href=f"dumps/{dump.name}/",
            )
        )
    return bars, len(archive.dumps) - len(shown)


def tag_bars(archive: Archive) -> list[Bar]:
    top = sorted(archive.tags, key=lambda t: (-len(t.papers), t.slug))[:TAGS_SHOWN]
    widest = max((len(t.papers) for t in top), default=0)
    return [
        Bar(
            label=short(tag.name),
            value_text=f"{len(tag.papers)} papers",
            y=row * ROW,
            segments=[("pa-chart__tag", 0.0, pct(len(tag.papers), widest))],
            href=f"tags/{tag.slug}/",
        )
        for row, tag in enumerate(top)
    ]


def first_dump_index(archive: Archive) -> dict[str, int]:
    """Paper slug -> position of the dump it first appeared in."""
    return {slug: dump for slug, (dump, _) in first_listed(archive).items()}


def cumulative_counts(archive: Archive, tags: list[Tag]) -> dict[str, list[int]]:
    """Tag slug -> how many of its papers had appeared by each dump."""
    first = first_dump_index(archive)
    result = {}
    for tag in tags:
        per_dump = [0] * len(archive.dumps)
        for paper_slug in tag.papers:
            per_dump[first[paper_slug]] += 1
        result[tag.slug] = list(accumulate(per_dump))
    return result


def tags_in_use(archive: Archive) -> list[int]:
    """Per dump: how many of today's tags had two or more papers by then."""
    first = first_dump_index(archive)
    became_tag = [0] * len(archive.dumps)
    for tag in archive.tags:
        if len(tag.papers) >= 2:
            became_tag[sorted(first[s] for s in tag.papers)[1]] += 1
    return list(accumulate(became_tag))


def tick_label(dump: Dump) -> str:
    """The dump's sequence number (its name's leading digits), and its date."""
    number = re.match(r"\d+(?=_)", dump.name)
    label = f"dump {number.group()}" if number else short(dump.name, 16)
    return label + (f" \u00b7 {dump.listing_date}" if dump.listing_date else "")


def x_position(index: int, count: int) -> float:
    if count <= 1:
        return round((X_LEFT + X_RIGHT) / 2, 2)
    return round(X_LEFT + (X_RIGHT - X_LEFT) * index / (count - 1), 2)


def line_chart(archive: Archive, lines: list[tuple[str, str, list[int]]]) -> LineChart:
    """(name, href, value per dump) lines on one shared scale."""
    n = len(archive.dumps)
    highest = max((max(values) for _, _, values in lines if values), default=0)

    def y(value: int) -> float:
        share = value / highest if highest else 0
        return round(LINE_TOP + LINE_HEIGHT * (1 - share), 1)

    series = [
        Series(
            short(name),
            href,
            f"pa-series-{number}",
            values,
            [(x_position(i, n), y(v)) for i, v in enumerate(values)],
        )
        for number, (name, href, values) in enumerate(lines)
    ]
    ticks = [(x_position(0, n), tick_label(archive.dumps[0]))] if n else []
    if n > 1:
        ticks.append((x_position(n - 1, n), tick_label(archive.dumps[-1])))
    return LineChart(series, ticks, highest)


def archive_stats(archive: Archive) -> Stats:
    bars, hidden = dump_bars(archive)
    top = sorted(archive.tags, key=lambda t: (-len(t.papers), t.slug))[:GROWTH_TAGS]
    counts = cumulative_counts(archive, top)
    return Stats(
        dump_bars=bars,
        dumps_hidden=hidden,
        tag_bars=tag_bars(archive),
        tag_growth=line_chart(archive, [(t.name, f"tags/{t.slug}/", counts[t.slug]) for t in top]),
        tags_in_use=line_chart(archive, [("Tags in use", "tags/", tags_in_use(archive))]),
        total_dumps=len(archive.dumps),
    )
