"""`check`: validate dumps and say what each adds to the archive.

The Markdown format is the pull request's job summary. Dump text (titles,
file names, problem messages) is untrusted there too: `md_text` and
`md_code` keep it plain text, so a title can't add links, HTML or markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .merge import paper_key
from .models import Dump, Entry, Problem
from .parse import read_dump, read_dumps


@dataclass(frozen=True)
class Accounting:
    """entries read = papers + repeats + rejected (entries read: see parse.py)."""

    read: int
    papers: int  # unique normalised titles among the parsed entries
    repeats: int  # parsed entries whose title an earlier entry already had
    rejected: int

    @property
    def adds_up(self) -> bool:
        return self.read == self.papers + self.repeats + self.rejected

    def __str__(self) -> str:
        text = (
            f"{self.read} entries read = {self.papers} papers + {self.repeats} repeats"
            f" + {self.rejected} rejected"
        )
        if not self.adds_up:  # a parser bug: say so rather than print a false sum
            text += f" (DOES NOT ADD UP: {self.read - self.papers - self.repeats - self.rejected})"
        return text


def account(dumps: list[Dump]) -> Accounting:
    parsed = [e for d in dumps for e in d.entries]
    papers = len({paper_key(e.title) for e in parsed})
    return Accounting(
        read=sum(d.entries_read for d in dumps),
        papers=papers,
        repeats=len(parsed) - papers,
        rejected=sum(len(d.rejected) for d in dumps),
    )


def dump_key(dump: Dump) -> tuple:
    return (dump.entries_read, *(paper_key(e.title) for e in dump.entries))


def same_dumps(dumps: list[Dump], earlier: list[Dump] | None = None) -> list[Problem]:
    """A warning for each dump listing exactly the papers of an earlier one
    (the same page saved twice under two names)."""
    seen: dict[tuple[str, ...], Dump] = {}
    for dump in earlier or []:
        if dump.entries:
            seen.setdefault(dump_key(dump), dump)
    warnings = []
    for dump in dumps:
        if not dump.entries:
            continue
        first = seen.setdefault(dump_key(dump), dump)
        if first is not dump and first.path != dump.path:
            warnings.append(
                Problem(
                    dump.path,
                    dump.entries[0].line,
                    f"same papers, in the same order, as {first.path}: the same dump saved twice?",
                    "warning",
                )
            )
    return warnings


@dataclass
class CheckResult:
    dump: Dump
    new: list[Entry]  # first entry of each paper not yet in the archive
    archived: list[tuple[Entry, str]]  # entry, and the dump that already has it
    repeats: int  # entries repeating a title earlier in the same dump

    @property
    def accounting(self) -> Accounting:
        papers = len(self.new) + len(self.archived)
        return Accounting(self.dump.entries_read, papers, self.repeats, len(self.dump.rejected))


def check_dumps(files: list[Path], archive_dir: Path) -> list[CheckResult]:
    """Each file against the archive in archive_dir and the files checked
    before it. The checked files themselves are left out of the archive (a
    new dump may already sit there), and are taken in the order given, so
    a paper in two new dumps is new in the first only."""
    checked = {f.resolve() for f in files}
    known: dict[str, str] = {}  # paper key -> name of the first dump that has it
    archive: list[Dump] = []
    if archive_dir.is_dir():
        for dump in read_dumps(archive_dir):
            if Path(dump.path).resolve() not in checked:
                archive.append(dump)
                for entry in dump.entries:
                    known.setdefault(paper_key(entry.title), dump.name)
    results = []
    for path in files:
        if not path.is_file():
            problem = Problem(str(path), 0, "no such file")
            dump = Dump(path.stem, str(path), "unknown", None, [], [problem])
            results.append(CheckResult(dump, [], [], 0))
            continue
        dump = read_dump(path)
        dump.problems += same_dumps([dump], archive + [r.dump for r in results])
        result = CheckResult(dump, [], [], 0)
        seen: set[str] = set()
        for entry in dump.entries:
            key = paper_key(entry.title)
            if key in seen:
                result.repeats += 1
            elif key in known:
                result.archived.append((entry, known[key]))
            else:
                result.new.append(entry)
            seen.add(key)
        for key in seen:
            known.setdefault(key, dump.name)
        results.append(result)
    return results


def format_text(results: list[CheckResult]) -> str:
    out = []
    for r in results:
        d = r.dump
        out.append(
            f"{d.path}: {d.layout} layout"
            + (f", listing date {d.listing_date}" if d.listing_date else "")
        )
        out.append(f"  {r.accounting}")
        out.append(f"  {len(r.new)} new to the archive, {len(r.archived)} already archived")
        for p in d.problems:
            out.append(f"  {p}")
        out.append("  OK" if not d.errors else f"  FAILED: {len(d.errors)} error(s)")
    return "\n".join(out) + "\n"


# Controls and bidirectional overrides could hide or reorder text.
UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """One line of visible text: no controls, whitespace runs collapsed."""
    return " ".join(UNSAFE_CHARS.sub("", text).split())


def md_text(text: str) -> str:
    """Dump text as literal GitHub Markdown text: every ASCII punctuation
    mark backslash-escaped (CommonMark allows it for all of them), so no
    emphasis, link, HTML, entity, heading or table cell can start; an
    invisible word joiner after '@' stops GitHub's e-mail autolinks, which
    ignore escapes."""
    escaped = ASCII_PUNCTUATION.sub(r"\\\1", plain(text))
    return escaped.replace("@", "@" + WORD_JOINER)


def md_code(text: str) -> str:
    """Dump text as an inline code span, fenced with more backticks than it holds."""
    text = plain(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ", "") or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def format_markdown(results: list[CheckResult]) -> str:
    failed = sum(1 for r in results if r.dump.errors)
    new = sum(len(r.new) for r in results)
    out = [
        "# Dump check",
        "",
        f"{len(results)} dump(s) checked: {new} new paper(s)"
        + (f"; ❌ {failed} dump(s) with errors." if failed else "; ✅ no errors."),
        "",
    ]
    for r in results:
        d = r.dump
        status = "✅ OK" if not d.errors else f"❌ {len(d.errors)} error(s)"
        warnings = len(d.problems) - len(d.errors)
        if warnings:
            status += f", {warnings} warning(s)"
        out += [f"## {md_code(d.path)}: {status}", ""]
        out += [
            "| layout | listing date | entries read | new papers | already archived | repeats | rejected |",
            "|---|---|---|---|---|---|---|",
            f"| {md_text(d.layout)} | {md_text(d.listing_date or '-')} | {d.entries_read}"
            f" | {len(r.new)} | {len(r.archived)} | {r.repeats} | {len(d.rejected)} |",
            "",
            f"{r.accounting}.",
            "",
        ]
        if d.problems:
            out += ["### Problems", ""]
            out += [
                f"- {md_code(f'{p.path}:{p.line}')} {p.severity}: {md_text(p.message)}"
                for p in d.problems
            ]
            out.append("")
        if r.new:
            out += [f"<details open><summary>New papers ({len(r.new)})</summary>", ""]
            out += [f"1. {md_text(e.title)} (line {e.line})" for e in r.new]
            out += ["", "</details>", ""]
        if r.archived:
            out += [f"<details><summary>Already archived ({len(r.archived)})</summary>", ""]
            out += [
                f"1. {md_text(e.title)} (line {e.line}; in {md_code(where)})"
                for e, where in r.archived
            ]
            out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


def format_check(results: list[CheckResult], fmt: str = "text") -> str:
    return format_markdown(results) if fmt == "markdown" else format_text(results)
