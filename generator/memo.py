"""Results of pure functions of one text, kept between builds (.cache/memo.pickle).

A rebuild meets the titles and abstracts the last build met, but a few. A
title's slug (merge), an abstract's cleaned text and links and a title's
spelling for YAKE (enrich) cost 1.2 s at 20,200 papers, each build, for the
same results: the memo gives them back in about 0.1 s. It keeps only what
this build asked for, so it follows the archive instead of growing, and a
memo made by other code (freshness.code_digest) is not read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache_file


@dataclass
class MemoState:
    code: str  # freshness.code_digest() of the code that computed the tables
    tables: dict[str, dict]  # function name -> {key: result}


class Memo:
    """memo.wrap(name, fn) behaves as fn, a pure function of one argument
    whose results are immutable; without a path, a memo of this build
    only."""

    def __init__(self, path: Path | None = None, code: str = ""):
        self.path, self.code = path, code
        state = cache_file.load(path, MemoState, code) if path else None
        self._last = state.tables if state else {}
        self._now: dict[str, dict] = {}
        self._computed = 0  # results not found in the last build's tables

    def wrap(
        self, name: str, fn: Callable[[Any], Any], key: Callable[[Any], Hashable] | None = None
    ) -> Callable[[Any], Any]:
        last = self._last.get(name, {})
        now = self._now.setdefault(name, {})

        def memoised(arg):
            k = key(arg) if key else arg
            if k in now:
                return now[k]
            if k in last:
                value = last[k]
            else:
                value = fn(arg)
                self._computed += 1
            now[k] = value
            return value

        return memoised

    def save(self) -> None:
        """Keep this build's results, when they are not exactly the kept ones."""
        if self.path is None:
            return
        # With nothing computed, every table holds a subset of the kept one.
        sizes = {name: len(table) for name, table in self._now.items()}
        if not self._computed and sizes == {n: len(t) for n, t in self._last.items()}:
            return
        cache_file.save(self.path, MemoState(self.code, self._now))
