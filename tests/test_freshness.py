"""A rebuild with nothing changed skips the generator stages and leaves
site_src/ as it is; any change to what the stages read runs them again,
and the pages are then exactly those of a build from scratch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.freshness import fingerprint
from tests.conftest import make_project, run_generator
from tests.dumpgen import daily, pairs

UP_TO_DATE = "is up to date"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def generate(root: Path, *args: str, env: dict | None = None):
    result = run_generator(root, "build", "--no-mkdocs", *args, env=env)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def project(tmp_path) -> Path:
    root = make_project(tmp_path / "p", {"001_first.txt": daily(pairs(6))})
    generate(root)
    return root


def test_an_unchanged_rebuild_skips_the_stages_and_still_reports_the_dumps(project):
    before = tree(project / "site_src")
    first = run_generator(project, "build", "--no-mkdocs")
    result = generate(project)
    assert UP_TO_DATE in result.stderr
    assert "parse:" not in result.stderr and "tags:" not in result.stderr
    # The accounting of the build that wrote the pages is printed again.
    assert "1 dumps: 6 entries read = 6 papers + 0 repeats + 0 rejected" in result.stderr
    assert UP_TO_DATE in first.stderr
    assert tree(project / "site_src") == before


@pytest.mark.parametrize(
    "change",
    ["new dump", "edited dump", "tags.yml", "page deleted", "page edited", "stray page"],
)
def test_any_change_runs_the_stages_and_gives_the_pages_of_a_clean_build(project, tmp_path, change):
    src = project / "site_src"
    page = next((src / "papers").glob("*.md"))
    if change == "new dump":
        (project / "dumps" / "002_more.txt").write_text(daily(pairs(3, start=50)))
    elif change == "edited dump":
        dump = project / "dumps" / "001_first.txt"
        dump.write_text(
            dump.read_text().replace("Paper title number 1\n", "Paper title number one\n", 1)
        )
    elif change == "tags.yml":
        (project / "tags.yml").write_text("ban:\n  - transformers\n")
    elif change == "page deleted":
        page.unlink()
    elif change == "page edited":
        page.write_text(page.read_text() + "\nedited by hand\n")
    else:
        (src / "papers" / "stray.md").write_text("# not generated\n")
    result = generate(project)
    assert UP_TO_DATE not in result.stderr
    assert "tags:" in result.stderr
    clean = tmp_path / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("site_src", ".cache"))
    shutil.copytree(make_project(tmp_path / "blank") / "site_src", clean / "site_src")
    generate(clean)
    assert tree(src) == tree(clean / "site_src")


def test_another_site_address_runs_the_stages(project):
    result = generate(project, env={"SITE_URL": "https://example.org/archive/"})
    assert UP_TO_DATE not in result.stderr
    feed = (project / "site_src" / "feeds" / "latest.xml").read_text()
    assert "https://example.org/archive/" in feed


def test_a_page_fingerprint_tells_inputs_apart_by_value_only():
    # render.Page inputs: equal values give one fingerprint, whichever
    # objects hold them; values that differ in kind or in where one part
    # ends and the next starts give different ones.
    text = "".join(["word "] * 3)
    assert fingerprint(("word word word ", (1, None))) == fingerprint((text, (1, None)))
    again = "".join(["word "] * 3)
    assert again is not text and fingerprint((text, text)) == fingerprint((text, again))
    variants = [
        ("ab", "c"), ("a", "bc"), ("a", "b", "c"), (("a", "b"), "c"), ("ab", ("c",)),
        ("1",), (1,), (True,), (None,), ("None",), ((),), ("",),
    ]  # fmt: skip
    assert len({fingerprint(v) for v in variants}) == len(variants)
    with pytest.raises(ValueError):
        fingerprint(("a", object()))  # not a plain value: an error, not a guess


def test_a_rebuild_that_changed_no_page_leaves_the_next_build_up_to_date(project):
    """The rebuild records the state of each page it left alone, most of
    them as the build before recorded them: the next build must find
    every one of those as recorded."""
    before = tree(project / "site_src")
    with open(project / "tags.yml", "a") as rules:
        rules.write("# a comment: the stages run again, no page changes\n")
    result = generate(project)
    assert UP_TO_DATE not in result.stderr and "tags:" in result.stderr
    assert tree(project / "site_src") == before
    assert UP_TO_DATE in generate(project).stderr
