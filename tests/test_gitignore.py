"""Generated files stay out of git: a contributor's `git add .` after a
build must not pick up the site's pages."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator.render import GENERATED_DIRS, GENERATED_FILES
from tests.conftest import ROOT


def test_every_generated_path_is_ignored_by_git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = [f"site_src/{name}" for name in GENERATED_FILES]
    paths += [f"site_src/{name}/some-page.md" for name in GENERATED_DIRS]
    paths += ["site/index.html", ".cache/keywords.json"]
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted(result.stdout.split()) == sorted(paths)
