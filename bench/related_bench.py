#!/usr/bin/env python3
"""How the related-papers stage scales: time and peak memory at growing sizes.

    .venv/bin/python bench/related_bench.py [SIZES...]   (default 1000 5000 20000 50000)

Synthetic papers are made from the seed dumps' abstract sentences (a fixed
random seed, so every run sees the same text). Each size runs in a fresh
process so its peak RSS is its own. Prints one line per size; near-linear
scaling shows as a roughly constant time and memory per paper.
"""

from __future__ import annotations

import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.merge import merge_entries  # noqa: E402
from generator.models import Paper  # noqa: E402
from generator.parse import read_dumps  # noqa: E402
from generator.related import paper_text, related_indices, tfidf_matrix  # noqa: E402

SIZES = [1000, 5000, 20000, 50000]


def synthetic_papers(n: int) -> list[Paper]:
    """n papers: each mixes sentences of one seed abstract (its topic) with a
    few from others, under a variant of that seed's title."""
    seeds, _ = merge_entries(read_dumps(ROOT / "dumps"))
    split = [re.split(r"(?<=[.!?])\s+", p.abstract) for p in seeds]
    pool = [s for sentences in split for s in sentences]
    rng = random.Random(7)
    papers = []
    for i in range(n):
        topic = rng.randrange(len(seeds))
        own = split[topic]
        sentences = rng.sample(own, min(len(own), rng.randint(3, 6))) + rng.sample(pool, 3)
        rng.shuffle(sentences)
        title = f"{seeds[topic].title} (variant {i})"
        papers.append(Paper(f"paper-{i:06d}", title, " ".join(sentences), ["bench"], 1))
    return papers


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_one(n: int) -> None:
    papers = synthetic_papers(n)
    before = rss_mb()
    start = time.perf_counter()
    matrix = tfidf_matrix([paper_text(p) for p in papers])
    middle = time.perf_counter()
    related = related_indices(matrix)
    end = time.perf_counter()
    peak = rss_mb()
    seconds = end - start
    with_related = sum(1 for found in related if found)
    print(
        f"{n:>7,} papers  {seconds:7.2f} s (tf-idf {middle - start:6.2f} s,"
        f" neighbours {end - middle:6.2f} s)  {seconds / n * 1e3:5.2f} ms/paper"
        f"  peak RSS {peak:6.0f} MB (stage adds {peak - before:5.0f} MB)"
        f"  {matrix.nnz / n:4.0f} terms/paper  {with_related:,} with related",
        flush=True,
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        run_one(int(argv[1]))
        return 0
    sizes = [int(a) for a in argv] or SIZES
    print("related papers stage (TF-IDF, capped inverted index, exact re-rank)")
    for n in sizes:
        code = subprocess.call([sys.executable, __file__, "--one", str(n)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
