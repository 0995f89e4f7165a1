"""Property-based tests of the parser (Hypothesis).

What the format can carry, and so what the generated papers are limited to:
* a title is one line of 1-8 words (at most 400 chars) that does not read as
  an abstract (under 250 chars and 30 words), is not a known header line
  ("new", "Subscribe", ...) or a listing date ("Sep 19"), does not start
  with "Subscribe" glued to more text, and is not a Markdown heading
  ("# ..."), which would make the file read as a Markdown page;
* an abstract is one line of 30-45 words (so it reads as an abstract) and
  no Markdown heading;
* words hold no white space (the parser folds runs of white space into one
  space), no control characters (they mark damaged lines) and no lone
  surrogates (they mark invalid UTF-8 bytes).
Within those limits any list of papers, written in either layout, parses
back to exactly that list. And any text or bytes at all parse without an
exception, every entry read accounted for.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.parse import (
    GLUED_SUBSCRIBE,
    KNOWN_HEADERS,
    LISTING_DATE,
    MARKDOWN_HEADING,
    looks_like_abstract,
    parse_text,
    read_dump,
)
from tests.dumpgen import ABSTRACT, DAILY_HEADER, PACKED_HEADER, daily, packed, unaccounted_lines

# Correctness, not speed: on a loaded 2-core CI machine an example may take
# longer than Hypothesis' 200 ms deadline without anything being wrong.
settings.register_profile(
    "paper-archive", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("paper-archive")

# These categories hold every character str.isspace() knows, and the
# control characters and surrogates.
WORD = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=10,
)


def is_title(text: str) -> bool:
    return not (
        looks_like_abstract(text)
        or text.lower() in KNOWN_HEADERS
        or LISTING_DATE.match(text)
        or GLUED_SUBSCRIBE.match(text)
        or MARKDOWN_HEADING.match(text)
    )


TITLE = st.lists(WORD, min_size=1, max_size=8).map(" ".join).filter(is_title)
ABSTRACT_TEXT = (
    st.lists(WORD, min_size=30, max_size=45)
    .map(" ".join)
    .filter(lambda a: not MARKDOWN_HEADING.match(a))
)
PAPERS = st.lists(st.tuples(TITLE, ABSTRACT_TEXT), min_size=1, max_size=8)
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])
DATE = st.sampled_from(["Sep 19", "Mar 20", "January 3, 2025"])


def parsed(dump) -> list[tuple[str, str]]:
    return [(e.title, e.abstract) for e in dump.entries]


@given(PAPERS, NEWLINE)
def test_any_papers_written_packed_parse_back_exactly(papers, newline):
    dump = parse_text(packed(papers, newline=newline), "d", "d.txt")
    assert parsed(dump) == papers
    assert dump.problems == [] and dump.layout == "packed"
    assert dump.entries_read == len(papers)


@given(PAPERS, NEWLINE, DATE)
def test_any_papers_written_daily_parse_back_exactly(papers, newline, date):
    dump = parse_text(daily(papers, date=date, newline=newline), "d", "d.txt")
    assert parsed(dump) == papers
    assert dump.problems == [] and (dump.layout, dump.listing_date) == ("daily", date)
    assert dump.entries_read == len(papers)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(PAPERS, st.booleans(), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_any_papers_saved_to_a_file_read_back_exactly(tmp_path, papers, is_daily, encoding):
    text = daily(papers) if is_daily else packed(papers)
    path = tmp_path / "dump.txt"
    path.write_bytes(text.encode(encoding))
    dump = read_dump(path)
    assert parsed(dump) == papers and dump.problems == []


# Arbitrary input. Plain st.text() rarely builds anything dump-like, so the
# lines are also drawn from pieces that steer the parser down every branch.
PIECES = st.one_of(
    st.sampled_from(
        PACKED_HEADER
        + DAILY_HEADER
        + ["Sep 19", "", " ", "Subscribe", "SubscribeA title", "# Heading", "<html>", "---"]
    ),
    TITLE,
    st.just(ABSTRACT),
    st.just(ABSTRACT * 50),
    st.text(max_size=40),
)
LINES = st.lists(PIECES, max_size=30)


def check_reported(text: str, dump) -> None:
    """Whatever happened is accounted for: every entry read parsed or rejected,
    every rejection an error with a line, and no non-blank line dropped."""
    assert dump.entries_read == len(dump.entries) + len(dump.rejected)
    assert all(p in dump.problems and p.severity == "error" for p in dump.rejected)
    assert all(p.line >= 1 for p in dump.problems)
    if dump.entries_read or not dump.errors:
        assert unaccounted_lines(text, dump) == []
    else:  # the file as a whole was refused, with a reason
        assert dump.entries == [] and dump.errors
    for problem in dump.problems:
        str(problem).encode("utf-8")  # printable: no lone surrogates


@given(st.text())
def test_parser_never_raises_on_arbitrary_text(text):
    check_reported(text, parse_text(text, "d", "d.txt"))


@given(LINES, NEWLINE)
def test_parser_never_raises_on_dump_like_text(lines, newline):
    text = newline.join(lines)
    check_reported(text, parse_text(text, "d", "d.txt"))


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=2000), LINES.map(lambda ls: "\n".join(ls).encode())))
def test_read_dump_never_raises_on_arbitrary_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dump.txt"
        path.write_bytes(data)
        dump = read_dump(path)
    assert dump.entries_read == len(dump.entries) + len(dump.rejected)
    assert all(p.line >= 1 for p in dump.problems)
    for entry in dump.entries:  # damaged text is never kept
        if "\ufffd" in entry.title + entry.abstract:
            assert "\ufffd".encode() in data or data.startswith((b"\xff\xfe", b"\xfe\xff"))
