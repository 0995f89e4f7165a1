"""Write the generated pages into site_src/, touching only what changed.

A rebuild after one new dump changes a few hundred of some 30,000 files.
Rewriting them all cost seconds and gave every page a new mtime; instead a
file whose bytes are already right is left alone, and only files that no
page claims any more are deleted (with the folders they leave empty). The
result is the same tree as deleting everything and writing it afresh.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class WriteCounts:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:  # missing, or not a readable file
        return False


def generated_files(site_src: Path, dirs, files) -> set[str]:
    """Every file now under the generated folders, and the generated top-level files."""
    found = {p.relative_to(site_src).as_posix() for d in dirs for p in (site_src / d).rglob("*")}
    found = {rel for rel in found if (site_src / rel).is_file()}
    return found | {f for f in files if (site_src / f).is_file()}


def remove_stale(site_src: Path, pages: Mapping[str, object], dirs, files) -> int:
    """Delete what the generated folders and files hold that no page claims."""
    deleted = 0
    for name in files:
        if name not in pages and (site_src / name).is_file():
            (site_src / name).unlink()
            deleted += 1
    for name in dirs:
        top = site_src / name
        if top.is_symlink() or not top.is_dir():
            continue
        for folder, subdirs, names in os.walk(top, topdown=False):
            here = Path(folder)
            for entry in names + [d for d in subdirs if (here / d).is_symlink()]:
                if (here / entry).relative_to(site_src).as_posix() not in pages:
                    (here / entry).unlink()
                    deleted += 1
            if not any(here.iterdir()):
                here.rmdir()
    return deleted


def write_changed(
    pages: Mapping[str, str | bytes],
    site_src: Path,
    dirs,
    files,
    done: Callable[[], Any] | None = None,
) -> WriteCounts:
    """Make site_src hold exactly `pages` (relative path -> text, or its
    UTF-8 bytes) in the generated folders `dirs` and top-level `files`;
    hand-written files stay.
    done() is called as each file is reached (a progress bar)."""
    counts = WriteCounts(deleted=remove_stale(site_src, pages, dirs, files))
    made: set[Path] = set()
    for rel, text in sorted(pages.items()):
        if done:
            done()
        path = site_src / rel
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        if same_bytes(path, data):
            counts.unchanged += 1
            continue
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if path.is_symlink():  # replaced, not written through
            path.unlink()
        path.write_bytes(data)
        counts.written += 1
    return counts
