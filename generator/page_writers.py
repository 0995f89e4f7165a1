"""Generated pages outside the nav written by several processes.

MkDocs reads every page, then renders and writes them one after another:
at 20,000 papers the writing was 40 of MkDocs' 54 s, on one core. Once
every page is read (the plugin's on_env), start_writers forks a process per
extra core, and each writes a share of the generated pages outside the nav:
pages that read nothing from one another. The build process writes the
rest and waits for the writers at on_post_build (finish_writers).

The build process skips a page a writer has by giving it an empty template:
MkDocs writes no file for empty output. A writer sends back what it
logged, and the build process logs it again: a warning is shown once, and
`mkdocs build --strict` counts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import jinja2
from mkdocs.commands.build import _build_page  # the very code MkDocs writes a page with
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import InclusionLevel

from .workers import Alongside

# The template of a page another process writes; it renders nothing.
WRITTEN_ELSEWHERE = "generated-pages/written-elsewhere.html"


class _Recorder(logging.Handler):
    """What a writer logs, to be logged again by the build process."""

    def __init__(self):
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def write_pages(pages, config, doc_files, nav, env) -> tuple[list, str | None]:
    """In a forked writer: write pages as MkDocs' own build loop does.
    Returns what was logged and the error that stopped it, if one did."""
    recorder = _Recorder()
    logger = logging.getLogger("mkdocs")
    logger.handlers = [recorder]  # this process ends when done: nothing to restore
    try:
        for page in pages:
            excluded = page.file.inclusion.is_excluded()
            _build_page(page, config, doc_files, nav, env, excluded=excluded)
    except Exception as exc:  # _build_page logged which page
        return recorder.records, f"{type(exc).__name__}: {exc}"
    return recorder.records, None


@dataclass
class Writers:
    """The writers of one build, and the pages the build process skips."""

    processes: list[Alongside] = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (page, its template meta before)
    skip_messages: set[str] = field(default_factory=set)

    def skip_filter(self, record: logging.LogRecord) -> bool:
        """MkDocs logs each page it skips for its empty output: not ours."""
        return record.getMessage() not in self.skip_messages


def start_writers(pages: list, jobs: int, config, files, nav, env) -> Writers:
    """Fork jobs - 1 writers, writer k taking pages[k::jobs]; the build
    process keeps pages[0::jobs] and gets an empty template for the rest."""
    writers = Writers()
    if jobs <= 1:
        return writers
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for k in range(1, jobs):
        share = pages[k::jobs]
        writers.processes.append(Alongside(write_pages, share, config, doc_files, nav, env, jobs=2))
        for page in share:
            writers.skipped.append((page, page.meta.get("template")))
            page.meta["template"] = WRITTEN_ELSEWHERE
            writers.skip_messages.add(
                f"Page skipped: '{page.file.src_uri}'. Generated empty output."
            )
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({WRITTEN_ELSEWHERE: ""}), env.loader])
    logging.getLogger("mkdocs.commands.build").addFilter(writers.skip_filter)
    return writers


def finish_writers(writers: Writers) -> None:
    """Wait for every writer, log again what each logged, restore the
    skipped pages' templates; a writer's error fails the build."""
    logging.getLogger("mkdocs.commands.build").removeFilter(writers.skip_filter)
    for page, template in writers.skipped:
        if template is None:
            page.meta.pop("template", None)
        else:
            page.meta["template"] = template
    errors = []
    for process in writers.processes:
        records, error = process.result()
        for name, level, message in records:
            logging.getLogger(name).log(level, message)
        if error:
            errors.append(error)
    writers.processes.clear()
    if errors:
        raise PluginError(f"a page writer process failed: {errors[0]}")


def stop_writers(writers: Writers) -> None:
    """After a failure elsewhere: stop writers still running."""
    for process in writers.processes:
        process.__exit__(None, None, None)
    writers.processes.clear()
