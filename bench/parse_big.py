"""Time and peak memory of parsing one big generated dump.

.venv/bin/python bench/parse_big.py [MEGABYTES]   (default 50)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.parse import read_dump  # noqa: E402
from tests.dumpgen import write_big_dump  # noqa: E402


def main(megabytes: int = 50) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        count = write_big_dump(path, megabytes * 1_000_000)
        size = path.stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        dump = read_dump(path)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"file: {size / 1e6:.1f} MB, {count} entries written, {len(dump.entries)} parsed,")
    print(f"  {len(dump.problems)} problems; parse {seconds:.2f} s")
    print(f"  peak RSS {peak / 1024:.0f} MB (before parsing {before / 1024:.0f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
