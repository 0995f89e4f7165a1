"""A stage's work kept between builds as one pickle in .cache/ (the
parsed dumps, the memo, the tag counts, the related papers' term counts):
read with the collector paused and checked for its kind and code, written
whole and then renamed."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from . import collector


def load(path: Path, kind: type, code: str) -> Any | None:
    """The kept object, or None when missing, unreadable, not a kind, or
    made by other code than code (its .code): a cache, so any failure only
    costs doing the work again."""
    try:
        # A pickle of many small objects: the collector only slows it.
        with open(path, "rb") as f, collector.paused():
            state = pickle.load(f)
    except Exception:
        return None
    if not isinstance(state, kind) or state.code != code:
        return None
    return state


def save(path: Path, state: Any) -> None:
    """Written whole, then renamed: an interrupted build leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
