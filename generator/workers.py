"""Per-paper passes spread over all cores (the tags stage).

A pass is a function of one paper and of read-only tables built before it
(the tag stage's corpus tables). The papers are cut
into contiguous runs and each run is handled by a forked worker process:
the workers inherit the tables from the parent instead of receiving them
pickled, and send back only their run's results. The caller gets those in
run order, so the result is the one a single process gives.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

# Fewer papers than this per worker are not worth a process.
MIN_PAPERS_PER_JOB = 1000
# Runs per worker: shorter runs even out the workers when one is slowed.
RUNS_PER_JOB = 4

_task: tuple[Callable, Any] | None = None  # what the forked workers run


def _run(bounds: tuple[int, int]):
    fn, state = _task
    return fn(state, *bounds)


def job_count(papers: int, jobs: int | None) -> int:
    """Processes for a pass over this many papers: all cores by default,
    one where the corpus is small or the platform cannot fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is None:
        jobs = min(os.cpu_count() or 1, papers // MIN_PAPERS_PER_JOB)
    return max(1, min(jobs, papers))


def map_runs(fn: Callable[[Any, int, int], Any], state: Any, papers: int, jobs: int) -> list:
    """[fn(state, start, end)] over contiguous runs of range(papers), in
    run order; one run in this process when jobs is 1."""
    if jobs <= 1:
        return [fn(state, 0, papers)]
    runs = min(papers, jobs * RUNS_PER_JOB)
    bounds = [(papers * i // runs, papers * (i + 1) // runs) for i in range(runs)]
    global _task
    _task = (fn, state)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_run, bounds, chunksize=1)
    finally:
        _task = None
