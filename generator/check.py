"""`check`: validate dumps and say what each adds to the archive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .merge import normalise_title
from .models import Dump, Problem
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


def paper_key(title: str) -> str:
    """The key merge.py unites entries by."""
    return normalise_title(title) or title


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
    new: list[str]  # titles not yet in the archive
    archived: list[str]  # titles the archive already has
    repeats: int  # entries repeating a title earlier in the same dump

    @property
    def accounting(self) -> Accounting:
        papers = len(self.new) + len(self.archived)
        return Accounting(self.dump.entries_read, papers, self.repeats, len(self.dump.rejected))


def check_dumps(files: list[Path], archive_dir: Path) -> list[CheckResult]:
    """Each file against the archive in archive_dir, leaving the checked
    files themselves out of the archive (a new dump may already sit there)."""
    checked = {f.resolve() for f in files}
    known: set[str] = set()
    archive: list[Dump] = []
    if archive_dir.is_dir():
        for dump in read_dumps(archive_dir):
            if Path(dump.path).resolve() not in checked:
                archive.append(dump)
                known.update(paper_key(e.title) for e in dump.entries)
    results = []
    for path in files:
        if not path.is_file():
            dump = Dump(
                path.stem, str(path), "unknown", None, [], [Problem(str(path), 0, "no such file")]
            )
            results.append(CheckResult(dump, [], [], 0))
            continue
        dump = read_dump(path)
        dump.problems += same_dumps([dump], archive + [r.dump for r in results])
        seen: set[str] = set()
        new, archived, repeats = [], [], 0
        for entry in dump.entries:
            key = paper_key(entry.title)
            if key in seen:
                repeats += 1
                continue
            seen.add(key)
            (archived if key in known else new).append(entry.title)
        results.append(CheckResult(dump, new, archived, repeats))
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


def md_escape(text: str) -> str:
    """Dump text inside a Markdown summary: no live markup, links or HTML."""
    import html

    text = html.escape(text, quote=False)
    for ch in "\\`*_{}[]()#+-.!|~>":
        text = text.replace(ch, "\\" + ch)
    return text


def format_markdown(results: list[CheckResult]) -> str:
    out = ["# Dump check", ""]
    for r in results:
        d = r.dump
        status = "✅ OK" if not d.errors else f"❌ {len(d.errors)} error(s)"
        out += [f"## `{Path(d.path).name}`: {status}", ""]
        out += [
            "| layout | listing date | entries read | new papers | already archived | repeats | rejected |",
            "|---|---|---|---|---|---|---|",
            f"| {d.layout} | {d.listing_date or '-'} | {d.entries_read} | {len(r.new)}"
            f" | {len(r.archived)} | {r.repeats} | {len(d.rejected)} |",
            "",
            f"{r.accounting}.",
            "",
        ]
        if d.problems:
            out += ["### Problems", ""]
            out += [
                f"- `{Path(p.path).name}:{p.line}` {p.severity}: {md_escape(p.message)}"
                for p in d.problems
            ]
            out.append("")
        for heading, titles in (("New papers", r.new), ("Already archived", r.archived)):
            if titles:
                out += [f"<details><summary>{heading} ({len(titles)})</summary>", ""]
                out += [f"1. {md_escape(t)}" for t in titles]
                out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


def format_check(results: list[CheckResult], fmt: str = "text") -> str:
    return format_markdown(results) if fmt == "markdown" else format_text(results)
