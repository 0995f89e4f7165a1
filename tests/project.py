"""Throw-away project folders with the real config, theme and tag rules,
for tests and benchmarks (neither may build into the repository itself)."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.render import GENERATED_DIRS, GENERATED_FILES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "dumps").glob("*.txt"))


def make_project(
    folder: Path, dumps: dict[str, str | bytes] | None = None, seeds: bool = False
) -> Path:
    """A project folder with the real config, theme and hand-written pages
    (no generated ones), and the given dumps."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "tags.yml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "theme_overrides", folder / "theme_overrides")
    generated = [name.split("/")[0] for name in (*GENERATED_DIRS, *GENERATED_FILES)]
    shutil.copytree(
        ROOT / "site_src",
        folder / "site_src",
        ignore=lambda src, names: generated if Path(src) == ROOT / "site_src" else [],
    )
    (folder / "dumps").mkdir(exist_ok=True)
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
