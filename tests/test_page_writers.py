"""MkDocs' generated pages written by two processes (page_writers.py): the
same site as one process writes, every page written once, and a writer's
warnings and errors reach the build as if the build process had them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_mkdocs_plugin import files

pytestmark = pytest.mark.slow

# mkdocs hooks: which process wrote each page; warnings or an error from
# the process that is not the build process, when asked for.
HOOKS = """
import logging
import os

BUILD_PROCESS = os.getpid()  # imported when the config is loaded
log = logging.getLogger("mkdocs.plugins.test_hooks")


def on_post_page(output, page, config):
    uri = page.file.src_uri
    if output.strip():
        with open(os.environ["WRITTEN_LOG"], "a") as written:
            who = "build" if os.getpid() == BUILD_PROCESS else "writer"
            written.write(f"{who} {uri}\\n")
    if os.getpid() != BUILD_PROCESS and uri.startswith("papers/"):
        if os.environ.get("WARN_IN_WRITER"):
            log.warning(f"checked in a writer: {uri}")
        if os.environ.get("FAIL_IN_WRITER"):
            raise ValueError(f"refused in a writer: {uri}")
    return output
"""


def two_writer_project(seed_site: Path, root: Path, jobs: int = 2) -> Path:
    shutil.copytree(seed_site, root, ignore=shutil.ignore_patterns("site"))
    config = root / "mkdocs.yml"
    text = config.read_text()
    assert "plugins:\n  - generated-pages\n" in text
    plugin = f"plugins:\n  - generated-pages:\n      jobs: {jobs}\n"
    config.write_text(
        text.replace("plugins:\n  - generated-pages\n", plugin) + "hooks:\n  - hooks.py\n"
    )
    (root / "hooks.py").write_text(HOOKS)
    return root


def mkdocs_build(root: Path, site: Path, *options: str, **env: str):
    cmd = [sys.executable, "-m", "mkdocs", "build", "-d", str(site), *options]
    full_env = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", WRITTEN_LOG=str(root / "written.log"), **env
    )
    return subprocess.run(cmd, cwd=root, env=full_env, capture_output=True, text=True)


def written(root: Path) -> list[tuple[str, str]]:
    """(build or writer, page) for each page written, as the hooks saw it."""
    lines = (root / "written.log").read_text().splitlines()
    return [(who, uri) for who, uri in (line.split(" ", 1) for line in lines)]


def test_two_writers_build_the_same_site_and_each_page_once(seed_site, tmp_path):
    root = two_writer_project(seed_site, tmp_path / "project")
    result = mkdocs_build(root, tmp_path / "site", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Page skipped" not in result.stderr
    one_writer, two_writers = files(seed_site / "site"), files(tmp_path / "site")
    assert len(one_writer) > 1000
    assert two_writers.keys() == one_writer.keys()
    assert [name for name in one_writer if two_writers[name] != one_writer[name]] == []
    pages = written(root)
    uris = [uri for _, uri in pages]
    assert len(uris) == len(set(uris))  # no page written twice
    assert {who for who, uri in pages if uri.startswith("papers/")} == {"build", "writer"}
    papers = [uri for uri in uris if uri.startswith("papers/")]
    assert len(papers) == len(list((root / "site_src" / "papers").glob("*.md")))


def test_a_warning_in_a_writer_is_shown_once_and_fails_a_strict_build(seed_site, tmp_path):
    root = two_writer_project(seed_site, tmp_path / "project")
    result = mkdocs_build(root, tmp_path / "site", WARN_IN_WRITER="1")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "checked in a writer: " in line]
    assert warned and all(line.startswith("WARNING") for line in warned)
    assert len(warned) == len(set(warned))
    in_writer = [uri for who, uri in written(root) if who == "writer" and uri.startswith("papers/")]
    assert sorted(line.split("checked in a writer: ")[1] for line in warned) == sorted(in_writer)

    (root / "written.log").unlink()
    strict = mkdocs_build(root, tmp_path / "strict-site", "--strict", WARN_IN_WRITER="1")
    assert strict.returncode == 1
    # click prints the abort on standard output
    assert f"Aborted with {len(warned)} warnings in strict mode!" in strict.stdout


def test_an_error_in_a_writer_fails_the_build_and_names_the_page(seed_site, tmp_path):
    root = two_writer_project(seed_site, tmp_path / "project")
    result = mkdocs_build(root, tmp_path / "site", FAIL_IN_WRITER="1")
    assert result.returncode == 1
    assert "Error building page 'papers/" in result.stderr
    assert "refused in a writer: papers/" in result.stderr
    assert "a page writer process failed" in result.stderr
