"""Stage 5, build: run the pipeline and MkDocs; swap the new site in atomically."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import collector, freshness
from .check import account, same_dumps
from .feeds import read_site_url
from .freshness import Manifest, input_digest
from .memo import Memo
from .merge import base_slug, merge_entries
from .models import Archive, Dump, Problem
from .parse_cache import read_dumps_cached
from .render import GENERATED_DIRS, GENERATED_FILES, file_units, page_units
from .render_runs import RenderError, move_in, render_staged
from .search_index import BUNDLE_DIR, SHARD_PAGES, SearchIndexError, start_index
from .stages import StageClock, StageTime
from .tag_rules import TagRulesError, load_rules
from .workers import Alongside


class BuildError(Exception):
    """A stage failed; the message says which and why."""

    def __init__(self, message: str, report: BuildReport | None = None):
        super().__init__(message)
        self.report = report  # what was read before the failure, for accounting


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

    @property
    def manifest(self) -> Path:
        return self.cache / "generated.json"

    @property
    def parsed_dumps(self) -> Path:
        return self.cache / "parsed-dumps.pickle"

    @property
    def memo(self) -> Path:
        return self.cache / "memo.pickle"


@dataclass
class PageCounts:
    changed: int  # new or different pages, written
    unchanged: int  # already right in site_src/, left alone
    deleted: int  # generated files no page claims any more


@dataclass
class BuildReport:
    dumps: list[Dump]
    archive: Archive | None = None
    problems: list[Problem] = field(default_factory=list)
    extracted: int = 0
    pages: PageCounts | None = None  # what the write stage did to site_src/
    clock: StageClock = field(default_factory=StageClock)
    # site_src/ was already up to date: the stages were skipped, and this
    # is what the build that wrote it said about the dumps.
    up_to_date: list[str] | None = None

    @property
    def entries(self) -> int:
        return sum(len(d.entries) for d in self.dumps)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Generated:
    """What the command line reports of a generate() run in another
    process (generate_apart): its lines and counts, not its archive."""

    stages: list[StageTime]
    error: str | None = None  # the BuildError's message: nothing was built
    accounting: list[str] = field(default_factory=list)  # accounting_lines()
    up_to_date: list[str] | None = None  # BuildReport.up_to_date
    extracted: int = 0
    bad: int = 0  # errors in dumps built without them (--skip-bad)
    pages: PageCounts | None = None


def generate_apart(
    paths: Paths, skip_bad: bool = False, jobs: int | None = None, clock: StageClock | None = None
) -> Generated:
    """generate() in a forked process that ends with it, where fork is
    possible. Its memory then goes back to the system at once, instead of
    Python freeing millions of objects one at a time (the tags stage's
    alone took 0.6 s at 20,200 papers), and the stages need not free
    theirs as they go (collector.keep). Where the stages ran in this
    process instead, their memory is given back before it returns. The
    stages' times join clock."""
    clock = clock or StageClock()
    apart = "fork" in multiprocessing.get_all_start_methods()
    args = (paths, skip_bad, jobs, clock.verbose, apart)
    with Alongside(_generated, *args, jobs=2 if apart else 1, daemon=False) as running:
        generated = running.result()
    if not apart:  # the stages ran here: their memory is freed, and given back
        collector.release_memory()
    clock.stages += generated.stages
    return generated


def _generated(paths: Paths, skip_bad: bool, jobs: int | None, verbose: bool, apart: bool):
    if apart:
        collector.exit_frees()
    clock = StageClock(verbose=verbose)
    try:
        report = generate(paths, skip_bad=skip_bad, jobs=jobs, clock=clock)
    except BuildError as exc:
        if exc.report is not None and exc.report.dumps:  # its lines list every problem
            return Generated(clock.stages, str(exc).splitlines()[0], accounting_lines(exc.report))
        return Generated(clock.stages, str(exc))
    collector.keep(report)
    if report.up_to_date is not None:
        return Generated(clock.stages, up_to_date=report.up_to_date)
    return Generated(
        clock.stages,
        accounting=accounting_lines(report),
        extracted=report.extracted,
        bad=sum(len(d.errors) for d in report.dumps),
        pages=report.pages,
    )


