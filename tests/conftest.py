"""Shared fixtures: throw-away project folders and one real build of the seeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Browser fixtures registered once here: a session fixture imported into two
# test modules would start two Playwright instances, which cannot coexist.
from tests.browser import browser, seed_url, serve_site  # noqa: F401 (fixtures)
from tests.project import ROOT, SEEDS, make_project  # noqa: F401 (used by the tests)

DATA = Path(__file__).resolve().parent / "data"


def run_generator(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The seed dumps built once, for real, with mkdocs build --strict."""
    root = make_project(tmp_path_factory.mktemp("seed"), seeds=True)
    result = run_generator(root, "build", "--strict")
    assert result.returncode == 0, result.stderr
    (root / "build.log").write_text(result.stderr)  # for tests of what the build printed
    return root


# Small enough that the seeds' 700-odd papers make several search shards.
SEED_SHARD_PAGES = 200


@pytest.fixture(scope="session")
def sharded_seed_site(seed_site, tmp_path_factory) -> Path:
    """The seed site built again with its search index in shards of
    SEED_SHARD_PAGES pages, as a 50,000-paper archive is by default."""
    root = tmp_path_factory.mktemp("sharded") / "project"
    shutil.copytree(seed_site, root, ignore=shutil.ignore_patterns("site"))
    result = run_generator(root, "build", "--search-shard-pages", str(SEED_SHARD_PAGES))
    assert result.returncode == 0, result.stderr
    return root
