"""Progress bars for the long steps (keywords, tags, render, write, MkDocs'
pages), on standard error, shown only when it is a terminal: logs and CI
output stay plain."""

from __future__ import annotations

import sys

from tqdm import tqdm

# tqdm shows scaled counts with a decimal ("591.0/591.0"); items are whole.
WHOLE_ITEMS = "{l_bar}{bar}| {n:.0f}/{total:.0f} [{elapsed}<{remaining}, {rate_fmt}]"


def progress_bar(
    items: int, desc: str, enabled: bool | None = None, unit: str = "paper", steps: int = 1
) -> tqdm:
    """A bar over `items`, each taking `steps` updates (a step per pass),
    shown as items; enabled=None: only when stderr is a terminal."""
    options = {} if steps == 1 else {"unit_scale": 1 / steps, "bar_format": WHOLE_ITEMS}
    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(
        total=items * steps, desc=desc, unit=unit, disable=not enabled, file=sys.stderr, **options
    )
