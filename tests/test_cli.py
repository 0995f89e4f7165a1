"""The command line as a contributor uses it."""

from __future__ import annotations

import json

from generator.merge import normalise_title
from generator.parse import read_dump, read_dumps
from tests.conftest import ROOT, SEEDS, make_project, run_generator

ABSTRACT = "A long enough abstract sentence for the parser to see a paragraph here. " * 5


def test_help_lists_every_command():
    result = run_generator(ROOT, "--help")
    assert result.returncode == 0
    for command in ("build", "check", "serve"):
        assert command in result.stdout


def test_check_reports_layout_counts_and_what_is_new(tmp_path):
    project = make_project(tmp_path, seeds=True)
    newest = project / "dumps" / SEEDS[-1].name
    result = run_generator(project, "check", str(newest))
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert f"{newest}: daily layout, listing date Mar 20" in out
    assert "89 entries read" in out
    # Computed independently: titles of 004 already in the three other seeds.
    known = {
        normalise_title(e.title)
        for d in read_dumps(project / "dumps")
        if d.name != newest.stem
        for e in d.entries
    }
    titles = {normalise_title(e.title) for e in read_dump(newest).entries}
    archived = len(titles & known)
    assert f"{len(titles) - archived} new to the archive, {archived} already archived" in out
    assert archived > 0 and "OK" in out


def test_check_fails_and_names_file_and_line(tmp_path):
    bad = tmp_path / "005_bad.txt"
    bad.write_text("Subscribe" + "A title\n" + ABSTRACT + "\nAn orphan title at the end\n")
    result = run_generator(ROOT, "check", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: error: title with no abstract at end of file" in result.stdout


def test_build_refuses_dump_errors_unless_skip_bad(tmp_path):
    text = "Subscribe" + "Good title\n" + ABSTRACT + "\nOrphan title\n"
    project = make_project(tmp_path, {"001_x.txt": text})
    refused = run_generator(project, "build", "--no-mkdocs")
    assert refused.returncode == 1
    assert "001_x.txt:3: error" in refused.stderr and "--skip-bad" in refused.stderr
    assert not (project / "site_src/papers").exists()
    skipped = run_generator(project, "build", "--no-mkdocs", "--skip-bad")
    assert skipped.returncode == 0, skipped.stderr
    assert "1 rejected" in skipped.stderr
    assert (project / "site_src/papers/good-title.md").exists()


def test_build_timings_list_every_generator_stage_with_its_memory(tmp_path):
    """bench/ reads --timings: the stages run in a process of their own
    (build.generate_apart), and their times and peak memory still reach
    the file, once each, in order."""
    project = make_project(tmp_path, {SEEDS[1].name: SEEDS[1].read_text(encoding="utf-8")})
    timings = tmp_path / "t.json"
    built = run_generator(project, "build", "--no-mkdocs", "--timings", str(timings))
    assert built.returncode == 0, built.stderr
    stages = json.loads(timings.read_text(encoding="utf-8"))
    names = [s["name"] for s in stages]
    expected = ["parse", "merge", "clean", "keywords", "tags", "related", "render", "write"]
    assert [n for n in names if n in expected] == expected
    ran = [s for s in stages if s["name"] in expected]
    assert all(s["seconds"] > 0 for s in ran), ran
    peaks = [s["peak_rss_mb"] for s in ran]  # of the process that ran them, so far
    assert peaks == sorted(peaks) and peaks[0] > 0
    assert "pages written to" in built.stderr and "keywords extracted for" in built.stderr
