"""Dump the tag step's complete result as JSON, to prove a change keeps it.

    .venv/bin/python bench/tags_golden.py ROOT OUT.json [--synth N] [--jobs J]

ROOT is a project (dumps/, tags.yml, .cache/keywords.json, which is filled
and saved when cold). With --synth N and no ROOT/dumps yet, a synthetic
archive of N papers (bench/synth.py) is written there first. The JSON holds
every tag (slug, name, papers), every paper's tags and shown keywords;
compare two runs with `cmp`. --jobs sets build_tags' processes (default:
all cores on a large corpus). Prints the build_tags time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from bench.synth import make_archive  # noqa: E402
from generator.clean import clean_text  # noqa: E402
from generator.keywords import KeywordCache, extract_keywords, keyword_text  # noqa: E402
from generator.merge import merge_entries  # noqa: E402
from generator.parse import read_dumps  # noqa: E402
from generator.tag_rules import load_rules  # noqa: E402
from generator.tags import build_tags  # noqa: E402


def tag_inputs(root: Path):
    """The three mappings enrich.assign_tags hands to build_tags."""
    papers, _ = merge_entries(read_dumps(root / "dumps"))
    for p in papers:
        p.text = clean_text(p.abstract)
    texts = [keyword_text(p.title, p.text) for p in papers]
    cache = KeywordCache(root / ".cache" / "keywords.json")
    # With the special terms, as a build asks: the build's cache entries.
    terms = [(p.title, p.text) for p in papers]
    found, _ = extract_keywords(texts, cache=cache, progress=False, terms=terms)
    cache.save()
    keywords, full, titles = {}, {}, {}
    for p, text, cands in zip(papers, texts, found, strict=True):
        keywords[p.slug] = cands
        full[p.slug], titles[p.slug] = text, p.title
    return keywords, full, titles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--synth", type=int, default=0, help="write N synthetic papers first")
    ap.add_argument("--jobs", type=int, help="processes for the tag passes")
    args = ap.parse_args()
    if args.synth and not (args.root / "dumps").exists():
        make_archive(args.synth, args.root / "dumps")
    rules_file = args.root / "tags.yml"
    if not rules_file.exists():
        rules_file = Path(__file__).resolve().parent.parent / "tags.yml"
    keywords, full, titles = tag_inputs(args.root)
    start, cpu = time.perf_counter(), time.process_time()
    result = build_tags(keywords, full, titles, load_rules(rules_file), args.jobs)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dump = {
        "tags": [{"slug": t.slug, "name": t.name, "papers": t.papers} for t in result.tags],
        "paper_tags": result.paper_tags,
        "paper_keywords": result.paper_keywords,
    }
    args.out.write_text(json.dumps(dump, indent=1, ensure_ascii=False, sort_keys=False))
    print(
        f"{len(keywords)} papers, {len(result.tags)} tags: build_tags {took:.1f} s"
        f" ({cpu:.1f} s CPU),"
        f" peak RSS {peak:.0f} MB -> {args.out}",
        flush=True,
    )


if __name__ == "__main__":
    main()
