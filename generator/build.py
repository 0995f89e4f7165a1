"""Stage 5, build: run the pipeline and MkDocs; swap the new site in atomically."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .enrich import enrich
from .keywords import KeywordCache
from .merge import merge_entries
from .models import Archive, Dump, Problem
from .parse import read_dumps
from .render import render_pages, write_pages


class BuildError(Exception):
    """A stage failed; the message says which and why."""


@dataclass
class Paths:
    root: Path
    dumps: Path
    site_src: Path
    site: Path
    cache: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Paths:
        root = Path(root).resolve()
        return cls(root, root / "dumps", root / "site_src", root / "site", root / ".cache")


@dataclass
class BuildReport:
    dumps: list[Dump]
    archive: Archive | None = None
    problems: list[Problem] = field(default_factory=list)
    extracted: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        return sum(len(d.entries) for d in self.dumps)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Timer:
    def __init__(self, report: BuildReport, stage: str):
        self.report, self.stage = report, stage

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        self.report.timings[self.stage] = time.perf_counter() - self.start


def generate(
    paths: Paths, skip_bad: bool = False, jobs: int | None = None, progress: bool | None = None
) -> BuildReport:
    """dumps/ -> site_src/ pages. Raises BuildError when a dump has errors
    and skip_bad is not set."""
    report = BuildReport(dumps=[])
    with Timer(report, "parse"):
        report.dumps = read_dumps(paths.dumps)
    if not report.dumps:
        raise BuildError(f"{paths.dumps}: no *.txt dumps found")
    report.problems = [p for d in report.dumps for p in d.problems]
    errors = [p for p in report.problems if p.severity == "error"]
    if errors and not skip_bad:
        listed = "\n".join(f"  {p}" for p in errors)
        raise BuildError(
            f"{len(errors)} error(s) in the dumps; fix them, or pass --skip-bad to build"
            f" without the rejected entries:\n{listed}"
        )
    with Timer(report, "merge"):
        papers, warnings = merge_entries(report.dumps)
    report.problems += warnings
    cache = KeywordCache(paths.cache / "keywords.json")
    with Timer(report, "enrich"):
        tags, report.extracted = enrich(papers, cache, jobs=jobs, progress=progress)
    cache.save()
    report.archive = Archive(dumps=report.dumps, papers=papers, tags=tags)
    with Timer(report, "render"):
        pages = render_pages(report.archive)
        write_pages(pages, paths.site_src)
    return report


def run_mkdocs(paths: Paths, strict: bool = False) -> None:
    """mkdocs build into a temporary folder, then swap it in: a failed build
    leaves the previous site/ untouched."""
    tmp = paths.site.with_name(paths.site.name + ".new")
    old = paths.site.with_name(paths.site.name + ".old")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--quiet",
        "--clean",
        "--config-file",
        str(paths.root / "mkdocs.yml"),
        "--site-dir",
        str(tmp),
    ]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(cmd, cwd=paths.root, env=env)
    if result.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"mkdocs build failed (exit {result.returncode}); site/ left as it was")
    shutil.rmtree(old, ignore_errors=True)
    if paths.site.exists():
        paths.site.rename(old)
    tmp.rename(paths.site)
    shutil.rmtree(old, ignore_errors=True)
