"""Work spread over all cores by forked processes.

map_runs: per-paper passes (the tags stage). A pass is a function of one
paper and of read-only tables built before it (the tag stage's corpus
tables). The papers are cut into contiguous runs and each run is handled by
a forked worker process: the workers inherit the tables from the parent
instead of receiving them pickled, and send back only their run's results.
The caller gets those in run order, so the result is the one a single
process gives.

Alongside: one function computed in a forked process while the parent goes
on (related papers while keywords are extracted and the tags stage runs).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import traceback
from collections.abc import Callable
from typing import Any

LOW_PRIORITY = 19  # niceness of work that waits for a core left idle
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


def map_runs(
    fn: Callable[[Any, int, int], Any],
    state: Any,
    papers: int,
    jobs: int,
    done: Callable[[int], Any] | None = None,
    runs_per_job: int = RUNS_PER_JOB,
) -> list:
    """[fn(state, start, end)] over contiguous runs of range(papers), in
    run order; one run in this process when jobs is 1. done(n) is called as
    each run of n papers is finished (a progress bar). More runs per job
    even out work whose cost varies from item to item."""
    done = done or (lambda n: None)
    if jobs <= 1:
        result = [fn(state, 0, papers)]
        done(papers)
        return result
    runs = min(papers, jobs * runs_per_job)
    bounds = [(papers * i // runs, papers * (i + 1) // runs) for i in range(runs)]
    global _task
    _task = (fn, state)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = []
            for (start, end), result in zip(bounds, pool.imap(_run, bounds), strict=True):
                results.append(result)
                done(end - start)
            return results
    finally:
        _task = None


def joined(runs: list[list]) -> list:
    """map_runs' results, when each run gives a list: one list, in order."""
    return [item for run in runs for item in run]


def _save_result(path: str, fn: Callable, args: tuple, nice: int = 0) -> None:
    """In the child: fn(*args), or its error, pickled into path. A file, not
    a pipe: the child ends as soon as it is done and gives its memory back,
    instead of blocking on a full pipe until the parent reads."""
    if nice:
        os.nice(nice)
    try:
        outcome = (True, fn(*args))
    except BaseException as exc:  # the parent re-raises it
        detail = "".join(traceback.format_exception(exc))
        outcome = (False, RuntimeError(f"{getattr(fn, '__name__', fn)} failed:\n{detail}"))
    with open(path, "wb") as out:
        pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)


class Alongside:
    """fn(*args) computed in a forked process while this one goes on, or
    here and now when jobs is 1 (a small archive, or no fork); result()
    gives what fn returned, or raises its error. A plain process and a
    file: no thread is started in this process, so later forks stay safe.
    As a context manager, it stops the process if the caller fails before
    asking for the result. nice: added to the process's niceness, for work
    that need not be done before the parent's own (it then runs on what
    the parent's processes leave idle). daemon: False lets the process
    start processes of its own, and its parent waits for it on exit."""

    def __init__(self, fn: Callable, *args: Any, jobs: int = 2, nice: int = 0, daemon: bool = True):
        self._name = getattr(fn, "__name__", str(fn))
        self._process = None
        if jobs <= 1:
            self._value = fn(*args)
            return
        handle, self._path = tempfile.mkstemp(prefix="alongside-", suffix=".pickle")
        os.close(handle)
        context = multiprocessing.get_context("fork")
        self._process = context.Process(
            target=_save_result, args=(self._path, fn, args, nice), daemon=daemon
        )
        self._process.start()

    def __enter__(self) -> Alongside:
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
            os.unlink(self._path)

    def result(self) -> Any:
        if self._process is None:
            return self._value
        self._process.join()
        code, self._process = self._process.exitcode, None
        try:
            with open(self._path, "rb") as saved:
                ok, value = pickle.load(saved)
        except EOFError:
            raise RuntimeError(
                f"{self._name} ended without a result (exit code {code}; out of memory?)"
            ) from None
        finally:
            os.unlink(self._path)
        self._value = value
        if not ok:
            raise value
        return value
