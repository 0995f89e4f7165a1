"""Stage 1, parse: a dump file -> Dump with entries and located problems.

Two layouts come from Hugging Face listing pages:

* packed (search results): header lines, then title and abstract lines
  alternate with no blank lines; the first title is glued to "Subscribe".
* daily (Daily Papers): blocks separated by blank lines; header blocks and a
  listing date ("Sep 19"), then title and abstract blocks alternate.

Both reduce to the same thing once blank lines and headers are set aside:
a run of non-blank lines alternating title, abstract. Anything that breaks
the alternation is reported with its line, never dropped silently.
"""

from __future__ import annotations

import re
from pathlib import Path

from .models import Dump, Entry, Problem

KNOWN_HEADERS = {
    "new",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
DAILY_MARKERS = {"daily papers", "byak and the research community"}
LISTING_DATE = re.compile(
    r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(, \d{4})?$"
)
GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
# An abstract is a paragraph; a title is one short line. The threshold sits
# well above the longest seed title (180 chars) and below the shortest
# seed abstract (423 chars).
ABSTRACT_MIN_CHARS = 250
ABSTRACT_MIN_WORDS = 30
MAX_TITLE_CHARS = 400


def looks_like_abstract(text: str) -> bool:
    return len(text) >= ABSTRACT_MIN_CHARS or len(text.split()) >= ABSTRACT_MIN_WORDS


def dump_name(path: Path) -> str:
    return path.name[:-4] if path.name.endswith(".txt") else path.name


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes -> text. UTF-8 (with or without BOM) is expected; cp1252 is
    accepted with a warning since Windows browsers save it; binary is refused."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [Problem(path, line, "binary file: NUL byte found; not a text dump")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None, [Problem(path, line, f"not UTF-8 text ({exc.reason})")]
        warning = Problem(path, line, "not UTF-8; decoded as Windows-1252", "warning")
        return text, [warning]


def read_dump(path: Path | str) -> Dump:
    path = Path(path)
    text, problems = decode(path.read_bytes(), str(path))
    if text is None:
        return Dump(dump_name(path), str(path), "unknown", None, [], problems)
    dump = parse_text(text, dump_name(path), str(path))
    dump.problems[:0] = problems
    return dump


def split_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers; CRLF, CR and trailing
    white space make no difference."""
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    return [(n, " ".join(line.split())) for n, line in enumerate(lines, 1) if line.strip()]


def detect_layout(text: str, lines: list[tuple[int, str]]) -> str:
    header = {line.lower() for _, line in lines[:8]}
    if header & DAILY_MARKERS:
        return "daily"
    if lines and any(GLUED_SUBSCRIBE.match(line) for _, line in lines[:4]):
        return "packed"
    # No marker: blank lines between items mean the block layout.
    return "daily" if re.search(r"\S[ \t]*(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)", text) else "packed"


def find_start(lines, path, problems):
    """Index of the first title, skipping header lines; returns (index, date)."""
    date = None
    for i, (n, line) in enumerate(lines):
        glued = GLUED_SUBSCRIBE.match(line)
        if glued:
            lines[i] = (n, line[glued.end() :])
            return i, date
        if line.lower() in KNOWN_HEADERS:
            continue
        if LISTING_DATE.match(line):
            date = line
            continue
        nxt = lines[i + 1][1] if i + 1 < len(lines) else ""
        if not looks_like_abstract(line) and looks_like_abstract(nxt):
            return i, date
        if looks_like_abstract(line):
            return i, date
        problems.append(Problem(path, n, f"unknown header line skipped: {line[:80]!r}", "warning"))
    return len(lines), date


def pair_entries(lines, start, name, path, problems) -> list[Entry]:
    entries: list[Entry] = []
    i = start
    while i < len(lines):
        n, title = lines[i]
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        after = lines[i + 2][1] if i + 2 < len(lines) else None
        if looks_like_abstract(title) and len(title) > MAX_TITLE_CHARS:
            problems.append(Problem(path, n, "abstract with no title before it; rejected"))
            i += 1
            continue
        if nxt is None:
            problems.append(
                Problem(path, n, f"title with no abstract at end of file: {title[:80]!r}")
            )
            break
        if not looks_like_abstract(nxt):
            if after is not None and looks_like_abstract(after):
                problems.append(Problem(path, n, f"title with no abstract: {title[:80]!r}"))
                i += 1
                continue
            problems.append(
                Problem(path, lines[i + 1][0], "abstract is unusually short; kept", "warning")
            )
        entries.append(Entry(name, n, title, nxt))
        i += 2
    return entries


def parse_text(text: str, name: str, path: str) -> Dump:
    problems: list[Problem] = []
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith(("<!doctype", "<html", "<?xml")):
        problems.append(
            Problem(path, 1, "looks like an HTML page, not a text dump; save the page as text")
        )
        return Dump(name, path, "unknown", None, [], problems)
    lines = split_lines(text)
    if not lines:
        problems.append(Problem(path, 1, "empty dump: no text"))
        return Dump(name, path, "unknown", None, [], problems)
    layout = detect_layout(text, lines)
    start, date = find_start(lines, path, problems)
    entries = pair_entries(lines, start, name, path, problems)
    if not entries and not any(p.severity == "error" for p in problems):
        problems.append(Problem(path, lines[-1][0], "no papers found: only header lines"))
    return Dump(name, path, layout, date, entries, problems)


def read_dumps(folder: Path | str) -> list[Dump]:
    """Every *.txt in folder, in name order (names start with a sequence number)."""
    return [read_dump(p) for p in sorted(Path(folder).glob("*.txt"))]
