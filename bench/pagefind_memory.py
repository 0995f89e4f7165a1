"""Pagefind's peak memory: what drives it, one factor at a time.

    .venv/bin/python bench/pagefind_memory.py SITE_SRC --pages 5000 10000 20000
    .venv/bin/python bench/pagefind_memory.py SITE_SRC --pages 5000 --variants baseline no_filters
    .venv/bin/python bench/pagefind_memory.py SITE_SRC --pages 5000 --variants all

SITE_SRC is a generated site_src/ (e.g. /tmp/sc/p20k/site_src, made by
`python -m generator --root ROOT build --no-mkdocs`). For each variant and page
count, the first N paper documents of generator.search_index.paper_documents
(what the build gives Pagefind), changed by the variant, are written to
--work and indexed by the project's Pagefind binary as the build runs it. Each
row: peak RSS of the Pagefind process (os.wait4's ru_maxrss), KB a page, wall
and CPU time, and the words Pagefind reports. Variants change one thing each:
markup (filters, meta, weights), text (length, vocabulary), layout (flat
folder), and the process (thread count, allocator settings). The machine is
shared: run one at a time and read the wall times as rough.

Measured (Pagefind 1.5.2, /tmp/sc/p20k, 2 shared cores): 5,000 pages
732 MB, 10,000 1,475 MB, 20,000 2,749-2,770 MB: ~130 KB a page, ~6.5 GB at
50,000. Nearly all of it is built in Pagefind's "Building search indexes"
step, per (page, distinct word). Filters, meta, weights, language, one
folder or many, thread count: within 2% each. Text: no abstract 306 MB,
abstract x3 922 MB, every word unique 1,021 MB; no related-papers list
-9% at 20,000. jemalloc settings (build_settings) -9..12%, same index.
Pagefind 1.6.0 (npm, extended): 743 MB at 5,000, no better.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.search_index import (  # noqa: E402
    JEMALLOC_SETTINGS,
    PAPER_GLOB,
    pagefind_command,
    paper_documents,
)

ABSTRACT = re.compile(r"(<section class=\"pa-paper__abstract\">.*?<p>)(.*?)(</p>)", re.S)
RELATED = re.compile(r"<section class=\"pa-paper__related\">.*?</section>\n", re.S)


def strip_attr(name: str) -> Callable[[str, int], str]:
    pattern = re.compile(rf' {name}(="[^"]*")?')
    return lambda html, i: pattern.sub("", html)


def abstract(change: Callable[[str, int], str]) -> Callable[[str, int], str]:
    return lambda html, i: ABSTRACT.sub(lambda m: m[1] + change(m[2], i) + m[3], html, count=1)


def unique_words(text: str, i: int) -> str:
    # Every word of every page made unique: the vocabulary grows with the pages.
    return " ".join(f"{w}{i}x" for w in text.split())


# name -> (change of one document (html, page number) -> html, extra environment)
VARIANTS: dict[str, tuple[Callable[[str, int], str] | None, dict[str, str]]] = {
    "baseline": (None, {}),
    "no_filters": (strip_attr("data-pagefind-filter"), {}),
    "no_meta": (strip_attr("data-pagefind-meta"), {}),
    "no_weights": (strip_attr("data-pagefind-weight"), {}),
    "no_related": (lambda html, i: RELATED.sub("", html), {}),
    "no_abstract": (abstract(lambda text, i: ""), {}),
    "abstract_x3": (abstract(lambda text, i: " ".join([text] * 3)), {}),
    "unique_words": (abstract(unique_words), {}),
    "flat": (None, {}),  # papers/<slug>.html instead of papers/<slug>/index.html
    "threads_1": (None, {"TOKIO_WORKER_THREADS": "1"}),
    "jemalloc_1_arena": (None, {"_RJEM_MALLOC_CONF": "narenas:1"}),
    "jemalloc_both": (
        None,
        {"_RJEM_MALLOC_CONF": "narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0"},
    ),
    "build_settings": (None, {"_RJEM_MALLOC_CONF": JEMALLOC_SETTINGS}),  # as the build runs it
    "jemalloc_no_decay": (None, {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}),
    "no_lang": (lambda html, i: html.replace('<html lang="en">', "<html>"), {}),
    "rayon_1": (None, {"RAYON_NUM_THREADS": "1"}),
}


def write_documents(site_src: Path, pages: Path, n: int, variant: str) -> None:
    change, _ = VARIANTS[variant]
    shutil.rmtree(pages, ignore_errors=True)
    sources = sorted((site_src / "papers").glob("*.md"))
    for i, (rel, html) in enumerate(paper_documents(sources)):
        if i == n:
            break
        if change:
            html = change(html, i)
        if variant == "flat":
            rel = rel.removesuffix("/index.html") + ".html"
        path = pages / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")


def measure(
    pages: Path, bundle: Path, env: dict[str, str], glob: str, binary: Path | None
) -> tuple[int, float, float, str]:
    """Peak RSS in KB, wall and CPU seconds, and stdout of one Pagefind run."""
    shutil.rmtree(bundle, ignore_errors=True)
    cmd = pagefind_command(pages, bundle, glob)
    if binary:
        cmd[0] = str(binary)
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Pagefind as it comes: no allocator settings but the variant's.
        env={**{k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}, **env},
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"pagefind failed:\n{out}")
    return usage.ru_maxrss, seconds, usage.ru_utime + usage.ru_stime, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_src", type=Path)
    parser.add_argument("--pages", type=int, nargs="+", default=[5000])
    parser.add_argument("--variants", nargs="+", default=["baseline"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/pagefind_memory"))
    parser.add_argument("--binary", type=Path, help="another Pagefind executable to measure")
    parser.add_argument("--keep", action="store_true", help="keep the documents and bundles")
    args = parser.parse_args()
    variants = list(VARIANTS) if args.variants == ["all"] else args.variants
    print(
        f"{'variant':<20} {'pages':>7} {'peak RSS MB':>12} {'KB/page':>8} {'wall s':>7} {'CPU s':>6} words"
    )
    written = None
    for variant in variants:
        for n in args.pages:
            pages = args.work / "pages"
            # Variants that change only the process reuse the documents.
            documents = (variant if VARIANTS[variant][0] or variant == "flat" else "", n)
            if documents != written:
                write_documents(args.site_src, pages, n, variant)
                written = documents
            glob = "papers/*.html" if variant == "flat" else PAPER_GLOB
            rss, seconds, cpu, out = measure(
                pages, args.work / "bundle", VARIANTS[variant][1], glob, args.binary
            )
            found = re.search(r"Indexed (\d+) pages?", out)
            if not found or int(found[1]) != n:
                sys.exit(f"{variant}: Pagefind indexed {found and found[1]} of {n} pages")
            words = re.search(r"Indexed (\d+) words?", out)
            print(
                f"{variant:<20} {n:>7} {rss / 1024:>12,.0f} {rss / n:>8,.0f} {seconds:>7.1f} {cpu:>6.1f}"
                f" {words[1] if words else '?'}",
                flush=True,
            )
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
