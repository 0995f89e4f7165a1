"""The generated-pages plugin skips Markdown for generated pages; the site
it builds must be the very site MkDocs builds without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.mkdocs_plugin import is_generated_html

pytestmark = pytest.mark.slow


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != "pagefind"
    }


def test_the_site_is_byte_identical_without_the_plugin(seed_site, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(seed_site, root, ignore=shutil.ignore_patterns("site"))
    config = root / "mkdocs.yml"
    text = config.read_text()
    assert "  - generated-pages\n" in text
    config.write_text(text.replace("plugins:\n  - generated-pages\n", "plugins: []\n"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(tmp_path / "plain")]
    subprocess.run(cmd, cwd=root, env=env, check=True)
    with_plugin, plain = files(seed_site / "site"), files(tmp_path / "plain")
    assert len(with_plugin) > 1000
    assert with_plugin.keys() == plain.keys()
    differing = [name for name in plain if plain[name] != with_plugin[name]]
    assert differing == []


def test_only_generated_html_pages_skip_markdown():
    assert is_generated_html("papers/x.md", "<article>...</article>")
    assert is_generated_html("index.md", "\n<div class='pa-home'>")
    assert not is_generated_html("about.md", "<div>hand-written</div>")
    assert not is_generated_html("papers/x.md", "# A Markdown heading")


def test_page_independent_blocks_are_rendered_once_per_folder(seed_site, tmp_path, monkeypatch):
    """The speed-up is real: paper, tag and dump pages share their sidebars,
    footer, config, styles and scripts instead of rendering them per page
    (the byte-identical test above shows the shared blocks are right)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(seed_site / "mkdocs.yml"), site_dir=str(tmp_path / "site"), quiet=True)
    build(config)
    plugin = config.plugins["generated-pages"]
    folders = {key[0] for _, key in plugin.blocks}
    assert {"papers", "tags", "dumps"} <= folders
    blocks = {name for name, _ in plugin.blocks}
    assert blocks == {"site_nav", "footer", "config", "styles", "scripts"}
    keys = {key for _, key in plugin.blocks}
    assert len(plugin.blocks) == len(blocks) * len(keys)
    # 591 paper pages, 700+ tag pages: one set of blocks per folder.
    assert len(keys) == len(folders) <= 5
