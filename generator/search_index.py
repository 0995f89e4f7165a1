"""Stage 6, search index: Pagefind over the paper pages.

Pagefind splits its index into chunks, so a visitor downloads only what a
query needs. Only paper pages are indexed: the paper template marks its
article `data-pagefind-body` (so any page without it is skipped) and sets the
title/keyword weights and the tag, dump and code filters.

The build does not wait for MkDocs to index: Pagefind reads nothing of a
page outside its data-pagefind-body, and that article is the raw HTML block
of the generated page (site_src/papers/<slug>.md), which MkDocs copies into
the page as it is. So the build writes each article into a small HTML file
under the page's own URL and runs Pagefind on those while MkDocs builds, on
the other core (start_index / finish_index). index_site indexes a built
site; a test checks that both give the same records.

The binary comes from the `pagefind[bin]` wheel, so nothing is downloaded at
build time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PAPER_GLOB = "papers/**/*.html"
BUNDLE_DIR = "pagefind"
# The <html> around an article: Pagefind takes the index language from lang,
# as it does from the Material page.
DOCUMENT = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"></head><body>\n{}</body></html>\n'
)


# Give freed memory back within a second (jemalloc's default is 10 s); at
# 0 the peak is no lower and purging costs more system calls.
JEMALLOC_SETTINGS = "dirty_decay_ms:1000,muzzy_decay_ms:0"


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
    # Pagefind adds to an existing bundle; stale chunks would be served too.
    shutil.rmtree(site / BUNDLE_DIR, ignore_errors=True)
    run = start_pagefind(site, site / BUNDLE_DIR, len(list(site.glob(glob))), glob)
    return run.finish()


@dataclass
class PagefindRun:
    """A Pagefind process indexing `pages` HTML files of `site` into `bundle`."""

    process: subprocess.Popen
    site: Path
    bundle: Path
    pages: int
    started: float

    def finish(self) -> IndexReport:
        """Wait for Pagefind; raise SearchIndexError unless it indexed every page."""
        stdout, stderr = self.process.communicate()
        seconds = time.perf_counter() - self.started
        if self.process.returncode != 0:
            detail = (stderr or stdout).strip()
            raise SearchIndexError(
                f"pagefind failed on {self.site} (exit {self.process.returncode}): {detail}"
            )
        found = re.search(r"Indexed (\d+) pages?", stdout)
        pages = int(found.group(1)) if found else 0
        if "Did not find a data-pagefind-body" in stdout or pages != self.pages:
            # Pagefind then indexes whole pages (header, nav and all), or skips
            # papers: the paper template must mark its article data-pagefind-body.
            raise SearchIndexError(
                f"pagefind indexed {pages} of the {self.pages} paper pages in {self.site}:"
                " every paper page needs one data-pagefind-body element"
            )
        return IndexReport(pages=pages, seconds=seconds, bundle=self.bundle)


def pagefind_command(site: Path, bundle: Path, glob: str = PAPER_GLOB) -> list[str]:
    cmd = [str(pagefind_executable()), "--site", str(site), "--glob", glob]
    return cmd + ["--output-path", str(bundle)]


def pagefind_environment() -> dict[str, str]:
    """The environment Pagefind runs in: ours, plus allocator settings that
    cut its peak memory by about a tenth (bench/pagefind_memory.py).

    The Linux binary allocates with jemalloc (read as _RJEM_MALLOC_CONF),
    which keeps freed pages for 10 s before giving them back; Pagefind frees
    much while it builds its index, so returning them sooner lowers the
    peak. The index it writes is the same (fragments and word chunks byte
    for byte). A setting of the caller's wins.
    """
    return {"_RJEM_MALLOC_CONF": JEMALLOC_SETTINGS, **os.environ}


def start_pagefind(site: Path, bundle: Path, pages: int, glob: str = PAPER_GLOB) -> PagefindRun:
    process = subprocess.Popen(
        pagefind_command(site, bundle, glob),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pagefind_environment(),
    )
    return PagefindRun(process, site, bundle, pages, time.perf_counter())


def paper_documents(site_src: Path) -> Iterator[tuple[str, str]]:
    """site_src/papers/<slug>.md -> ("papers/<slug>/index.html", the page's
    article in a bare HTML document): what Pagefind reads of the built page."""
    for page in sorted((site_src / "papers").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        # Front matter is "---\n...\n---\n" (render.front_matter); the rest is
        # the article, copied by MkDocs into the page unchanged.
        _, sep, body = text.partition("\n---\n")
        if not text.startswith("---\n") or not sep:
            raise SearchIndexError(f"{page}: no front matter; is it a generated paper page?")
        yield f"papers/{page.stem}/index.html", DOCUMENT.format(body)


def start_index(site_src: Path, work: Path) -> PagefindRun:
    """Start indexing the paper pages of site_src/ into work/pagefind/, in
    the background; work/ is a scratch folder the caller removes."""
    shutil.rmtree(work, ignore_errors=True)
    pages = 0
    for rel, html in paper_documents(site_src):
        path = work / "pages" / rel
        path.parent.mkdir(parents=True)
        path.write_text(html, encoding="utf-8")
        pages += 1
    return start_pagefind(work / "pages", work / BUNDLE_DIR, pages)


def finish_index(run: PagefindRun) -> IndexReport:
    """run.finish() for a run of start_index, then delete the pages it read
    (one small file and folder a paper). The build calls it on a thread
    while MkDocs builds, so that the deletion (11 s at 20,000 papers) is
    not waited for after MkDocs."""
    try:
        return run.finish()
    finally:
        shutil.rmtree(run.site, ignore_errors=True)
