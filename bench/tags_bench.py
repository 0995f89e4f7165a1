"""Time the tag step on the seed papers repeated up to N papers.

    .venv/bin/python bench/tags_bench.py 5000 20000 50000

Keywords come from the seeds' keyword cache (.cache/keywords.json, filled
by a build or `python -m generator tags`); each copy of a paper gets its own
slug, so every stage sees N papers. Prints seconds and peak memory.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from generator.clean import clean_text
from generator.keywords import KeywordCache, extract_keywords, keyword_text
from generator.merge import merge_entries
from generator.parse import read_dumps
from generator.tag_rules import load_rules
from generator.tags import build_tags

ROOT = Path(__file__).resolve().parent.parent


def main(sizes: list[int]) -> None:
    papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
    for p in papers:
        p.text = clean_text(p.abstract)
    texts = [keyword_text(p.title, p.text) for p in papers]
    cache = KeywordCache(ROOT / ".cache" / "keywords.json")
    terms = [(p.title, p.text) for p in papers]  # as a build asks: its cache entries
    found, _ = extract_keywords(texts, cache=cache, terms=terms)
    rules = load_rules(ROOT / "tags.yml")
    for size in sizes:
        keywords, full, titles = {}, {}, {}
        for i in range(size):
            p, text, cands = papers[i % len(papers)], texts[i % len(papers)], found[i % len(papers)]
            slug = f"{p.slug}-{i // len(papers)}"
            keywords[slug] = cands
            full[slug], titles[slug] = text, p.title
        start = time.perf_counter()
        result = build_tags(keywords, full, titles, rules)
        took = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{size:6} papers: build_tags {took:6.1f} s ({took / size * 1000:.2f} ms a paper),"
            f" {len(result.tags)} tags, peak RSS {peak:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [591, 5000])
