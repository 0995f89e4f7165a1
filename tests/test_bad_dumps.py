"""A catalogue of bad dumps, each with its defined outcome and message.

Every case is read through the real read_dump (bytes on disk) and through
`python -m generator check`, which must print
`N entries read = P papers + R repeats + X rejected` with numbers that add
up, and name every rejection as file:line with the reason.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.check import account, same_dumps
from generator.merge import merge_entries
from generator.parse import read_dump, read_dumps
from tests.conftest import ROOT, SEEDS, run_generator
from tests.dumpgen import (
    ABSTRACT,
    daily,
    daily_items,
    line_no,
    packed,
    packed_lines,
    pairs,
    unaccounted_lines,
    write_big_dump,
)
from tests.project import make_project
from tests.sitecheck import broken_links

T1, A1 = "First good title", ABSTRACT + " One."
T3, A3 = "Third good title", ABSTRACT + " Three."


@dataclass
class Case:
    content: bytes
    titles: list[str]  # parsed entries, in order
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (text on the line, reason)
    file_error: str | None = None  # the whole file is refused with this reason
    warnings: list[str] = field(default_factory=list)
    text: str = ""  # the content as text, to find line numbers


def utf8(text: str, **kw) -> Case:
    return Case(text.encode("utf-8"), text=text, **kw)


def lines_text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


ONE_MB_LINE = " ".join(["lorem"] * 166_667)[:1_000_000]
BINARY = b"\x89PNG\r\n\x1a\n" + random.Random(0).randbytes(30_000)
HTML = (
    "<!DOCTYPE html>\n<html lang=en><head><title>Daily Papers - Hugging Face</title></head>\n"
    f"<body><h3>{T1}</h3><p>{A1}</p></body></html>\n"
)
MARKDOWN = f"# Daily Papers\n\n## {T1}\n\n{A1}\n\n## {T3}\n\n{A3}\n"


def catalogue() -> dict[str, Case]:
    cases = {
        "empty": utf8("", titles=[], file_error="empty dump: no text"),
        "blank_lines_only": utf8(" \n\r\n\t\n", titles=[], file_error="empty dump"),
        "daily_headers_only": utf8(
            daily([]), titles=[], file_error="no papers found: only header lines"
        ),
        "packed_headers_only": utf8(
            lines_text(packed_lines([])), titles=[], file_error="no papers found"
        ),
        "title_without_abstract_middle": utf8(
            lines_text(packed_lines([T1, A1, "Orphan title", T3, A3])),
            titles=[T1, T3],
            rejected=[("Orphan title", "title with no abstract (the next line is another title)")],
        ),
        "title_without_abstract_end": utf8(
            lines_text(packed_lines([T1, A1, "Last title"])),
            titles=[T1],
            rejected=[("Last title", "title with no abstract at end of file")],
        ),
        "daily_title_without_abstract_end": utf8(
            daily_items([T1, A1, "Last title"]),
            titles=[T1],
            rejected=[("Last title", "title with no abstract at end of file")],
        ),
        "two_titles_in_a_row": utf8(
            daily_items([T1, A1, "Title A", "Title B", A3]),
            titles=[T1, "Title B"],
            rejected=[("Title A", "title with no abstract")],
        ),
        # Ambiguous at the end: the second title reads as a short abstract.
        "two_titles_in_a_row_at_end": utf8(
            daily_items([T1, A1, "Title A", "Title B"]),
            titles=[T1, "Title A"],
            warnings=["short for an abstract (7 chars); kept as the abstract of line"],
        ),
        "abstract_that_looks_like_a_title": utf8(
            lines_text(packed_lines([T1, "We release a dataset.", T3, A3])),
            titles=[T1, T3],
            warnings=["short for an abstract (21 chars)"],
        ),
        "cp1252": Case(
            packed([("Café – “quoted” naïve title", A1)]).encode("cp1252"),
            titles=["Café – “quoted” naïve title"],
            warnings=["not UTF-8; decoded as Windows-1252"],
        ),
        "latin1": Case(
            packed([("Zürich façade ± × study", A1)]).encode("latin-1"),
            titles=["Zürich façade ± × study"],
            warnings=["not UTF-8; decoded as Windows-1252"],
        ),
        "invalid_utf8": Case(
            lines_text(packed_lines(["Café first", A1, "Broken", "BAD" + A3, T3, A3]))
            .encode()
            .replace(b"BAD", b"\xff\xfe"),
            titles=["Café first", T3],
            rejected=[("Broken", "lines 5-6): line 6 has invalid UTF-8 bytes")],
            text=lines_text(packed_lines(["Café first", A1, "Broken", "BAD", T3, A3])),
        ),
        "utf8_truncated_at_end": Case(
            (lines_text(packed_lines(["Café first", A1, "Cut short"])) + A3 + " \u2014").encode()[
                :-2
            ],
            titles=["Café first"],
            rejected=[("Cut short", "line 6 has invalid UTF-8 bytes")],
            text=lines_text(packed_lines(["Café first", A1, "Cut short"])),
        ),
        "nul_bytes": utf8(
            lines_text(packed_lines([T1, A1, "Nul\x00title", A3, T3, A3])),
            titles=[T1, T3],
            rejected=[("Nul", "line 5 has a NUL byte")],
        ),
        "binary": Case(BINARY, titles=[], file_error="binary file (", text="x"),
        "utf16_without_bom": Case(
            packed(pairs(2)).encode("utf-16-le"),
            titles=[],
            file_error="looks like UTF-16 text without a byte-order mark",
            text="x",
        ),
        "utf16_with_bom": Case(
            packed(pairs(2)).encode("utf-16"),
            titles=[t for t, _ in pairs(2)],
            warnings=["UTF-16 file decoded"],
            text=packed(pairs(2)),
        ),
        "single_1mb_line": utf8(
            ONE_MB_LINE,
            titles=[],
            rejected=[("lorem", "abstract with no title before it (1,000,000 chars)")],
        ),
        "1mb_line_as_an_abstract": utf8(
            lines_text(packed_lines([T1, A1, "Run together", ONE_MB_LINE, T3, A3])),
            titles=[T1, T3],
            rejected=[("Run together", "the abstract is 1,000,000 chars, far over 10,000")],
        ),
        "html_page": utf8(HTML, titles=[], file_error="looks like a page saved as HTML"),
        "html_fragment": utf8(
            f'<div class="papers">\n{T1}\n{A1}\n</div>\n', titles=[], file_error="saved as HTML"
        ),
        "markdown_page": utf8(MARKDOWN, titles=[], file_error="saved as Markdown"),
        "old_mac_line_ends": utf8(packed(pairs(3), newline="\r"), titles=[t for t, _ in pairs(3)]),
    }
    for case in cases.values():
        case.text = case.text or case.content.decode("utf-8", errors="replace")
    return cases


CATALOGUE = catalogue()


def write_catalogue(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, case in CATALOGUE.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_bytes(case.content)
    return paths


@pytest.mark.parametrize("name", CATALOGUE)
def test_bad_dump_has_its_defined_outcome(name, tmp_path):
    case = CATALOGUE[name]
    path = write_catalogue_one(tmp_path, name)
    dump = read_dump(path)
    assert [e.title for e in dump.entries] == case.titles
    expected = [(line_no(case.text, needle), why) for needle, why in case.rejected]
    got = [(p.line, p.message) for p in dump.rejected]
    assert [line for line, _ in got] == [line for line, _ in expected], got
    for (_, message), (_, why) in zip(got, expected, strict=True):
        assert why in message
    file_errors = [p for p in dump.errors if p not in dump.rejected]
    if case.file_error:
        [error] = file_errors
        assert case.file_error in error.message and error.line >= 1
        assert dump.entries_read == 0 and dump.entries == []
    else:
        assert file_errors == []
    warnings = [p.message for p in dump.problems if p.severity == "warning"]
    assert len(warnings) == len(case.warnings), warnings
    for message, expected_part in zip(warnings, case.warnings, strict=True):
        assert expected_part in message
    # The accounting invariant, and no line dropped without a word.
    assert dump.entries_read == len(dump.entries) + len(dump.rejected)
    if not case.file_error:
        assert unaccounted_lines(case.text, dump) == []
    for problem in dump.problems:
        assert str(problem).startswith(f"{path}:{problem.line}: {problem.severity}: ")


def write_catalogue_one(folder: Path, name: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_bytes(CATALOGUE[name].content)
    return path


def test_damaged_text_never_reaches_entries(tmp_path):
    """Invalid bytes and control characters only ever appear in rejections."""
    dump = read_dump(write_catalogue_one(tmp_path, "invalid_utf8"))
    assert all("\ufffd" not in e.title + e.abstract for e in dump.entries)
    assert dump.entries[0].title == "Café first"  # the valid UTF-8 around it is kept


ACCOUNT_LINE = re.compile(
    r"^  (\d+) entries read = (\d+) papers \+ (\d+) repeats \+ (\d+) rejected$", re.M
)


def run_check(*files: Path, root: Path | None = None) -> subprocess.CompletedProcess:
    root_args = ["--root", str(root)] if root else []
    return subprocess.run(
        [sys.executable, "-m", "generator", *root_args, "check", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def check_blocks(stdout: str) -> dict[str, str]:
    """The check report split per file: path -> its block of lines."""
    blocks = re.split(r"^(?=\S)", stdout, flags=re.M)
    return {b.split(":", 1)[0]: b for b in blocks if b.strip()}


def test_check_accounts_for_every_entry_of_every_bad_dump(tmp_path):
    paths = write_catalogue(tmp_path)
    result = run_check(*paths.values(), root=tmp_path)
    assert result.returncode == 1  # some dumps have errors
    blocks = check_blocks(result.stdout)
    assert len(blocks) == len(CATALOGUE)
    for name, case in CATALOGUE.items():
        block = blocks[str(paths[name])]
        read, papers, repeats, rejected = map(int, ACCOUNT_LINE.search(block).groups())
        assert read == papers + repeats + rejected, block
        assert (papers, repeats, rejected) == (len(case.titles), 0, len(case.rejected)), block
        for needle, why in case.rejected:
            line = line_no(case.text, needle)
            assert f"{paths[name]}:{line}: error: " in block and why in block
        if case.file_error:
            assert ": error: " in block and case.file_error in block
        failed = bool(case.rejected or case.file_error)
        assert block.rstrip().endswith("FAILED: 1 error(s)" if failed else "OK"), block


def test_seed_dumps_account_for_all_636_entries():
    dumps = read_dumps(ROOT / "dumps")
    assert [d.entries_read for d in dumps] == [len(d.entries) for d in dumps]
    assert str(account(dumps)) == "636 entries read = 591 papers + 45 repeats + 0 rejected"
    papers, _ = merge_entries(dumps)
    assert len(papers) == account(dumps).papers
    result = run_check(*SEEDS)
    assert result.returncode == 0
    counts = [tuple(map(int, m)) for m in ACCOUNT_LINE.findall(result.stdout)]
    assert [c[0] for c in counts] == [231, 67, 249, 89]
    assert all(read == p + r + x for read, p, r, x in counts)


def test_seed_build_prints_the_accounting(seed_site):
    log = (seed_site / "build.log").read_text()
    assert "4 dumps: 636 entries read = 591 papers + 45 repeats + 0 rejected" in log


def test_same_dump_twice_under_two_names(tmp_path):
    text = packed(pairs(3))
    dumps_dir = tmp_path / "dumps"
    dumps_dir.mkdir()
    (dumps_dir / "001_first.txt").write_text(text)
    (dumps_dir / "002_again.txt").write_text(text)
    dumps = read_dumps(dumps_dir)
    assert str(account(dumps)) == "6 entries read = 3 papers + 3 repeats + 0 rejected"
    [warning] = same_dumps(dumps)
    assert warning.path.endswith("002_again.txt") and "001_first.txt" in warning.message
    assert "saved twice" in warning.message
    papers, _ = merge_entries(dumps)
    assert [p.dumps for p in papers] == [["001_first", "002_again"]] * 3
    # check, on the second copy, against an archive that holds the first
    (tmp_path / "new.txt").write_text(text)
    (dumps_dir / "002_again.txt").unlink()
    result = run_check(tmp_path / "new.txt", root=tmp_path)
    assert result.returncode == 0
    assert "0 new to the archive, 3 already archived" in result.stdout
    assert "warning: same papers, in the same order, as " in result.stdout


def test_one_title_with_two_abstracts_keeps_the_first_and_warns(tmp_path):
    dumps_dir = tmp_path / "dumps"
    dumps_dir.mkdir()
    (dumps_dir / "001.txt").write_text(packed([("Shared title", A1)]))
    (dumps_dir / "002.txt").write_text(daily([(T3, A3), ("Shared title", ABSTRACT + " Two.")]))
    papers, warnings = merge_entries(read_dumps(dumps_dir))
    shared = next(p for p in papers if p.title == "Shared title")
    assert shared.abstract == A1 and shared.dumps == ["001", "002"]
    [warning] = warnings
    assert warning.severity == "warning" and warning.path.endswith("002.txt")
    assert warning.line == line_no(daily([(T3, A3), ("Shared title", "x")]), "Shared title")
    assert "001:3" in warning.message and "the first one is kept" in warning.message


def test_titles_differing_in_case_or_punctuation_are_one_paper(tmp_path):
    titles = [
        "Attention Is All You Need",
        "attention is all you need!",
        "Attention -- is all, you need.",
        "ATTENTION  IS ALL YOU NEED",
    ]
    path = tmp_path / "d.txt"
    path.write_text(packed([(t, A1) for t in titles]))
    dump = read_dump(path)
    assert str(account([dump])) == "4 entries read = 1 papers + 3 repeats + 0 rejected"
    papers, warnings = merge_entries([dump])
    assert [(p.title, p.slug) for p in papers] == [(titles[0], "attention-is-all-you-need")]
    assert warnings == []  # same abstract each time


def merged_slugs(*dump_texts: str, folder: Path) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    for i, text in enumerate(dump_texts):
        (folder / f"{i:03d}.txt").write_text(text)
    papers, _ = merge_entries(read_dumps(folder))
    return {p.title: p.slug for p in papers}


def test_titles_that_slugify_alike_get_distinct_stable_slugs(tmp_path):
    long_a = "A very long title about " + "scaling " * 12 + "laws for transformers"
    long_b = "A very long title about " + "scaling " * 12 + "laws for recurrent networks"
    first = packed([("Café Models", A1), (long_a, A1)])
    later = packed([("Cafe Models", A3), (long_b, A3)])
    alone = merged_slugs(first, folder=tmp_path / "a")
    both = merged_slugs(first, later, folder=tmp_path / "b")
    assert both["Café Models"] == alone["Café Models"] == "cafe-models"
    assert both[long_a] == alone[long_a]  # adding a dump never moves a page
    assert both["Cafe Models"].startswith("cafe-models-") and both[long_b] != both[long_a]
    assert len(set(both.values())) == 4
    again = merged_slugs(first, later, folder=tmp_path / "c")
    assert again == both  # deterministic


def test_titles_in_other_scripts_or_only_symbols_get_unique_slugs(tmp_path):
    titles = [
        "基于大语言模型的研究",
        "基于大语言模型的研究综述",
        "Μεγάλα γλωσσικά μοντέλα",
        "!!! ??? ***",
        "→ ← ↑ ↓",
        "😀🚀",
        "∑∫∂",
    ]
    slugs = merged_slugs(
        packed([(t, ABSTRACT + f" {i}.") for i, t in enumerate(titles)]), folder=tmp_path
    )
    assert set(slugs) == set(titles)
    assert len(set(slugs.values())) == len(titles)
    for slug in slugs.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
        assert re.fullmatch(r"paper-[0-9a-f]{8}", slug) or not slug.startswith("paper-"), slug
    assert slugs["Μεγάλα γλωσσικά μοντέλα"] == "megala-glossika-montela"


def test_a_50_mb_dump_parses_completely(tmp_path):
    """Outcome only; time and memory are measured by bench/parse_big.py."""
    path = tmp_path / "big.txt"
    count = write_big_dump(path, 50_000_000)
    assert path.stat().st_size >= 50_000_000
    dump = read_dump(path)
    assert (len(dump.entries), dump.entries_read, dump.problems) == (count, count, [])
    assert dump.entries[-1].title == f"Generated paper {count - 1} on a large dump"


def test_check_markdown_summary_gives_the_accounting_and_located_errors(tmp_path):
    path = write_catalogue_one(tmp_path, "two_titles_in_a_row")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--format", "markdown", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "3 entries read = 2 papers + 0 repeats + 1 rejected." in result.stdout
    line = line_no(CATALOGUE["two_titles_in_a_row"].text, "Title A")
    assert f"- `{path}:{line}` error: title with no abstract" in result.stdout


def test_a_paper_titled_index_gets_a_page_its_links_reach(tmp_path):
    """papers/index.md would be published at papers/, not papers/index/
    where every link to the paper points: the title slugs as for a title
    of symbols only."""
    root = make_project(tmp_path / "p", {"001_x.txt": packed([("Index", A1), ("Other", A3)])})
    assert run_generator(root, "build").returncode == 0
    assert broken_links(root / "site") == []
    slug = merged_slugs(packed([("Index", A1)]), folder=tmp_path / "d")["Index"]
    assert re.fullmatch(r"paper-[0-9a-f]{8}", slug)
    assert (root / "site" / "papers" / slug / "index.html").exists()
    assert not (root / "site" / "papers" / "index.html").exists()


def test_a_dump_named_index_is_refused_with_its_file_named(tmp_path):
    """dumps/index.md lists the dumps: a dump's page cannot take it. The
    build said only "pages rendered twice"; now the dump is refused whole."""
    root = make_project(tmp_path / "p", {"index.txt": packed([("Alpha", A1), ("Beta", A3)])})
    result = run_generator(root, "build", "--no-mkdocs")
    assert result.returncode != 0
    assert f"{root / 'dumps' / 'index.txt'}:1: error: a dump cannot be named index.txt" in (
        result.stdout + result.stderr
    )
    assert not (root / "site_src" / "papers").exists()
    (root / "dumps" / "001_x.txt").write_text(packed([("Gamma", A1), ("Delta", A3)]))
    result = run_generator(root, "build", "--no-mkdocs", "--skip-bad")
    assert result.returncode == 0, result.stderr
    assert (root / "site_src" / "dumps" / "001_x.md").exists()
    assert "<h1>Dumps</h1>" in (root / "site_src" / "dumps" / "index.md").read_text()
