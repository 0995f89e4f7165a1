"""Atomic builds: whatever stage fails, the previous site/ stays byte for byte
as it was and the exit code is non-zero; a failure before MkDocs leaves
site_src/ untouched too. Each test builds a real site once (shared), adds a
dump that would change it, breaks one stage, rebuilds and compares trees."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import generator.render
from generator import cli
from tests.conftest import make_project, run_generator
from tests.dumpgen import ABSTRACT, daily, packed_lines

FIRST = [
    ("Sparse attention for long documents", ABSTRACT + " One."),
    ("基于大语言模型的检索增强研究", ABSTRACT + " Two."),
    ("Μεγάλα γλωσσικά μοντέλα για την ιατρική", ABSTRACT + " Three."),
    ("!!! ??? ***", ABSTRACT + " Four."),
]
NEW_PAPER = ("A new paper that a good rebuild would add", ABSTRACT + " Five.")
BAD_DUMP = "\n".join(packed_lines([*NEW_PAPER, "A title whose abstract was lost"])) + "\n"

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("atomic"), {"001_first.txt": daily(FIRST)})
    result = run_generator(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the built project (site/, site_src/ and keyword cache included)."""
    root = tmp_path / "project"
    shutil.copytree(built, root)
    return root


def assert_untouched(root: Path, site: dict, site_src: dict | None = None) -> None:
    assert tree(root / "site") == site
    if site_src is not None:
        assert tree(root / "site_src") == site_src
    for scratch in ("site.new", "site.old", "site.search"):
        assert not (root / scratch).exists()


def test_first_build_has_a_page_for_every_paper_whatever_its_script(built):
    pages = {p.parent.name for p in (built / "site" / "papers").glob("*/index.html")}
    assert len(pages) == len(FIRST)
    assert {
        "sparse-attention-for-long-documents",
        "megala-glossika-montela-gia-ten-iatrike",
    } < pages
    assert all(re.fullmatch(r"[a-z0-9-]+", slug) for slug in pages)


def test_dump_error_refuses_to_build_and_touches_nothing(project):
    site, site_src = tree(project / "site"), tree(project / "site_src")
    (project / "dumps" / "002_bad.txt").write_text(BAD_DUMP)
    result = run_generator(project, "build")
    assert result.returncode == 1
    err = result.stderr
    assert "2 dumps: 6 entries read = 5 papers + 0 repeats + 1 rejected" in err
    assert re.search(r"002_bad\.txt:5: error: title with no abstract at end of file", err)
    assert "error: 1 error(s) in the dumps; fix them, or pass --skip-bad" in err
    assert "nothing was built: site_src/ and site/ are left as they were" in err
    assert_untouched(project, site, site_src)


def test_skip_bad_builds_without_the_rejected_entries_and_says_so(project):
    site = tree(project / "site")
    (project / "dumps" / "002_bad.txt").write_text(BAD_DUMP)
    (project / "dumps" / "003_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result = run_generator(project, "build", "--skip-bad")
    assert result.returncode == 0, result.stderr
    assert "3 dumps: 6 entries read = 5 papers + 0 repeats + 1 rejected" in result.stderr
    assert re.search(r"003_binary\.txt:1: error: binary file \(\d+% control bytes\)", result.stderr)
    assert "warning: --skip-bad: built without 2 bad entries or files" in result.stderr
    new_site = tree(project / "site")
    assert new_site != site
    assert "papers/a-new-paper-that-a-good-rebuild-would-add/index.html" in new_site
    assert not any(b"whose abstract was lost" in page for page in new_site.values())
    assert "dumps/002_bad/index.html" in new_site
    assert not any("003_binary" in name for name in new_site)


def test_template_error_leaves_site_and_site_src_as_they_were(project, monkeypatch, capsys):
    site, site_src = tree(project / "site"), tree(project / "site_src")
    (project / "dumps" / "002_good.txt").write_text(daily([NEW_PAPER]))
    make_env = generator.render.make_env

    def broken_env():
        # home.md.j2 renders last: every other page is already rendered by then
        env = make_env()
        env.loader.get_source = wrap_source(env.loader.get_source)
        return env

    def wrap_source(get_source):
        def get(environment, name):
            source, path, uptodate = get_source(environment, name)
            if name == "home.md.j2":
                source += "{{ ctx.no_such_thing }}"
            return source, path, uptodate

        return get

    monkeypatch.setattr(generator.render, "make_env", broken_env)
    code = cli.main(["--root", str(project), "build"])
    assert code == 1
    err = capsys.readouterr().err
    assert "error: rendering pages failed: UndefinedError" in err
    assert "no_such_thing" in err
    assert_untouched(project, site, site_src)


@pytest.mark.parametrize("breakage", ["broken link with --strict", "unknown theme"])
def test_mkdocs_failure_leaves_site_as_it_was(project, breakage):
    site = tree(project / "site")
    (project / "dumps" / "002_good.txt").write_text(daily([NEW_PAPER]))
    args = ["build"]
    if breakage == "unknown theme":
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace("name: material", "name: no-such-theme"))
    else:
        about = project / "site_src" / "about.md"
        about.write_text(about.read_text() + "\n[gone](no-such-page.md)\n")
        args.append("--strict")
    result = run_generator(project, *args)
    assert result.returncode == 1
    assert "error: mkdocs build failed" in result.stderr
    assert "site/ left as it was" in result.stderr
    assert_untouched(project, site)
