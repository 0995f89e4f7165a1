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
the other core (start_index, then ShardedIndex.run on a thread). index_site
indexes a built site; a test checks that both give the same records.

Pagefind keeps every page's words in memory until it writes the index, so
a large archive is indexed in shards of at most SHARD_PAGES pages, one
Pagefind run after another: pagefind/ holds the first, pagefind/shard-N/
the others, and pagefind/shards.json lists them for search.js, which
merges them into the first (Pagefind's mergeIndex).

The binary comes from the `pagefind[bin]` wheel, so nothing is downloaded at
build time.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
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

# Pagefind holds about 130 KB a page until it writes its index
# (bench/pagefind_memory.py): 6.5 GB at 50,000 papers. Past this many pages
# the index is built in shards, one Pagefind run at a time, and the browser
# merges them (Pagefind's mergeIndex). A visitor's first query loads each
# shard's index chunks for its words: 814 KB against 591 KB from one index
# at 50,000 papers (bench/search_bench.py).
SHARD_PAGES = 12_500
# Lists the merged shards' folders, relative to the bundle, for search.js.
SHARDS_FILE = "shards.json"


class SearchIndexError(Exception):
    """Pagefind failed or indexed nothing; the message says why."""


@dataclass
class IndexReport:
    pages: int
    seconds: float
    bundle: Path
    shards: int = 1


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:
        raise SearchIndexError(
            "the Pagefind binary is missing: install the project with pip (pagefind[bin])"
        ) from exc
    return Path(get_executable())


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


def paper_documents(pages: list[Path]) -> Iterator[tuple[str, str]]:
    """site_src/papers/<slug>.md -> ("papers/<slug>/index.html", the page's
    article in a bare HTML document): what Pagefind reads of the built page."""
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # Front matter is "---\n...\n---\n" (render.front_matter); the rest is
        # the article, copied by MkDocs into the page unchanged.
        _, sep, body = text.partition("\n---\n")
        if not text.startswith("---\n") or not sep:
            raise SearchIndexError(f"{page}: no front matter; is it a generated paper page?")
        yield f"papers/{page.stem}/index.html", DOCUMENT.format(body)


def shard_sizes(pages: int, shard_pages: int = SHARD_PAGES) -> list[int]:
    """Pages per shard: as few shards as keep each within shard_pages, of
    sizes that differ by one at most."""
    count = max(1, -(-pages // max(1, shard_pages)))
    size, extra = divmod(pages, count)
    return [size + (i < extra) for i in range(count)]


def shard_bundle(bundle: Path, number: int) -> Path:
    """Where shard `number` (0 first) is written: the first is the bundle
    the browser loads; the others are folders inside it that it merges."""
    return bundle if number == 0 else bundle / f"shard-{number + 1}"


class ShardedIndex:
    """Pagefind over documents written in shards, one run after another, so
    that one shard at a time is in Pagefind's memory. run() is called on a
    thread by the build; stop() ends it early from another thread."""

    def __init__(self, work: Path, shards: list[tuple[Path, int]]):
        self.bundle = work / BUNDLE_DIR  # work/ is the caller's, who removes it
        self.shards = shards  # (folder of the shard's pages, page count)
        self._lock = threading.Lock()
        self._stopped = False
        self._run: PagefindRun | None = None

    @property
    def pages(self) -> int:
        return sum(count for _, count in self.shards)

    def run(self) -> IndexReport:
        """Index every shard, deleting each shard's pages once Pagefind has
        read them (one small file and folder a paper: 11 s at 20,000
        papers); raise SearchIndexError if a run fails or was stopped. What
        a failure leaves in work/ goes with it."""
        started = time.perf_counter()
        for number, (pages_dir, count) in enumerate(self.shards):
            with self._lock:
                if self._stopped:
                    raise SearchIndexError("search indexing stopped")
                self._run = start_pagefind(pages_dir, shard_bundle(self.bundle, number), count)
            self._run.finish()
            shutil.rmtree(pages_dir, ignore_errors=True)
        merged = [shard_bundle(self.bundle, n) for n in range(1, len(self.shards))]
        for shard in merged:
            keep_index_only(shard)
        listing = {"shards": [f"{shard.name}/" for shard in merged]}
        (self.bundle / SHARDS_FILE).write_text(json.dumps(listing) + "\n", encoding="utf-8")
        seconds = time.perf_counter() - started
        return IndexReport(self.pages, seconds, self.bundle, len(self.shards))

    def stop(self) -> None:
        """Kill the running Pagefind, start no other."""
        with self._lock:
            self._stopped = True
            if self._run is not None and self._run.process.poll() is None:
                self._run.process.kill()


def keep_index_only(bundle: Path) -> None:
    """A merged shard is searched by the first bundle's script and
    WebAssembly (mergeIndex): only its index files are ever fetched."""
    for path in bundle.iterdir():
        if path.is_file() and path.name != "pagefind-entry.json" and path.suffix != ".pf_meta":
            path.unlink()


def write_documents(
    documents: Iterable[tuple[str, str]], work: Path, total: int, shard_pages: int
) -> ShardedIndex:
    """Write (relative path, HTML) documents into shard folders of work/,
    in order, for ShardedIndex; work/ is a scratch folder the caller removes."""
    shutil.rmtree(work, ignore_errors=True)
    sizes = shard_sizes(total, shard_pages)
    shards = [(work / f"pages-{n + 1}", size) for n, size in enumerate(sizes)]
    documents = iter(documents)
    for pages_dir, size in shards:
        for rel, html in itertools.islice(documents, size):
            path = pages_dir / rel
            path.parent.mkdir(parents=True)
            path.write_text(html, encoding="utf-8")
    return ShardedIndex(work, shards)


def start_index(site_src: Path, work: Path, shard_pages: int = SHARD_PAGES) -> ShardedIndex:
    """Pagefind's input for the paper pages of site_src/, written into
    work/, for ShardedIndex.run to index into work/pagefind/."""
    pages = sorted((site_src / "papers").glob("*.md"))
    return write_documents(paper_documents(pages), work, len(pages), shard_pages)


def index_site(site: Path, shard_pages: int = SHARD_PAGES) -> IndexReport:
    """Write site/pagefind/ for the paper pages of a built site."""
    site = Path(site)
    # Pagefind adds to an existing bundle; stale chunks would be served too.
    shutil.rmtree(site / BUNDLE_DIR, ignore_errors=True)
    pages = sorted(site.glob(PAPER_GLOB))
    documents = ((p.relative_to(site).as_posix(), p.read_text(encoding="utf-8")) for p in pages)
    work = site.with_name(site.name + ".search")
    try:
        report = write_documents(documents, work, len(pages), shard_pages).run()
        report.bundle.rename(site / BUNDLE_DIR)
        report.bundle = site / BUNDLE_DIR
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)