def generate(
    paths: Paths,
    skip_bad: bool = False,
    jobs: int | None = None,
    progress: bool | None = None,
    clock: StageClock | None = None,
    write: bool = True,
) -> BuildReport:
    """dumps/ -> site_src/ pages (without write: only the archive). Raises
    BuildError when a dump has errors and skip_bad is not set; site_src/ is
    then left as it was."""
    with collector.paused():  # collector.py: the stages make next to no cycles
        return _generate(paths, skip_bad, jobs, progress, clock, write)


def _generate(
    paths: Paths,
    skip_bad: bool,
    jobs: int | None,
    progress: bool | None,
    clock: StageClock | None,
    write: bool,
) -> BuildReport:
    report = BuildReport(dumps=[], clock=clock or StageClock())
    stage = report.clock.stage
    site_url = read_site_url(paths.root / "mkdocs.yml")  # feeds and exports use it
    with stage("up-to-date check"):  # with the code digest the caches are kept for
        code = freshness.code_digest()
        if write:
            inputs = input_digest(
                sorted(paths.dumps.glob("*.txt")),
                [paths.root / "tags.yml"],
                site_url,
                skip_bad,
                code,
            )
            manifest = freshness.load(paths.manifest)
            if freshness.is_fresh(
                manifest, inputs, paths.site_src, GENERATED_DIRS, GENERATED_FILES
            ):
                report.up_to_date = manifest.log
                return report
    # Only when the stages run. numpy and scipy are imported by the related process.
    with stage("load libraries"):
        from .enrich import enrich
        from .keywords import KeywordCache

    with stage("parse"):  # only new or changed dumps; the rest as the last build parsed them
        report.dumps = read_dumps_cached(paths.dumps, paths.parsed_dumps, code)
        memo = Memo(paths.memo, code)  # merge's slugs, enrich's cleaned texts
    if not report.dumps:
        raise BuildError(f"{paths.dumps}: no *.txt dumps found")
    report.problems = [p for d in report.dumps for p in d.problems]
    errors = [p for p in report.problems if p.severity == "error"]
    if errors and not skip_bad:
        listed = "\n".join(f"  {p}" for p in errors)
        raise BuildError(
            f"{len(errors)} error(s) in the dumps; fix them, or pass --skip-bad to build"
            f" without the rejected entries:\n{listed}",
            report,
        )
    with stage("merge"):
        papers, warnings = merge_entries(report.dumps, memo.wrap("slug", base_slug))
    report.problems += warnings
    try:
        rules = load_rules(paths.root / "tags.yml")
    except TagRulesError as exc:
        raise BuildError(str(exc)) from exc
    with stage("keyword cache"):  # load (enrich saves it)
        cache = KeywordCache(paths.cache / "keywords.json")
    pending: list[Alongside] = []  # caches other processes save meanwhile (enrich)
    try:
        tags, report.extracted = enrich(
            papers,
            cache,
            jobs=jobs,
            progress=progress,
            clock=report.clock,
            rules=rules,
            tag_counts=paths.cache / "tag-counts.marshal",
            term_counts=paths.cache / "related-terms.pickle",
            memo=memo,
            pending=pending,
        )
        del cache, memo
        # A dump left with no entries (refused whole under --skip-bad) gets no page.
        listed = [d for d in report.dumps if d.entries]
        report.archive = Archive(dumps=listed, papers=papers, tags=tags)
        if not write:
            return report
        staging = paths.cache / "pages.new"  # beside the keyword cache: one file system
        with stage("render"):  # changed pages into staging; nothing in site_src/ yet
            units = [*file_units(report.archive, site_url), *page_units(report.archive)]
            # Pages whose inputs the last build rendered, by this code, in files
            # as it left them, are not rendered again (render_runs.py).
            last = manifest if manifest and manifest.code == code else None
            try:
                staged = render_staged(
                    units,
                    paths.site_src,
                    staging,
                    jobs,
                    progress,
                    last.pages if last else None,
                    last.files if last else None,
                )
            except RenderError as exc:
                raise BuildError(str(exc), report) from exc
            del units
        with stage("write"):
            paths.manifest.unlink(missing_ok=True)  # until the pages are all moved in
            deleted = move_in(staged, paths.site_src, GENERATED_DIRS, GENERATED_FILES)
            report.pages = PageCounts(len(staged.changed), len(staged.unchanged), deleted)
            files = freshness.file_states(paths.site_src, staged.paths, staged.left_states)
            log = accounting_lines(report)
            freshness.save(paths.manifest, Manifest(inputs, files, log, code, staged.inputs))
        return report
    finally:
        with stage("kept state"):  # waited for last: they take the cores left idle
            for save in pending:
                save.result()


