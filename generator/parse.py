"""Stage 1, parse: a dump file -> Dump with entries and located problems.

Two layouts come from Hugging Face listing pages:

* packed (search results): header lines, then title and abstract lines
  alternate with no blank lines; the first title is glued to "Subscribe".
* daily (Daily Papers): blocks separated by blank lines; header blocks and a
  listing date ("Sep 19"), then title and abstract blocks alternate.

Both reduce to the same thing once blank lines and headers are set aside:
a run of non-blank lines alternating title, abstract.

Accounting (the invariant the tests hold the parser to): every non-blank
line is a header line (known, the listing date, or an unknown line before
the first title, reported as a warning), or belongs to exactly one *entry
read*. An entry read is each place where the walk over the lines starts a
new entry: a title line, or a line too long to be a title (an abstract
with no title). Each entry read ends either in ``dump.entries`` or in
``dump.rejected`` (an error naming its line and why), so

    dump.entries_read == len(dump.entries) + len(dump.rejected)

A file that is not a text dump at all (empty, binary, HTML, Markdown, only
headers) has no entries read and one file-level error.
"""

from __future__ import annotations

import re
from pathlib import Path

from .models import INDEX_NAME, Dump, Entry, Problem

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
# arXiv caps abstracts at 1,920 characters (the longest seed abstract); a
# line far longer is several entries run together, not one abstract.
MAX_ABSTRACT_CHARS = 10_000

# Control characters (tab aside) and lone surrogates, which stand for bytes
# that were not valid UTF-8 (decoded with surrogateescape): a line holding
# one is damaged, and so is the entry it belongs to.
DAMAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
VALID_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
BINARY_SAMPLE = 65_536
BINARY_CONTROL_SHARE = 0.05  # text has ~none; compressed or image data ~10%
HTML_START = re.compile(r"^<(?:!doctype|!--|\?xml|[a-z][a-z0-9]*[\s/>])", re.IGNORECASE)
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")


def looks_like_abstract(text: str) -> bool:
    return len(text) >= ABSTRACT_MIN_CHARS or len(text.split()) >= ABSTRACT_MIN_WORDS


def dump_name(path: Path) -> str:
    return path.name[:-4] if path.name.endswith(".txt") else path.name


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def binary_reason(data: bytes) -> str | None:
    """Why data is not text at all, or None. A few NUL or control bytes in
    a text file are damage (those entries get rejected), not binary."""
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return None
    controls = len(CONTROL_BYTES.findall(sample))
    if controls / len(sample) < BINARY_CONTROL_SHARE:
        return None
    nul_odd = sample[1::2].count(0)
    if nul_odd > len(sample) // 4 and sample[0::2].count(0) < len(sample) // 50:
        return "binary file: looks like UTF-16 text without a byte-order mark; save it as UTF-8"
    share = round(100 * controls / len(sample))
    return f"binary file ({share}% control bytes): not a text dump"


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes -> text, or None with the reason. UTF-8 (with or without BOM) is
    expected. UTF-8 with some invalid bytes keeps them as lone surrogates so
    the parser rejects just the entries they damage. Text with no UTF-8 at
    all is legacy 8-bit: Windows-1252 (a superset of Latin-1's printable
    range), with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            return None, [Problem(path, 1, f"UTF-16 file, but not valid UTF-16 ({exc.reason})")]
        return text, [
            Problem(path, 1, "UTF-16 file decoded; please save dumps as UTF-8", "warning")
        ]
    reason = binary_reason(data)
    if reason:
        return None, [Problem(path, 1, reason)]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first_bad = line_of(data, exc.start)
    if VALID_UTF8_MULTIBYTE.search(data):
        return data.decode("utf-8-sig", errors="surrogateescape"), []
    try:
        text, codec = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, codec = data.decode("latin-1"), "Latin-1"
    warning = Problem(path, first_bad, f"not UTF-8; decoded as {codec}", "warning")
    return text, [warning]


def read_dump(path: Path | str, data: bytes | None = None) -> Dump:
    """data: the file's bytes, when read already."""
    path = Path(path)
    if dump_name(path) == INDEX_NAME:  # dumps/index.md lists the dumps
        message = (
            f"a dump cannot be named {path.name}: its page would replace the list of"
            " dumps; start its name with a sequence number, as in 005_papers.txt"
        )
        return Dump(INDEX_NAME, str(path), "unknown", None, [], [Problem(str(path), 1, message)])
    text, problems = decode(path.read_bytes() if data is None else data, str(path))
    if text is None:
        return Dump(dump_name(path), str(path), "unknown", None, [], problems)
    dump = parse_text(text, dump_name(path), str(path))
    dump.problems[:0] = problems
    return dump


def damage_reason(line: str) -> str | None:
    match = DAMAGE.search(line)
    if not match:
        return None
    ch = match.group(0)
    if "\ud800" <= ch <= "\udfff":
        return "invalid UTF-8 bytes"
    return "a NUL byte" if ch == "\x00" else f"a control character (U+{ord(ch):04X})"


