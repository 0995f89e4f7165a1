"""Stage 4, render and write: every page rendered in runs spread over the
cores, staged, then moved into site_src/ once all are rendered.

Rendering is Jinja over some 25,000 pages at 20,000 papers: single-threaded
Python. Forked workers (workers.map_runs) render runs of the pages. Each
compares a page with the file already in site_src/ and writes only a
changed page, into a staging folder: no page comes back to the build
process, so it never holds the whole site, and a rebuild that changes a few
hundred pages moves only those. A failure in any page leaves site_src/ as
it was; the staged pages are deleted.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .progress import progress_bar
from .render import Unit
from .workers import job_count, map_runs
from .writer import remove_stale, same_bytes


class RenderError(Exception):
    """A page could not be rendered; site_src/ was left as it was."""


@dataclass
class Staged:
    """Pages rendered into the staging folder (changed) or found already
    right in site_src/ (unchanged), by path relative to site_src."""

    staging: Path
    changed: list[str]
    unchanged: list[str]
    paths: list[str]  # every page, sorted


@dataclass
class _Job:
    """What the forked workers read (inherited, not pickled)."""

    units: list[Unit]
    site_src: Path
    staging: Path


def _render_run(job: _Job, start: int, end: int) -> tuple[list[str], list[str]]:
    changed, unchanged = [], []
    made: set[Path] = set()
    for unit in job.units[start:end]:
        for rel, text in unit().items():
            data = text.encode("utf-8")
            if same_bytes(job.site_src / rel, data):
                unchanged.append(rel)
                continue
            path = job.staging / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(data)
            changed.append(rel)
    return changed, unchanged


def render_staged(
    units: list[Unit],
    site_src: Path,
    staging: Path,
    jobs: int | None = None,
    progress: bool | None = None,
) -> Staged:
    """Render every unit; changed pages go to staging (emptied first).
    jobs: processes (default: all cores on a large site). Raises
    RenderError, with staging removed, when a page fails."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    job = _Job(units, site_src, staging)
    try:
        with progress_bar(len(units), "render", progress, unit="page") as bar:
            runs = map_runs(_render_run, job, len(units), job_count(len(units), jobs), bar.update)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"rendering pages failed: {exc!r}") from exc
    changed = [rel for run_changed, _ in runs for rel in run_changed]
    unchanged = [rel for _, run_unchanged in runs for rel in run_unchanged]
    paths = sorted(changed + unchanged)
    twice = [path for path, n in Counter(paths).items() if n > 1]
    if twice:  # two units wrote one path: a bug, not a dump
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"rendering pages failed: pages rendered twice: {twice[:5]}")
    return Staged(staging, changed, unchanged, paths)


def move_in(staged: Staged, site_src: Path, dirs, files) -> int:
    """Make site_src's generated folders `dirs` and top-level `files` hold
    exactly the staged and unchanged pages: delete what no page claims,
    move the changed pages in (a rename each; a symlink in the way is
    replaced, not written through). Hand-written files stay. Returns how
    many files were deleted."""
    deleted = remove_stale(site_src, set(staged.paths), dirs, files)
    staging, root = str(staged.staging), str(site_src)  # str: Path costs more than the rename
    made: set[str] = set()
    for rel in staged.changed:
        target = os.path.join(root, rel)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.replace(os.path.join(staging, rel), target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:  # staging on another file system
                raise
            Path(target).unlink(missing_ok=True)
            shutil.move(os.path.join(staging, rel), target)
    shutil.rmtree(staged.staging, ignore_errors=True)
    return deleted
