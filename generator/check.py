"""`check`: validate dumps and say what each adds to the archive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .merge import normalise_title
from .models import Dump
from .parse import read_dump, read_dumps


@dataclass
class CheckResult:
    dump: Dump
    new: list[str]  # titles not yet in the archive
    archived: list[str]  # titles the archive already has
    repeats: int  # entries repeating a title earlier in the same dump


def check_dumps(files: list[Path], archive_dir: Path) -> list[CheckResult]:
    """Each file against the archive in archive_dir, leaving the checked
    files themselves out of the archive (a new dump may already sit there)."""
    checked = {f.resolve() for f in files}
    known: set[str] = set()
    if archive_dir.is_dir():
        for dump in read_dumps(archive_dir):
            if Path(dump.path).resolve() not in checked:
                known.update(normalise_title(e.title) for e in dump.entries)
    results = []
    for path in files:
        if not path.is_file():
            from .models import Problem

            dump = Dump(
                path.stem, str(path), "unknown", None, [], [Problem(str(path), 0, "no such file")]
            )
            results.append(CheckResult(dump, [], [], 0))
            continue
        dump = read_dump(path)
        seen: set[str] = set()
        new, archived, repeats = [], [], 0
        for entry in dump.entries:
            key = normalise_title(entry.title)
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
        rejected = len(d.errors)
        out.append(
            f"{d.path}: {d.layout} layout"
            + (f", listing date {d.listing_date}" if d.listing_date else "")
        )
        out.append(
            f"  {len(d.entries) + rejected} entries read = {len(r.new) + len(r.archived)} papers"
            f" + {r.repeats} repeats + {rejected} rejected"
        )
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
            "| layout | listing date | entries | new papers | already archived | repeats | rejected |",
            "|---|---|---|---|---|---|---|",
            f"| {d.layout} | {d.listing_date or '-'} | {len(d.entries) + len(d.errors)} | {len(r.new)}"
            f" | {len(r.archived)} | {r.repeats} | {len(d.errors)} |",
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
