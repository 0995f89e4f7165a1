"""Write dumps the way Hugging Face pages are copied, for tests that craft them."""

from __future__ import annotations

import re

from generator.parse import DAMAGE, KNOWN_HEADERS, LISTING_DATE

ABSTRACT = (
    "We study a problem that matters and propose a method that works well on many "
    "benchmarks, with careful ablations, strong baselines and a long discussion of "
    "limitations, which makes this line long enough to read as an abstract paragraph."
)
PACKED_HEADER = [
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
]
DAILY_HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
]


def packed_lines(items: list[str]) -> list[str]:
    """Search-results layout: two headers, items one a line, the first glued to Subscribe."""
    items = list(items)
    if items:
        items[0] = "Subscribe" + items[0]
    return PACKED_HEADER + items


def packed(pairs, newline: str = "\n") -> str:
    return newline.join(packed_lines([x for pair in pairs for x in pair])) + newline


def daily(pairs, date: str = "Sep 19", newline: str = "\n") -> str:
    """Daily Papers layout: blocks separated by blank lines, header blocks and a date."""
    blocks = DAILY_HEADER + [date] + [x for pair in pairs for x in pair]
    return (newline * 2).join(blocks) + newline


def daily_items(items, date: str = "Sep 19") -> str:
    return "\n\n".join(DAILY_HEADER + [date] + list(items)) + "\n"


def pairs(n: int, start: int = 1) -> list[tuple[str, str]]:
    return [
        (f"Paper title number {i}", f"{ABSTRACT} Variant {i}.") for i in range(start, start + n)
    ]


def line_no(text: str, needle: str) -> int:
    """1-based line of the first line that contains needle."""
    for n, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")


def unaccounted_lines(text: str, dump) -> list[int]:
    """Non-blank lines that are neither a header before the first entry, nor
    an entry's title or abstract, nor the line (or lines A-B) of a problem:
    lines the parser would have dropped silently. Must always be empty."""
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    nonblank = [n for n, line in enumerate(lines, 1) if DAMAGE.sub("", line).strip()]
    following = dict(zip(nonblank, nonblank[1:], strict=False))
    covered: set[int] = set()
    for problem in dump.problems:
        covered.add(problem.line)
        span = re.search(r"lines (\d+)-(\d+)", problem.message)
        if span:
            covered.update(range(int(span[1]), int(span[2]) + 1))
    for entry in dump.entries:
        covered.update((entry.line, following[entry.line]))
    starts = [e.line for e in dump.entries] + [p.line for p in dump.rejected]
    first = min(starts, default=len(lines) + 1)

    def is_header(n: int) -> bool:
        line = " ".join(lines[n - 1].split())
        return line.lower() in KNOWN_HEADERS or bool(LISTING_DATE.match(line))

    return [n for n in nonblank if n not in covered and not (n < first and is_header(n))]


def write_big_dump(path, size: int) -> int:
    """A packed dump of at least size bytes, written in chunks; returns its entry count."""
    count, written = 0, 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        header = "\n".join(PACKED_HEADER) + "\nSubscribe"
        out.write(header)
        written += len(header)
        while written < size:
            chunk = "".join(
                f"Generated paper {i} on a large dump\n{ABSTRACT} Number {i}.\n"
                for i in range(count, count + 1000)
            )
            out.write(chunk)
            written += len(chunk.encode())
            count += 1000
    return count
