"""Scale benchmark: the real build on synthetic archives of N papers.

    .venv/bin/python bench/scale.py                      # 1,000 5,000 20,000 50,000
    .venv/bin/python bench/scale.py --sizes 1000 5000    # a quicker run
    .venv/bin/python bench/scale.py --sizes 1000 5000 20000 --cold-only 50000

For each N it prints, per stage, wall time and peak RSS of a cold build
(empty keyword cache), then the warm rebuild, a bare `mkdocs build` of the
same generated pages (Material, papers out of the nav, nothing else) and
their ratio, the site size and the bytes of a paper page. At 20,000 it also
adds a 200-paper dump with a warm cache and times the generator's stages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_archive  # noqa: E402
from tests.project import make_project  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_STAGES = (
    "up-to-date check", "load libraries", "parse", "merge", "keyword cache", "clean", "keywords", "tags",
    "related", "render", "write",
)  # fmt: skip
BARE_CONFIG = """\
site_name: bare
docs_dir: site_src
theme:
  name: material
nav:
  - Home: index.md
  - Tags: tags/index.md
  - Dumps: dumps/index.md
  - About: about.md
not_in_nav: |
  /papers/
  /tags/*.md
  /dumps/*.md
plugins: []
"""


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants right now."""
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass  # ended between listing and reading
    return total


def timed_run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command and everything it runs,
    summed over the processes alive at once (MkDocs and Pagefind run side by
    side), sampled every 50 ms."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    with open(cwd / "bench.log" if cwd != ROOT else os.devnull, "a") as log:
        start = time.perf_counter()
        process = psutil.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=log)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(process))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(cmd)}")
    return seconds, peak / 2**20


def build(project: Path, *extra: str) -> tuple[float, float, dict]:
    timings = project / "timings.json"
    cmd = [
        sys.executable,
        "-m",
        "generator",
        "--root",
        str(project),
        "build",
        "--timings",
        str(timings),
        *extra,
    ]
    seconds, rss = timed_run(cmd, ROOT)
    stages = {}
    for s in json.loads(timings.read_text()):
        prev = stages.get(s["name"], {"seconds": 0})
        stages[s["name"]] = {**s, "seconds": prev["seconds"] + s["seconds"]}
    return seconds, rss, stages


def bare_mkdocs(project: Path) -> tuple[float, float]:
    (project / "mkdocs-bare.yml").write_text(BARE_CONFIG)
    out = Path(tempfile.mkdtemp(prefix="bare-site-"))
    try:
        return timed_run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--quiet",
                "-f",
                "mkdocs-bare.yml",
                "-d",
                str(out),
            ],
            project,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


def site_figures(site: Path) -> tuple[float, int, int]:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = [p.stat().st_size for p in (site / "papers").glob("*/index.html")]
    return total / 1e6, int(statistics.median(pages)), max(pages)


def stage_rows(stages: dict) -> list[str]:
    rows = []
    for name, s in stages.items():
        rss = max(s["peak_rss_mb"], s["child_peak_rss_mb"])
        rows.append(f"  {name:<14}{s['seconds']:>9.1f} s{rss:>10.0f} MB")
    return rows


def run_size(n: int, work: Path, incremental: bool, cold_only: bool = False) -> dict:
    project = make_project(work / f"n{n}")
    make_archive(n, project / "dumps")
    cold_s, cold_rss, stages = build(project)
    print(
        f"\n=== {n:,} papers: cold build {cold_s:.1f} s,"
        f" peak RSS {cold_rss:.0f} MB (all processes at once)"
    )
    print(f"  {'stage':<14}{'wall':>11}{'peak RSS':>13}  (largest process so far)")
    print("\n".join(stage_rows(stages)))
    size_mb, page_median, page_max = site_figures(project / "site")
    print(f"  site {size_mb:.0f} MB; paper page median {page_median:,} B, max {page_max:,} B")
    result = {
        "n": n,
        "cold_s": cold_s,
        "cold_rss": cold_rss,
        "site_mb": size_mb,
        "page_median": page_median,
        "page_max": page_max,
    }
    if cold_only:
        shutil.rmtree(project, ignore_errors=True)
        return result
    warm_s, warm_rss, warm = build(project)
    if "tags" in warm:  # the up-to-date digest covers the generator's code
        print(
            "  warning: the warm build reran the generator stages (was the code edited"
            " during the run?): it is not a nothing-changed figure"
        )
    bare_s, bare_rss = bare_mkdocs(project)
    gen = sum(warm.get(k, {}).get("seconds", 0) for k in GENERATOR_STAGES)
    print(
        f"  warm build {warm_s:.1f} s (generator stages {gen:.1f} s, mkdocs"
        f" {warm['mkdocs']['seconds']:.1f} s), peak RSS {warm_rss:.0f} MB"
    )
    print(
        f"  bare mkdocs build of the same pages {bare_s:.1f} s, peak RSS {bare_rss:.0f} MB;"
        f" warm / bare = {warm_s / bare_s:.2f}"
    )
    print(f"  site {size_mb:.0f} MB; paper page median {page_median:,} B, max {page_max:,} B")
    result = {
        "n": n,
        "cold_s": cold_s,
        "cold_rss": cold_rss,
        "warm_s": warm_s,
        "bare_s": bare_s,
        "ratio": warm_s / bare_s,
        "site_mb": size_mb,
        "page_median": page_median,
        "page_max": page_max,
    }
    if incremental:
        make_archive(200, project / "dumps", seed=7, first_index=10_000_000, first_dump=90_000)
        add_s, _, added = build(project, "--no-mkdocs")
        gen = sum(added.get(k, {}).get("seconds", 0) for k in GENERATOR_STAGES)
        print(
            f"  + a 200-paper dump, warm cache: generator stages {gen:.1f} s"
            f" (keywords {added['keywords']['seconds']:.1f} s), whole command {add_s:.1f} s"
        )
        print("\n".join(row for row in stage_rows(added) if not row.split()[0] == "mkdocs"))
        result["add_200_generator_s"] = gen
    shutil.rmtree(project, ignore_errors=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 50000])
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "paper-bench")
    p.add_argument(
        "--cold-only",
        type=int,
        nargs="*",
        default=[],
        help="sizes that get only the cold build (no warm, bare or incremental run)",
    )
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores; started {time.strftime('%H:%M:%S')}")
    results = [run_size(n, args.work, incremental=(n == 20000)) for n in args.sizes]
    results += [run_size(n, args.work, False, cold_only=True) for n in args.cold_only]
    print("\n  papers   cold s   cold RSS MB   warm s   bare s   warm/bare   site MB   page B")
    for r in results:
        warm = "      -        -           -"  # cold-only sizes
        if "warm_s" in r:
            warm = f"{r['warm_s']:>7.0f}  {r['bare_s']:>7.0f}  {r['ratio']:>10.2f}"
        print(
            f"  {r['n']:>6}  {r['cold_s']:>7.0f}  {r['cold_rss']:>12.0f}  {warm}"
            f"  {r['site_mb']:>8.0f}  {r['page_median']:>7,}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
