from pathlib import Path

import pytest

from generator import parse_cache
from generator.parse import parse_text, read_dump, read_dumps
from generator.parse_cache import read_dumps_cached
from tests import dumpgen
from tests.conftest import SEEDS

SEED_COUNTS = {
    "000_e11b7e261620048d": ("packed", None, 231),
    "002_8afe489e874394e9": ("daily", "Sep 19", 67),
    "003_2863d25ecdb6f9e3": ("packed", None, 249),
    "004_cc7c0150dadd3a92": ("daily", "Mar 20", 89),
}
ABSTRACT = (
    "We study a problem that matters and propose a method that works well on many "
    "benchmarks, with careful ablations, strong baselines and a long discussion of "
    "limitations, which makes this line long enough to read as an abstract paragraph."
)


def packed(*pairs):
    """Packed dumps end without a newline, as the seeds do."""
    return dumpgen.packed(pairs).rstrip("\n")


def daily(*pairs, date="Sep 19"):
    return dumpgen.daily(pairs, date)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_dumps_parse_without_problems(path: Path):
    dump = read_dump(path)
    layout, date, count = SEED_COUNTS[dump.name]
    assert (dump.layout, dump.listing_date, len(dump.entries)) == (layout, date, count)
    assert dump.problems == []


def test_seed_first_title_is_unglued_from_subscribe():
    dump = read_dump(SEEDS[0])
    first = dump.entries[0]
    assert first.title == "Ship in Sight: Diffusion Models for Ship-Image Super Resolution"
    assert first.line == 3
    assert first.abstract.startswith("In recent years, remarkable advancements")


def test_seed_daily_entries_carry_their_line_numbers():
    dump = read_dump(SEEDS[1])
    first = dump.entries[0]
    assert first.title.startswith("HarmoniCa: Harmonizing Training and Inference")
    assert first.line == 13  # the blank lines of the header blocks count
    assert dump.entries[1].line == 17


@pytest.mark.parametrize("layout", [packed, daily])
def test_crlf_bom_and_trailing_spaces_change_nothing(layout):
    text = layout(("Title One", ABSTRACT), ("Title Two: With Colon", ABSTRACT + " Two."))
    plain = parse_text(text, "d", "d.txt")
    messy = "\ufeff" + "\r\n".join(line + "  \t" for line in text.split("\n"))
    other = parse_text(messy, "d", "d.txt")
    assert [(e.line, e.title, e.abstract) for e in other.entries] == [
        (e.line, e.title, e.abstract) for e in plain.entries
    ]
    assert len(plain.entries) == 2 and plain.problems == other.problems == []


def test_layouts_are_told_apart_per_file():
    assert parse_text(packed(("A title", ABSTRACT)), "d", "d.txt").layout == "packed"
    assert parse_text(daily(("A title", ABSTRACT)), "d", "d.txt").layout == "daily"


def test_title_with_no_abstract_is_reported_with_its_line():
    text = daily(("First title", ABSTRACT), ("Orphan title", ABSTRACT), ("Third", ABSTRACT))
    text = text.replace(ABSTRACT + "\n\nThird", "Lonely title\n\nThird", 1)
    # Now: First, ABSTRACT, Orphan, Lonely (no abstract), Third, ABSTRACT
    text = text.replace(
        "Orphan title\n\nLonely title", "Orphan title\n\n" + ABSTRACT + "\n\nLonely title"
    )
    dump = parse_text(text, "d", "d.txt")
    titles = [e.title for e in dump.entries]
    assert titles == ["First title", "Orphan title", "Third"]
    [problem] = dump.errors
    assert "title with no abstract" in problem.message
    assert problem.line == text.split("\n").index("Lonely title") + 1
    assert str(problem).startswith("d.txt:")


def test_missing_last_abstract_is_an_error_not_a_silent_drop():
    text = packed(("Kept", ABSTRACT), ("Lost at the end", ABSTRACT))
    text = text.rstrip("\n").rsplit("\n", 1)[0]
    dump = parse_text(text, "d", "d.txt")
    assert [e.title for e in dump.entries] == ["Kept"]
    [problem] = dump.errors
    assert problem.line == 5 and "end of file" in problem.message


def test_unknown_header_line_is_skipped_with_a_warning():
    text = daily(("A title", ABSTRACT)).replace(
        "Daily Papers", "Daily Papers\n\nTrending this week"
    )
    dump = parse_text(text, "d", "d.txt")
    assert [e.title for e in dump.entries] == ["A title"]
    [warning] = dump.problems
    assert warning.severity == "warning" and "Trending this week" in warning.message


def test_empty_and_header_only_dumps_are_errors():
    assert "empty" in parse_text("", "d", "d.txt").errors[0].message
    header_only = parse_text("new\n\nSubscribe\n\nDaily Papers\n", "d", "d.txt")
    assert header_only.entries == [] and "no papers" in header_only.errors[0].message


def test_dumps_parsed_by_the_last_build_are_read_back_and_new_ones_parsed(tmp_path, monkeypatch):
    """parse_cache: a rebuild parses only the dumps that are new or
    changed; what it returns is what parsing them all gives, problems and
    line numbers included."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    for seed in SEEDS[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    bad = dumpgen.packed(dumpgen.pairs(3)).rstrip("\n").rsplit("\n", 1)[0]  # last abstract lost
    (folder / "zz-3-bad.txt").write_text(bad)
    cache = tmp_path / ".cache" / "parsed-dumps.pickle"
    parsed = []
    real = parse_cache.read_dump
    monkeypatch.setattr(parse_cache, "read_dump", lambda p, d: parsed.append(p.name) or real(p, d))

    first = read_dumps_cached(folder, cache, "code-1")
    assert first == read_dumps(folder) and len(parsed) == 3
    [problem] = first[2].errors  # problems are kept too, with their file and line
    assert problem.path == str(folder / "zz-3-bad.txt") and problem.line == 7

    parsed.clear()
    (folder / "zz-4-new.txt").write_text(dumpgen.packed(dumpgen.pairs(2, start=10)))
    (folder / "zz-3-bad.txt").write_text(dumpgen.packed(dumpgen.pairs(4)))  # edited
    again = read_dumps_cached(folder, cache, "code-1")
    assert parsed == ["zz-3-bad.txt", "zz-4-new.txt"]
    assert again == read_dumps(folder) and len(again[2].entries) == 4

    parsed.clear()
    (folder / "zz-4-new.txt").unlink()
    assert read_dumps_cached(folder, cache, "code-1") == read_dumps(folder) and parsed == []
    assert read_dumps_cached(folder, cache, "code-2") == read_dumps(folder)
    assert len(parsed) == 3  # other code: every dump parsed again

    parsed.clear()
    (folder / "zz-3-bad.txt").write_text(bad)
    read_dumps_cached(folder, cache, "code-2")
    moved = folder.rename(tmp_path / "moved")  # a copied or moved project
    assert read_dumps_cached(moved, cache, "code-2") == read_dumps(moved)
    assert parsed == ["zz-3-bad.txt"]  # read back, its problem naming the new path
    cache.write_bytes(b"not a pickle")
    assert read_dumps_cached(moved, cache, "code-2") == read_dumps(moved) and len(parsed) == 4
