"""Synthetic archives for benchmarks: N papers as dumps in the real layouts.

Titles and abstracts are recombined from the seed dumps (title words,
abstract sentences), so YAKE, the tagger and MkDocs see text shaped like
the real thing. Deterministic for a given N and seed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from generator.parse import read_dumps  # noqa: E402
from tests import dumpgen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAPERS_PER_DUMP = 250
REPEAT_SHARE = 0.05  # share of a dump's entries that repeat earlier papers, as in the seeds
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SYLLABLES = "ka lo mi ra ven to sa ri nu pe xo da li mo ta ze ru fi go ne".split()


def seed_material() -> tuple[list[list[str]], list[str]]:
    """Title word lists and abstract sentences from the seed dumps."""
    titles, sentences = [], []
    for dump in read_dumps(ROOT / "dumps"):
        for entry in dump.entries:
            titles.append(entry.title.split())
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", entry.abstract) if len(s) > 40]
    return titles, sorted(set(sentences))


def codename(i: int) -> str:
    """A unique made-up model name per paper ("Kaveto", "Rimo-3")."""
    parts = []
    n = i
    while True:
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
        if n == 0:
            break
    return "".join(parts).capitalize()


def make_paper(i: int, rng: random.Random, titles, sentences) -> tuple[str, str]:
    words = list(rng.choice(titles))
    other = rng.choice(titles)
    cut = rng.randrange(1, max(2, len(words)))
    tail = words[cut:] + other[len(other) // 2 :]
    title = f"{codename(i)}: " + " ".join(tail[:14] or other)
    abstract = " ".join(rng.sample(sentences, rng.randint(6, 10)))
    return title, abstract


def write_dump(path: Path, pairs: list[tuple[str, str]], layout: str, date: str) -> None:
    # The seeds' packed dumps end without a newline; the daily ones with one.
    text = dumpgen.packed(pairs).rstrip("\n") if layout == "packed" else dumpgen.daily(pairs, date)
    path.write_text(text, encoding="utf-8")


def make_archive(
    n_papers: int, dumps_dir: Path, seed: int = 0, first_index: int = 0, first_dump: int = 0
) -> list[Path]:
    """Write dumps holding n_papers unique papers (plus repeats) into dumps_dir."""
    rng = random.Random(seed)
    titles, sentences = seed_material()
    dumps_dir.mkdir(parents=True, exist_ok=True)
    written, made = [], []
    i, d = first_index, first_dump
    while i < first_index + n_papers:
        count = min(PAPERS_PER_DUMP, first_index + n_papers - i)
        pairs = [
            make_paper(j, random.Random(seed * 1_000_003 + j), titles, sentences)
            for j in range(i, i + count)
        ]
        if made:
            pairs += rng.sample(made, min(len(made), int(count * REPEAT_SHARE)))
            rng.shuffle(pairs)
        made += pairs[:count]
        layout = "packed" if d % 2 == 0 else "daily"
        date = f"{MONTHS[d % 12]} {d % 28 + 1}"
        path = dumps_dir / f"{d:05d}_synthetic.txt"
        write_dump(path, pairs, layout, date)
        written.append(path)
        i += count
        d += 1
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("papers", type=int)
    p.add_argument("dumps_dir", type=Path)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    files = make_archive(args.papers, args.dumps_dir, args.seed)
    print(f"wrote {len(files)} dumps with {args.papers} papers into {args.dumps_dir}")


if __name__ == "__main__":
    main()
