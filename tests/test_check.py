"""`python -m generator check`: what a reviewer reads before merging a dump.

The Markdown summary is rendered with cmark-gfm (GitHub's own renderer, as
for a job summary) and read back as HTML, so the tests see what a reviewer
sees: the counts, the titles exactly as in the dump, and no live markup.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from generator.check import WORD_JOINER
from generator.merge import merge_entries
from generator.parse import read_dumps
from tests.conftest import SEEDS, make_project, run_generator
from tests.test_parse import ABSTRACT, daily, packed

NEWEST = SEEDS[-1]


class SummaryParser(HTMLParser):
    """The rendered summary: headings, table cells, list items, tags seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.blocks: dict[str, list[str]] = {"h2": [], "td": [], "li": [], "summary": []}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.blocks:
            self.blocks[tag].append("")
            self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        for tag in self._open:
            self.blocks[tag][-1] += data


def render(markdown: str) -> SummaryParser:
    # Raw HTML let through (GitHub then sanitises it): the worst case, in
    # which any HTML a title smuggled in would show up as tags.
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parser = SummaryParser()
    parser.feed(html)
    return parser


def items(summary: SummaryParser) -> list[str]:
    """List items as a reader sees them, without the invisible word joiner."""
    return [" ".join(li.split()).replace(WORD_JOINER, "") for li in summary.blocks["li"]]


@pytest.fixture
def seed_project(tmp_path) -> Path:
    return make_project(tmp_path, seeds=True)


def expected_from_merge(dump_name: str) -> tuple[list[str], list[str]]:
    """New and already-archived titles of a dump, from merge's view of all the
    seeds: new = papers first seen in that dump."""
    dumps = read_dumps(NEWEST.parent)
    papers, _ = merge_entries(dumps)
    new = [p.title for p in papers if p.first_dump == dump_name]
    archived = [p.title for p in papers if dump_name in p.dumps and p.first_dump != dump_name]
    return new, archived


def test_markdown_summary_of_the_newest_seed_against_the_others(seed_project):
    result = run_generator(
        seed_project, "check", "--format", "markdown", str(seed_project / "dumps" / NEWEST.name)
    )
    assert result.returncode == 0, result.stderr
    new, archived = expected_from_merge(NEWEST.stem)
    assert len(new) > 0 and len(archived) > 0
    summary = render(result.stdout)
    [heading] = summary.blocks["h2"]
    assert NEWEST.name in heading and "OK" in heading
    [entry] = read_dumps(NEWEST.parent)[-1:]
    layout, date, read, n_new, n_archived, repeats, rejected = summary.blocks["td"]
    assert (layout, date) == (entry.layout, entry.listing_date)
    assert int(read) == len(entry.entries)
    assert (int(n_new), int(n_archived)) == (len(new), len(archived))
    assert (int(repeats), int(rejected)) == (0, 0)
    assert summary.blocks["summary"] == [
        f"New papers ({len(new)})",
        f"Already archived ({len(archived)})",
    ]
    listed = items(summary)
    assert sorted(t.rsplit(" (line ", 1)[0] for t in listed[: len(new)]) == sorted(new)
    assert sorted(t.rsplit(" (line ", 1)[0] for t in listed[len(new) :]) == sorted(archived)
    # Each already-archived paper names the dump that has it.
    assert all(" in 00" in t for t in listed[len(new) :])
    # Titles are plain text: any link, emphasis or image would be injected.
    tags = [t for t, _ in summary.tags]
    assert not {"a", "strong", "em", "img", "script"} & set(tags)
    assert tags.count("code") == 1 + len(archived)  # the file name, and where each is


def test_checking_every_seed_in_order_counts_each_paper_once(seed_project):
    files = [str(seed_project / "dumps" / s.name) for s in SEEDS]
    result = run_generator(seed_project, "check", *files)
    assert result.returncode == 0, result.stderr
    papers, _ = merge_entries(read_dumps(NEWEST.parent))
    entries = sum(len(d.entries) for d in read_dumps(NEWEST.parent))
    lines = result.stdout.splitlines()
    new = [int(line.split()[0]) for line in lines if "new to the archive" in line]
    read = [int(line.split()[0]) for line in lines if "entries read" in line]
    assert len(new) == len(SEEDS)
    assert sum(new) == len(papers)  # 591: every paper is new in exactly one dump
    assert sum(read) == entries  # 636
    assert lines.count("  OK") == len(SEEDS)


def test_text_format_names_layout_date_counts_and_status(seed_project):
    result = run_generator(seed_project, "check", str(seed_project / "dumps" / NEWEST.name))
    assert result.returncode == 0
    new, archived = expected_from_merge(NEWEST.stem)
    dump = read_dumps(NEWEST.parent)[-1]
    assert result.stdout.splitlines() == [
        f"{seed_project / 'dumps' / NEWEST.name}: {dump.layout} layout,"
        f" listing date {dump.listing_date}",
        f"  {len(dump.entries)} entries read = {len(new) + len(archived)} papers"
        " + 0 repeats + 0 rejected",
        f"  {len(new)} new to the archive, {len(archived)} already archived",
        "  OK",
    ]