def split_lines(text: str) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """Non-blank lines with their 1-based numbers (CRLF, CR and trailing
    white space make no difference), and the damaged ones with why; damaged
    characters become U+FFFD so messages and pages stay printable."""
    text = text.removeprefix("\ufeff")
    lines, damaged = [], {}
    for n, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        reason = damage_reason(line)
        if reason:
            damaged[n] = reason
            line = DAMAGE.sub("\ufffd", line)
        if line.strip():
            lines.append((n, " ".join(line.split())))
        else:
            damaged.pop(n, None)  # nothing but control characters: a blank line
    return lines, damaged


def markup_kind(lines: list[tuple[int, str]]) -> str | None:
    """'HTML' or 'Markdown' when the file is a page saved in the wrong format."""
    if not lines:
        return None
    first = lines[0][1]
    if HTML_START.match(first):
        return "HTML"
    headings = sum(1 for _, line in lines[:40] if MARKDOWN_HEADING.match(line))
    if MARKDOWN_HEADING.match(first) or first == "---" or headings >= 2:
        return "Markdown"
    return None


def detect_layout(text: str, lines: list[tuple[int, str]]) -> str:
    header = {line.lower() for _, line in lines[:8]}
    if header & DAILY_MARKERS:
        return "daily"
    if lines and any(GLUED_SUBSCRIBE.match(line) for _, line in lines[:4]):
        return "packed"
    # No marker: a blank line between the first two items means blocks.
    if len(lines) >= 2 and lines[1][0] > lines[0][0] + 1:
        return "daily"
    return "packed"


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
        if looks_like_abstract(line) or looks_like_abstract(nxt):
            return i, date
        problems.append(Problem(path, n, f"unknown header line skipped: {line[:80]!r}", "warning"))
    return len(lines), date


def quote(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "\u2026")


def pair_entries(lines, start, name, path, damaged, problems) -> tuple[list[Entry], list, int]:
    """Walk title, abstract, title, abstract...; returns (entries, rejected, entries read)."""
    entries: list[Entry] = []
    rejected: list[Problem] = []

    def reject(line: int, message: str) -> None:
        problem = Problem(path, line, message)
        rejected.append(problem)
        problems.append(problem)

    read = 0
    i = start
    while i < len(lines):
        read += 1
        n, title = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        after = lines[i + 2][1] if i + 2 < len(lines) else None
        if len(title) > MAX_TITLE_CHARS and looks_like_abstract(title):
            reject(n, f"abstract with no title before it ({len(title):,} chars): {quote(title)}")
            i += 1
            continue
        if nxt is None:
            reject(n, f"title with no abstract at end of file: {quote(title)}")
            break
        m, abstract = nxt
        if not looks_like_abstract(abstract) and after is not None and looks_like_abstract(after):
            reject(n, f"title with no abstract (the next line is another title): {quote(title)}")
            i += 1
            continue
        i += 2
        if len(abstract) > MAX_ABSTRACT_CHARS:
            reject(
                n,
                f"entry rejected (title and abstract, lines {n}-{m}): the abstract is"
                f" {len(abstract):,} chars, far over {MAX_ABSTRACT_CHARS:,}; lines run together?",
            )
            continue
        bad = [(k, damaged[k]) for k in (n, m) if k in damaged]
        if bad:
            where = "; ".join(f"line {k} has {why}" for k, why in bad)
            reject(n, f"entry rejected (title and abstract, lines {n}-{m}): {where}")
            continue
        if not looks_like_abstract(abstract):
            problems.append(
                Problem(
                    path,
                    m,
                    f"short for an abstract ({len(abstract)} chars); kept as the abstract of"
                    f" line {n}. If it is a title, its abstract is missing",
                    "warning",
                )
            )
        entries.append(Entry(name, n, title, abstract))
    return entries, rejected, read


def parse_text(text: str, name: str, path: str) -> Dump:
    """Text -> Dump; never raises: whatever is wrong becomes a Problem."""
    problems: list[Problem] = []
    lines, damaged = split_lines(text)
    if not lines:
        problems.append(Problem(path, 1, "empty dump: no text"))
        return Dump(name, path, "unknown", None, [], problems)
    kind = markup_kind(lines)
    if kind:
        message = (
            f"looks like a page saved as {kind}, not a text dump;"
            " copy the page's text and save it as plain text"
        )
        problems.append(Problem(path, lines[0][0], message))
        return Dump(name, path, "unknown", None, [], problems)
    layout = detect_layout(text, lines)
    start, date = find_start(lines, path, problems)
    entries, rejected, read = pair_entries(lines, start, name, path, damaged, problems)
    if read == 0:
        problems.append(Problem(path, lines[-1][0], "no papers found: only header lines"))
    return Dump(name, path, layout, date, entries, problems, entries_read=read, rejected=rejected)


def read_dumps(folder: Path | str) -> list[Dump]:
    """Every *.txt in folder, in name order (names start with a sequence number)."""
    return [read_dump(p) for p in sorted(Path(folder).glob("*.txt"))]
