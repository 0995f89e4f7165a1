"""The parse stage's results, kept between builds (.cache/parsed-dumps.pickle).

Parsing the dumps is a rebuild's first second (0.7 s for the 80 dumps of
20,000 papers), and a rebuild mostly adds a dump: a dump whose name and
bytes are those the last build parsed, with the same generator code, is
read back (0.05 s for all 80), and only new or changed dumps are parsed.
The result is what parse.read_dumps gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from . import cache_file
from .freshness import code_digest
from .models import Dump, Problem
from .parse import read_dump


@dataclass
class ParsedDumps:
    code: str  # freshness.code_digest(): dumps parsed by other code are parsed again
    dumps: dict[str, tuple[bytes, Dump]]  # file name -> (digest of its bytes, the parsed dump)


def read_dumps_cached(folder: Path | str, cache: Path, code: str | None = None) -> list[Dump]:
    """parse.read_dumps(folder), parsing only the dumps the cache file does
    not hold as they are; the cache is then rewritten to hold these."""
    code = code or code_digest()
    state = cache_file.load(cache, ParsedDumps, code)
    last = state.dumps if state else {}
    found: dict[str, tuple[bytes, Dump]] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        data = path.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).digest()
        seen = last.get(path.name)
        if seen and seen[0] == digest:
            dump = seen[1] if seen[1].path == str(path) else _moved(seen[1], str(path))
        else:
            dump = read_dump(path, data)
        found[path.name] = (digest, dump)
    if {n: d for n, (d, _) in found.items()} != {n: d for n, (d, _) in last.items()}:
        cache_file.save(cache, ParsedDumps(code, found))
    return [dump for _, dump in found.values()]


def _moved(dump: Dump, path: str) -> Dump:
    """A dump parsed at another path (the project was moved or copied),
    with its problems naming this one."""

    def here(problem: Problem) -> Problem:
        return replace(problem, path=path) if problem.path == dump.path else problem

    return replace(
        dump,
        path=path,
        problems=[here(p) for p in dump.problems],
        rejected=[here(p) for p in dump.rejected],
    )