def accounting_lines(report: BuildReport) -> list[str]:
    """entries read = papers + repeats + rejected, every problem with
    file:line, then the archive's size."""
    lines = [f"{len(report.dumps)} dumps: {account(report.dumps)}"]
    lines += [f"  {p}" for p in report.problems + same_dumps(report.dumps)]
    if report.archive:
        lines.append(f"{len(report.archive.papers)} papers, {len(report.archive.tags)} tags")
    return lines


def build_site(
    paths: Paths,
    strict: bool = False,
    clock: StageClock | None = None,
    shard_pages: int = SHARD_PAGES,
) -> None:
    """site_src/ -> site/: MkDocs builds into a temporary folder that is
    swapped in only when every step succeeded, so a failed build leaves
    the previous site/ untouched. Pagefind indexes the paper articles of
    site_src/ meanwhile, on the other core, in shards of at most
    shard_pages pages."""
    clock = clock or StageClock()
    tmp = paths.site.with_name(paths.site.name + ".new")
    search_work = paths.site.with_name(paths.site.name + ".search")
    shutil.rmtree(tmp, ignore_errors=True)
    search = mkdocs = None
    waiting = ThreadPoolExecutor(max_workers=1)
    try:
        with clock.stage("mkdocs"):  # Pagefind's input is written and indexed meanwhile
            mkdocs = start_mkdocs(paths.root / "mkdocs.yml", tmp, strict)
            search = start_index(paths.site_src, search_work, shard_pages)
            indexed = waiting.submit(search.run)  # usually ends first
            finish_mkdocs(mkdocs)
        with clock.stage("search index"):  # what Pagefind needs beyond MkDocs' time
            report = indexed.result()
            report.bundle.rename(tmp / BUNDLE_DIR)
    except SearchIndexError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{exc}; site/ left as it was") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        stop(mkdocs)
        if search is not None:
            search.stop()
        waiting.shutdown()
        shutil.rmtree(search_work, ignore_errors=True)
    with clock.stage("swap in"):
        swap_in(tmp, paths.site)


def stop(process: subprocess.Popen | None) -> None:
    """Kill a child still running after a failure elsewhere."""
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def start_mkdocs(config: Path, site_dir: Path, strict: bool = False) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--clean"]
    cmd += ["--config-file", str(config), "--site-dir", str(site_dir)]
    if strict:
        # --quiet hides warnings from the counter that --strict aborts on
        # (mkdocs 1.6.1): with both, a strict build never fails on a warning.
        cmd.remove("--quiet")
        cmd.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.Popen(cmd, cwd=config.parent, env=env)


def finish_mkdocs(process: subprocess.Popen) -> None:
    code = process.wait()
    if code != 0:
        raise BuildError(f"mkdocs build failed (exit {code}); site/ left as it was")


def swap_in(new: Path, site: Path) -> None:
    """Replace site with new using renames, so site/ is never half-written."""
    old = site.with_name(site.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    new.rename(site)
    shutil.rmtree(old, ignore_errors=True)
