"""The build's memory: Python's cyclic garbage collector, paused where it
only costs; objects a process that ends with the build keeps till then;
glibc's heap, trimmed or kept for reuse.

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

import ctypes
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


# glibc's mallopt() parameters
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def _glibc():
    """glibc, or None (another C library: its heap is left to its own rules)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def release_memory() -> None:
    """Give the memory of the finished stages back to the system before
    MkDocs and Pagefind start, where the stages ran in this process (no
    fork: build.generate_apart): without it the process keeps its peak
    (about 1.2 GB at 20,000 papers) while they run. Python frees the
    objects; glibc keeps the freed pages until asked to trim."""
    gc.collect()
    if libc := _glibc():
        libc.malloc_trim(0)


def reuse_freed_memory() -> None:
    """For a process of its own that works on large arrays (the related
    papers'): glibc maps a large block apart and unmaps it when freed; the
    next one is mapped again, and every page of it faults in anew. Told to
    keep freed memory for reuse, the related papers of 20,200 papers took
    0.35 s of system time instead of 0.88 s (54,000 page faults instead of
    95,000)."""
    if libc := _glibc():
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)
        libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
