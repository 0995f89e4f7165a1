"""Shared fixtures: throw-away project folders and one real build of the seeds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Browser fixtures registered once here: a session fixture imported into two
# test modules would start two Playwright instances, which cannot coexist.
from tests.browser import browser, seed_url, serve_site  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "dumps").glob("*.txt"))
DATA = Path(__file__).resolve().parent / "data"


def make_project(
    folder: Path, dumps: dict[str, str | bytes] | None = None, seeds: bool = False
) -> Path:
    """A project folder with the real config and theme, and the given dumps."""
    for name in ("mkdocs.yml", "tags.yml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "theme_overrides", folder / "theme_overrides")
    shutil.copytree(
        ROOT / "site_src",
        folder / "site_src",
        ignore=shutil.ignore_patterns(
            "papers", "tags", "dumps", "index.md", "feeds", "stats.md", "code.md", "papers.*"
        ),
    )
    (folder / "dumps").mkdir()
    if seeds:
        for seed in SEEDS:
            shutil.copy(seed, folder / "dumps" / seed.name)
    for name, content in (dumps or {}).items():
        path = folder / "dumps" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def run_generator(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The seed dumps built once, for real, with mkdocs build --strict."""
    root = make_project(tmp_path_factory.mktemp("seed"), seeds=True)
    result = run_generator(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    (root / "build.log").write_text(result.stderr)  # for tests of what the build printed
    return root
