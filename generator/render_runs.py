"""Stage 4, render and write: every page rendered in runs spread over the
cores, staged, then written into site_src/ once all are rendered.

Rendering is Jinja over some 25,000 pages at 20,000 papers: single-threaded
Python. Forked workers (workers.map_runs) render runs of the pages. Each
compares a page with the file already in site_src/ and appends a changed
page to its run's one staging file, so the build process never holds the
whole site. Once every run has ended, the changed pages are read back one
at a time and written over the old files in place. (Files are what cost
here: on this machine's ext4, creating a file next to many just deleted, or
truncating one, took about 0.2 ms of kernel time each, against 16 us for
writing into an old file and cutting it to length. A file per staged page,
renamed over the old one, was 6 of the render stage's 17 CPU-s at 20,200
papers.) A paper, tag or dump page or tag feed whose inputs (render.Page)
are those the last build rendered, in a file as that build left it (size
and mtime), is not rendered at all. A failure in any page leaves site_src/
as it was; the staged pages are deleted.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .freshness import file_state, fingerprint
from .progress import progress_bar
from .render import Page, Unit
from .workers import job_count, map_runs
from .writer import copy_over, remove_stale, same_bytes

# A page costs from microseconds (unchanged) to a second (the export): short
# runs keep one slow run from finishing last (20,200 papers: 8.0 -> 6.9 s
# with 16 runs per process instead of 4).
RUNS_PER_JOB = 16


class RenderError(Exception):
    """A page could not be rendered; site_src/ was left as it was."""


@dataclass
class Staged:
    """Pages rendered anew (changed: in the staging folder) or found
    already right in site_src/ (unchanged), by path relative to site_src."""

    staging: Path
    changed: list[str]
    unchanged: list[str]
    paths: list[str]  # every page, sorted
    inputs: dict[str, str]  # path -> fingerprint of its inputs, for pages that have them
    runs: list[tuple[str, list[tuple[str, int]]]]  # staging file -> its (page, bytes), in order
    # Unchanged pages found in files as the last build left them -> the
    # [size, mtime_ns] it recorded and _as_left found: not stat'ed again.
    left_states: dict[str, list[int]]


class _Run(NamedTuple):
    """What a worker's run of units gives back."""

    changed: list[tuple[str, int]]  # (page, bytes) appended to staged, in order
    unchanged: list[str]
    inputs: dict[str, str]
    staged: str | None  # its staging file, if any page changed
    left_states: dict[str, list[int]]  # see Staged


@dataclass
class _Job:
    """What the forked workers read (inherited, not pickled)."""

    units: list[Unit]
    site_src: Path
    staging: Path
    last_inputs: dict[str, str]  # what the last build rendered each page from
    last_files: dict[str, list[int]]  # and the [size, mtime_ns] it left each file with


def _as_left(job: _Job, rel: str) -> bool:
    try:
        return job.last_files.get(rel) == file_state(str(job.site_src), rel)
    except OSError:
        return False


def _render_run(job: _Job, start: int, end: int):
    changed, unchanged, inputs, left_states = [], [], {}, {}
    staged = os.path.join(job.staging, f"run-{start}")
    out = None
    try:
        for unit in job.units[start:end]:
            if isinstance(unit, Page) and unit.inputs is not None:
                inputs[unit.path] = fingerprint(unit.inputs())
                if job.last_inputs.get(unit.path) == inputs[unit.path] and _as_left(job, unit.path):
                    unchanged.append(unit.path)
                    left_states[unit.path] = job.last_files[unit.path]
                    continue
            for rel, text in unit().items():
                data = text if isinstance(text, bytes) else text.encode("utf-8")
                if same_bytes(job.site_src / rel, data):
                    unchanged.append(rel)
                    continue
                out = out or open(staged, "wb")  # noqa: SIM115 (closed below)
                out.write(data)
                changed.append((rel, len(data)))
    finally:
        if out:
            out.close()
    return _Run(changed, unchanged, inputs, staged if out else None, left_states)


def render_staged(
    units: list[Unit],
    site_src: Path,
    staging: Path,
    jobs: int | None = None,
    progress: bool | None = None,
    last_inputs: dict[str, str] | None = None,
    last_files: dict[str, list[int]] | None = None,
) -> Staged:
    """Render every unit; changed pages go to staging (emptied first).
    jobs: processes (default: all cores on a large site). last_inputs and
    last_files: Staged.inputs of the last build, and the file states it
    left (freshness.file_states). Raises RenderError, with staging
    removed, when a page fails."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    job = _Job(units, site_src, staging, last_inputs or {}, last_files or {})
    try:
        with progress_bar(len(units), "render", progress, unit="page") as bar:
            jobs = job_count(len(units), jobs)
            runs = map_runs(_render_run, job, len(units), jobs, bar.update, RUNS_PER_JOB)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"rendering pages failed: {exc!r}") from exc
    changed = [rel for run in runs for rel, _ in run.changed]
    unchanged = [rel for run in runs for rel in run.unchanged]
    inputs = {rel: print_ for run in runs for rel, print_ in run.inputs.items()}
    staged = [(run.staged, run.changed) for run in runs if run.staged]
    left_states = {rel: state for run in runs for rel, state in run.left_states.items()}
    del runs
    paths = sorted(changed + unchanged)
    twice = [path for path, n in Counter(paths).items() if n > 1]
    if twice:  # two units wrote one path: a bug, not a dump
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"rendering pages failed: pages rendered twice: {twice[:5]}")
    return Staged(staging, changed, unchanged, paths, inputs, staged, left_states)


def move_in(staged: Staged, site_src: Path, dirs, files) -> int:
    """Make site_src's generated folders `dirs` and top-level `files` hold
    exactly the changed and unchanged pages: delete what no page claims,
    then write each staged page over its old file (a symlink in the way is
    replaced, not written through). Hand-written files stay. Returns how
    many files were deleted."""
    deleted = remove_stale(site_src, set(staged.paths), dirs, files)
    root = str(site_src)  # str: Path costs more than the write
    made: set[str] = set()
    for run, pages in staged.runs:
        with open(run, "rb") as source:
            offset = 0
            for rel, size in pages:
                target = os.path.join(root, rel)
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                copy_over(source.fileno(), offset, size, target)
                offset += size
    shutil.rmtree(staged.staging, ignore_errors=True)
    return deleted
