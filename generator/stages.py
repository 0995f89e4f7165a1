"""Wall time and peak memory of each build stage, reported as it goes."""

from __future__ import annotations

import resource
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory so far of this process and of its largest
    finished child (MkDocs, Pagefind), in MB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, children


@dataclass
class StageTime:
    name: str
    seconds: float
    peak_rss_mb: float  # this process, so far (the OS keeps only the peak)
    child_peak_rss_mb: float  # largest finished child process, so far


@dataclass
class StageClock:
    verbose: bool = False
    stages: list[StageTime] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        me, child = peak_rss_mb()
        self.stages.append(StageTime(name, seconds, me, child))
        if self.verbose:
            print(f"  {name}: {seconds:.2f} s", file=sys.stderr, flush=True)

    def seconds(self, name: str) -> float:
        return sum(s.seconds for s in self.stages if s.name == name)
