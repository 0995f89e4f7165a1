"""Command line: wires the pipeline stages together; no logic of its own."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .build import (
    BuildError,
    Paths,
    build_site,
    generate,
    generate_apart,
    log,
)
from .check import check_dumps, format_check
from .search_index import SHARD_PAGES
from .site_size import measure, pages_message, size_line
from .stages import StageClock


def cmd_build(args) -> int:
    paths = Paths.at(args.root)
    clock = StageClock(verbose=True)
    generated = generate_apart(paths, skip_bad=args.skip_bad, jobs=args.jobs, clock=clock)
    for line in generated.accounting:
        log(line)
    if generated.error is not None:
        log(f"error: {generated.error}")
        log("nothing was built: site_src/ and site/ are left as they were")
        return 1
    if generated.up_to_date is not None:
        for line in generated.up_to_date:
            log(line)
        log(
            f"{paths.site_src} is up to date: the dumps, tags.yml, the site address and"
            " the generator are as they were at the last build; generator stages skipped"
        )
    else:
        log(f"keywords extracted for {generated.extracted} papers (rest from cache)")
        if bad := generated.bad:
            log(f"warning: --skip-bad: built without {bad} bad entries or files (listed above)")
        pages = generated.pages
        log(
            f"pages written to {paths.site_src}: {pages.changed:,} new or changed,"
            f" {pages.unchanged:,} unchanged, {pages.deleted:,} stale files deleted"
        )
    if not args.no_mkdocs:
        log("building the site with MkDocs ...")
        try:
            build_site(paths, args.strict, clock, args.search_shard_pages)
        except BuildError as exc:
            log(f"error: {exc}")
            return 1
        log(f"site built in {paths.site}")
        log_site_size(paths.site, clock)
    if args.timings:
        write_timings(Path(args.timings), clock)
    return 0


def log_site_size(site: Path, clock: StageClock) -> None:
    try:
        with clock.stage("site size"):
            size = measure(site)
    except OSError as exc:  # a link loop, say: the site is built all the same
        log(f"warning: the site's size could not be measured: {exc}")
        return
    log(size_line(size))
    if message := pages_message(size):
        level, text = message
        log(f"{level}: {text}")
        if os.environ.get("GITHUB_ACTIONS") == "true":  # an annotation on the run's page
            print(f"::{level} title=Site size::{text}", flush=True)


def write_timings(path: Path, clock: StageClock) -> None:
    """Stage wall times and peak RSS as JSON, for the benchmarks in bench/."""
    import json
    from dataclasses import asdict

    path.write_text(json.dumps([asdict(s) for s in clock.stages], indent=1) + "\n")


def cmd_check(args) -> int:
    paths = Paths.at(args.root)
    results = check_dumps([Path(f) for f in args.files], paths.dumps)
    print(format_check(results, args.format), end="")
    return 1 if any(r.dump.errors for r in results) else 0


def cmd_serve(args) -> int:
    if not args.no_build:
        code = cmd_build(args)
        if code:
            return code
    from .serve import serve

    serve(Paths.at(args.root).site, args.host, args.port)
    return 0


def cmd_tags(args) -> int:
    from .tag_report import tag_report

    try:
        report = generate(Paths.at(args.root), skip_bad=True, jobs=args.jobs, write=False)
    except BuildError as exc:
        log(f"error: {exc}")
        return 1
    print(tag_report(report.archive.papers, report.archive.tags, args.top, args.sample), end="")
    return 0


def positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def build_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="build even when dumps have errors, leaving the bad entries out",
    )
    p.add_argument("--strict", action="store_true", help="run mkdocs build --strict")
    p.add_argument(
        "--no-mkdocs", action="store_true", help="only write site_src/, do not run MkDocs"
    )
    p.add_argument("--timings", metavar="FILE", help="write stage timings and peak memory as JSON")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="processes to work in: keyword extraction, tags, related papers and"
        " rendering"
        " (default: all cores; 1: no other process)",
    )
    p.add_argument(
        "--search-shard-pages",
        type=positive_int,
        default=SHARD_PAGES,
        metavar="N",
        help=f"pages per search index shard (default: {SHARD_PAGES:,}). Pagefind holds"
        " about 130 KB a page while it indexes one; smaller shards need less memory,"
        " and a visitor's first search loads each shard's index chunks for its words",
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m generator", description="Build the paper archive site from dumps/."
    )
    p.add_argument(
        "--root",
        default=".",
        help="project folder holding dumps/, site_src/, mkdocs.yml (default: .)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse dumps/, write site_src/ and build site/ with MkDocs")
    build_arguments(b)
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="validate dump files: layout, counts, problems with file:line")
    c.add_argument("files", nargs="+", help="dump files to check")
    c.add_argument("--format", choices=["text", "markdown"], default="text")
    c.set_defaults(func=cmd_check)
    s = sub.add_parser("serve", help="build, then serve site/ on localhost")
    build_arguments(s)
    s.add_argument("--no-build", action="store_true", help="serve the existing site/ as it is")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    t = sub.add_parser("tags", help="print the top tags and a sample of papers with their tags")
    t.add_argument("--top", type=int, default=100, help="how many tags to list (default: 100)")
    t.add_argument("--sample", type=int, default=10, help="papers to show (default: 10)")
    t.add_argument(
        "--jobs", type=int, default=None, help="processes to work in (default: all cores)"
    )
    t.set_defaults(func=cmd_tags)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