def test_errors_give_file_line_and_exit_1_in_both_formats(tmp_path):
    text = packed(("Kept", ABSTRACT), ("Lost at the end", ABSTRACT)).rsplit("\n", 1)[0]
    project = make_project(tmp_path, {"005_broken.txt": text})
    path = project / "dumps" / "005_broken.txt"
    as_text = run_generator(project, "check", str(path))
    assert as_text.returncode == 1
    assert f"{path}:5: error:" in as_text.stdout and "FAILED: 1 error(s)" in as_text.stdout
    as_md = run_generator(project, "check", "--format", "markdown", str(path))
    assert as_md.returncode == 1
    summary = render(as_md.stdout)
    assert "1 error(s)" in summary.blocks["h2"][0]
    problem = [li for li in items(summary) if li.startswith(f"{path}:5 error:")]
    assert len(problem) == 1 and "end of file" in problem[0]


def test_missing_file_and_no_file_are_errors(tmp_path):
    project = make_project(tmp_path)
    missing = run_generator(project, "check", str(project / "dumps" / "nope.txt"))
    assert missing.returncode == 1 and "no such file" in missing.stdout
    assert run_generator(project, "check").returncode == 2  # usage error


def test_warnings_alone_pass(tmp_path):
    text = daily(("A title", ABSTRACT)).replace("Daily Papers", "Daily Papers\n\nTrending now")
    project = make_project(tmp_path, {"005_warn.txt": text})
    result = run_generator(
        project, "check", "--format", "markdown", str(project / "dumps" / "005_warn.txt")
    )
    assert result.returncode == 0
    assert "OK, 1 warning(s)" in render(result.stdout).blocks["h2"][0]


def test_two_new_dumps_sharing_a_paper_count_it_new_once(tmp_path):
    second = daily(("Shared paper", ABSTRACT), ("Only in b", ABSTRACT))
    project = make_project(
        tmp_path,
        {
            "005_a.txt": packed(("Shared paper", ABSTRACT), ("Only in a", ABSTRACT)),
            "006_b.txt": second,
        },
    )
    line = second.split("\n").index("Shared paper") + 1
    files = [str(project / "dumps" / n) for n in ("005_a.txt", "006_b.txt")]
    summary = render(run_generator(project, "check", "--format", "markdown", *files).stdout)
    assert [td for td in summary.blocks["td"] if td.isdigit()] == [
        *("2", "2", "0", "0", "0"),
        *("2", "1", "1", "0", "0"),
    ]
    assert f"Shared paper (line {line}; in 005_a)" in items(summary)


HOSTILE_TITLES = [
    "<script>alert(1)</script> and <img src=x onerror=alert(1)>",
    "[click](https://evil.example) and ![img](https://evil.example/x.png)",
    "**strong** _em_ `code` ~~gone~~ &amp; &lt;b&gt;",
    "Mail x@evil.example, visit www.evil.example or https://evil.example/path",
    "@someone fixes #12 :smile: | a | b | \\ backslash",
    "</details><details open><summary>forged</summary>",
    "Bidi \u202etxt.exe\u202c override",
]


def test_hostile_titles_stay_plain_text_in_the_summary(tmp_path):
    dump = packed(*[(t, ABSTRACT) for t in HOSTILE_TITLES])
    project = make_project(tmp_path, {"005_hostile.txt": dump})
    # A file name is contributor text too.
    hostile_name = project / "dumps" / "006_`x`_<b>.txt"
    hostile_name.write_text(packed(*[(t, ABSTRACT) for t in reversed(HOSTILE_TITLES)]))
    files = [str(project / "dumps" / "005_hostile.txt"), str(hostile_name)]
    result = run_generator(project, "check", "--format", "markdown", *files)
    assert result.returncode == 0, result.stdout
    summary = render(result.stdout)
    assert {t for t, _ in summary.tags} <= {
        "h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td",
        "details", "summary", "ol", "ul", "li", "code",
    }  # fmt: skip
    assert summary.blocks["summary"] == [
        f"New papers ({len(HOSTILE_TITLES)})",
        f"Already archived ({len(HOSTILE_TITLES)})",
    ]
    # Bidirectional overrides, which could reorder what a reviewer reads, are dropped.
    expected = [
        " ".join(t.replace("\u202e", "").replace("\u202c", "").split()) for t in HOSTILE_TITLES
    ]
    listed = [t.rsplit(" (line ", 1)[0] for t in items(summary)]
    assert listed == expected + expected[::-1]
    assert summary.blocks["h2"][1] == f"{hostile_name}: ✅ OK"
