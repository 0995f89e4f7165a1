"""Stage 6, search index: run Pagefind over the built site.

Pagefind splits its index into chunks, so a visitor downloads only what a
query needs. Only paper pages are indexed: the paper template marks its
article `data-pagefind-body` (so any page without it is skipped) and sets the
title/keyword weights and the tag, dump and code filters; the glob below
spares Pagefind from even parsing tag, dump and home pages, which grow with
the archive.

The binary comes from the `pagefind[bin]` wheel, so nothing is downloaded at
build time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PAPER_GLOB = "papers/**/*.html"
BUNDLE_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind failed or indexed nothing; the message says why."""


@dataclass
class IndexReport:
    pages: int
    seconds: float
    bundle: Path


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise SearchIndexError(
            "the Pagefind binary is missing: install the project with pip (pagefind[bin])"
        ) from exc
    return Path(get_executable())


def index_site(site: Path, glob: str = PAPER_GLOB) -> IndexReport:
    """Write site/pagefind/ for the paper pages of a built site."""
    site = Path(site)
    papers = list(site.glob(glob))
    # Pagefind adds to an existing bundle; stale chunks would be served too.
    shutil.rmtree(site / BUNDLE_DIR, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        [str(pagefind_executable()), "--site", str(site), "--glob", glob],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"pagefind failed on {site} (exit {result.returncode}): {detail}")
    found = re.search(r"Indexed (\d+) pages?", result.stdout)
    pages = int(found.group(1)) if found else 0
    if "Did not find a data-pagefind-body" in result.stdout or pages != len(papers):
        # Pagefind then indexes whole pages (header, nav and all), or skips
        # papers: the paper template must mark its article data-pagefind-body.
        raise SearchIndexError(
            f"pagefind indexed {pages} of the {len(papers)} paper pages in {site}:"
            " every paper page needs one data-pagefind-body element"
        )
    return IndexReport(pages=pages, seconds=seconds, bundle=site / BUNDLE_DIR)
