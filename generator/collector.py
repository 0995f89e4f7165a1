"""Python's cyclic garbage collector, paused where it only costs.

The generator stages hold millions of long-lived objects (texts, words,
counts) and make next to no reference cycles. With the collector on, at
20,000 + 200 papers, seven full collections walked them all for 1.5 to
1.8 s and freed 0 to 300 objects each, and the young collections after
each large load or merge of results walked the new objects again (0.7 s).
A collection in the build process while workers are forked also copies
the pages it touches, which they share. Memory is still freed: reference
counting frees everything but cycles, and release_memory() collects once
the stages are done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside; the collector is as it was after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Objects a process that ends when the build does (the command line's
# build, apart: build.generate_apart) keeps till then: freeing them would
# only cost. At 20,000 + 200 papers, the tags stage's structures took
# 0.6 s to free, and freed beside the processes that save them, which
# share their pages, also copied those pages for the processes.
_kept: list = []
_exit_frees = False


def exit_frees() -> None:
    """This process ends with the build: keep() holds objects from now on
    and the collector stays off (the exit frees everything at once)."""
    global _exit_frees
    _exit_frees = True
    gc.disable()


def keep(*objects) -> None:
    """Hold objects till the process ends, when exit_frees() was called;
    otherwise nothing (they are freed as usual)."""
    if _exit_frees:
        _kept.append(objects)
