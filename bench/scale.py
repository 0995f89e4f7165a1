"""Scale benchmark: the real build on synthetic archives of N papers.

    .venv/bin/python bench/scale.py                      # 1,000 5,000 20,000 50,000
    .venv/bin/python bench/scale.py --sizes 1000 5000    # a quicker run
    .venv/bin/python bench/scale.py --sizes 1000 5000 20000 --cold-only 50000

For each N it prints, per stage, wall time, the largest process's peak RSS
and the peak memory of all processes at once (PSS: a page that forked
workers share with the build counts once, not once in each) of a cold build
(empty keyword cache), then the warm rebuild, a bare `mkdocs build` of the
same generated pages (Material, papers out of the nav, nothing else) and
their ratio, the site size and the bytes of a paper page. At 20,000 it also
adds a 200-paper dump with a warm cache and times the generator's stages,
three times from the same state (--add-runs): the median is the figure.
Those runs are not sampled; a fourth, sampled, gives their memory.
A speed check at the start and the end times a fixed single-core
workload. It shows a slow core, but not all of the machine's variation:
two runs whose checks took 2.4-2.7 s built the same 20,000 papers cold in
171 and 118 s. Compare versions in one hour, alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_archive  # noqa: E402
from generator import site_size  # noqa: E402
from tests.project import make_project  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_STAGES = (
    "up-to-date check", "load libraries", "parse", "merge", "keyword cache", "clean", "keywords", "tags",
    "related", "render", "write", "kept state",
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
  /tags/*/*.md
  /dumps/*.md
  /code/
plugins: []
"""


def pss(pid: int) -> int:
    """Proportional set size: resident bytes, with each page shared by n
    processes counted 1/n in each (forked workers share the build's)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass  # ended, or no smaps_rollup (Linux < 4.14)
    return 0


def tree_memory(process: psutil.Process) -> tuple[int, int]:
    """Resident bytes (RSS and PSS) of a process and all its descendants right now."""
    rss = proportional = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            rss += proc.memory_info().rss
            proportional += pss(proc.pid)
        except psutil.Error:
            pass  # ended between listing and reading
    return rss, proportional


# Reading PSS makes the kernel walk a process's page tables: every 50 ms it
# took 40% of a core from the build measured. Memory peaks last seconds.
SAMPLE_S = 0.5
STAGE_LINE = re.compile(r"^  ([\w -]+): [\d.]+ s$")  # the build's StageClock, verbose


@dataclass
class Run:
    """A command's wall time and memory, summed over the processes alive at
    once (MkDocs and Pagefind run side by side; workers are forked)."""

    seconds: float
    peak_rss_mb: float  # pages shared by forked workers counted in each
    peak_pss_mb: float  # shared pages counted once: what the machine must hold
    stage_pss_mb: dict[str, float]  # peak PSS sum while each stage ran


def timed_run(cmd: list[str], cwd: Path, sample: bool = True) -> Run:
    """Run a command, sampling the memory of its process tree every SAMPLE_S
    (unless sample is false: then the memory figures are 0) and noting
    when each build stage ends (its line on stderr)."""
    # cwd first on the path of every Python process of the run, MkDocs too:
    # its plugin is the generator package, which would otherwise come from
    # the checkout installed in the environment, not from the one measured.
    path = os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=path)
    ends: list[tuple[float, str]] = []
    with open(cwd / "bench.log" if cwd != ROOT else os.devnull, "a") as log:
        start = time.perf_counter()
        process = psutil.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.PIPE, text=True)

        def read_stderr() -> None:
            for line in process.stderr:
                log.write(line)
                if found := STAGE_LINE.match(line.rstrip("\n")):
                    ends.append((time.perf_counter() - start, found[1]))

        reader = threading.Thread(target=read_stderr)
        reader.start()
        samples = []
        while sample and process.poll() is None:
            samples.append((time.perf_counter() - start, *tree_memory(process)))
            time.sleep(SAMPLE_S)
        process.wait()
        seconds = time.perf_counter() - start
        reader.join()
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(cmd)}")
    stage_pss: dict[str, float] = {}
    for at, _rss, proportional in samples:
        stage = next((name for end, name in ends if at <= end), "after the stages")
        stage_pss[stage] = max(stage_pss.get(stage, 0), proportional / 2**20)
    return Run(
        seconds,
        max((rss for _, rss, _ in samples), default=0) / 2**20,
        max((p for _, _, p in samples), default=0) / 2**20,
        stage_pss,
    )


def build(project: Path, *extra: str, sample: bool = True) -> tuple[Run, dict]:
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
    run = timed_run(cmd, ROOT, sample)
    stages = {}
    for s in json.loads(timings.read_text()):
        prev = stages.get(s["name"], {"seconds": 0})
        stages[s["name"]] = {**s, "seconds": prev["seconds"] + s["seconds"]}
        stages[s["name"]]["pss_all_mb"] = run.stage_pss_mb.get(s["name"], 0)
    return run, stages


def generator_seconds(stages: dict) -> float:
    """The generator's stages of a build (build's stages), summed."""
    return sum(stages.get(k, {}).get("seconds", 0) for k in GENERATOR_STAGES)


def bare_mkdocs(project: Path) -> Run:
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


def site_figures(site: Path) -> tuple[float, float, int, int, int]:
    """Site MB, and MB of the tar GitHub Pages deploys; paper page median and
    largest; largest tag page (its own or an older one)."""
    size = site_size.measure(site)
    pages = [p.stat().st_size for p in (site / "papers").glob("*/index.html")]
    tags = [p.stat().st_size for p in (site / "tags").glob("*/**/index.html")]
    return (
        size.file_bytes / 1e6,
        size.tar_bytes / 1e6,
        int(statistics.median(pages)),
        max(pages),
        max(tags, default=0),
    )


def size_line(size_mb: float, tar_mb: float, page_median: int, page_max: int, tag_max: int) -> str:
    return (
        f"  site {size_mb:.0f} MB ({tar_mb:.0f} MB as the tar GitHub Pages deploys);"
        f" paper page median {page_median:,} B, max {page_max:,} B; largest tag page {tag_max:,} B"
    )


def stage_rows(stages: dict) -> list[str]:
    rows = [
        f"  {'stage':<16}{'wall':>9}{'largest process':>18}{'all processes (PSS)':>22}",
        f"  {'':<16}{'':>9}{'(peak RSS so far)':>18}{'(peak in the stage)':>22}",
    ]
    for name, s in stages.items():
        rss = max(s["peak_rss_mb"], s["child_peak_rss_mb"])
        rows.append(f"  {name:<16}{s['seconds']:>7.1f} s{rss:>15.0f} MB{s['pss_all_mb']:>19.0f} MB")
    return rows


def memory_line(run: Run) -> str:
    return (
        f"peak memory of all processes at once: {run.peak_pss_mb:,.0f} MB PSS"
        f" ({run.peak_rss_mb:,.0f} MB summing RSS, which counts the pages forked"
        " workers share with the build once in each)"
    )


def speed_check(repeat: int = 20) -> float:
    """Seconds for a fixed single-core workload, the tags stage's inner
    loop (segments) over the seed abstracts: a slow core shows in it (this
    machine's speed changes by 40% and more from hour to hour), though
    slow periods of the whole build do not always."""
    from generator.clean import clean_text
    from generator.merge import merge_entries
    from generator.parse import read_dumps
    from generator.tag_words import segments

    papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
    texts = [clean_text(p.abstract) for p in papers]
    for text in texts:  # fill the word memo first: every check then does the same work
        segments(text, {})
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            segments(text, {})
    return time.perf_counter() - start


def run_size(
    n: int, work: Path, incremental: bool, cold_only: bool = False, add_runs: int = 3
) -> dict:
    project = make_project(work / f"n{n}")
    make_archive(n, project / "dumps")
    cold, stages = build(project)
    cold_s, cold_pss = cold.seconds, cold.peak_pss_mb
    print(f"\n=== {n:,} papers: cold build {cold_s:.1f} s; {memory_line(cold)}")
    print("\n".join(stage_rows(stages)))
    size_mb, tar_mb, page_median, page_max, tag_max = sizes = site_figures(project / "site")
    print(size_line(*sizes))
    result = {
        "n": n,
        "cold_s": cold_s,
        "cold_pss": cold_pss,
        "site_mb": size_mb,
        "tar_mb": tar_mb,
        "page_median": page_median,
        "page_max": page_max,
        "tag_page_max": tag_max,
    }
    if cold_only:
        shutil.rmtree(project, ignore_errors=True)
        return result
    warm_run, warm = build(project)
    warm_s, warm_rss = warm_run.seconds, warm_run.peak_pss_mb
    if "tags" in warm:  # the up-to-date digest covers the generator's code
        print(
            "  warning: the warm build reran the generator stages (was the code edited"
            " during the run?): it is not a nothing-changed figure"
        )
    bare = bare_mkdocs(project)
    bare_s, bare_rss = bare.seconds, bare.peak_pss_mb
    gen = generator_seconds(warm)
    print(
        f"  warm build {warm_s:.1f} s (generator stages {gen:.1f} s, mkdocs"
        f" {warm['mkdocs']['seconds']:.1f} s), peak PSS {warm_rss:.0f} MB"
    )
    print(
        f"  bare mkdocs build of the same pages {bare_s:.1f} s, peak PSS {bare_rss:.0f} MB;"
        f" warm / bare = {warm_s / bare_s:.2f}"
    )
    print(size_line(*sizes))
    result.update(warm_s=warm_s, bare_s=bare_s, ratio=warm_s / bare_s)
    if incremental:
        result.update(add_200(project, work / f"n{n}-before-200", add_runs))
    shutil.rmtree(project, ignore_errors=True)
    return result


def add_200(project: Path, before: Path, runs: int) -> dict:
    """Adds a 200-paper dump and rebuilds the generator's stages, as many
    times as runs, each from the same warm state (a copy of the project as
    the warm build left it, site/ aside: --no-mkdocs leaves it alone).
    Runs differ by up to a second on this machine; the median is the
    figure. Each starts with the disks flushed, so that it does not pay
    for writing out the copy or the builds before it. The timed runs are
    not sampled: reading the processes' memory costs the build itself
    (10.51 s against 10.29 s, medians of five alternating pairs at
    2b100f0). One more run, sampled, gives the memory columns."""
    shutil.rmtree(before, ignore_errors=True)

    def site_dir(folder: str, _names: list[str]) -> list[str]:
        return ["site"] if folder == str(project) else []

    shutil.copytree(project, before, ignore=site_dir)
    timed = []
    try:
        for i in range(runs + 1):  # the last one sampled, for memory
            if i:  # the run before changed the project: start again from the copy
                shutil.rmtree(project)
                shutil.copytree(before, project)  # copy2: mtimes kept, as the manifest lists them
            make_archive(200, project / "dumps", seed=7, first_index=10_000_000, first_dump=90_000)
            os.sync()
            run, stages = build(project, "--no-mkdocs", sample=i == runs)
            timed.append((generator_seconds(stages), run, stages))
    finally:
        shutil.rmtree(before, ignore_errors=True)
    sampled_gen, _, sampled = timed.pop()
    # The median; of an even count, the slower of the middle two.
    gen, run, stages = sorted(timed, key=lambda t: t[0])[len(timed) // 2]
    each = ", ".join(f"{g:.1f}" for g, _, _ in timed)
    print(
        f"  + a 200-paper dump, warm cache: generator stages {gen:.1f} s, the median of"
        f" {len(timed)} runs ({each} s); in that run keywords"
        f" {stages['keywords']['seconds']:.1f} s, whole command {run.seconds:.1f} s"
    )
    print(f"  stages of that run; memory from one more run, sampled ({sampled_gen:.1f} s):")
    for name, s in stages.items():  # its times, the sampled run's memory
        s.update({k: v for k, v in sampled.get(name, {}).items() if k != "seconds"})
    print("\n".join(row for row in stage_rows(stages) if not row.split()[0] == "mkdocs"))
    return {
        "add_200_generator_s": gen,
        "add_200_runs_s": [g for g, _, _ in timed],
        "add_200_sampled_s": sampled_gen,
    }


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
    p.add_argument(
        "--add-runs",
        type=int,
        default=3,
        help="times the 200-paper dump is added at 20,000 papers (the median is reported)",
    )
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores; started {time.strftime('%H:%M:%S')}")
    speed = [speed_check()]
    print(f"speed check: {speed[0]:.2f} s (a fixed single-core workload; more is a slower machine)")
    # A size given both ways gets the cold build only (it ran twice before).
    sizes = [n for n in args.sizes if n not in args.cold_only]
    results = [run_size(n, args.work, n == 20000, add_runs=args.add_runs) for n in sizes]
    results += [run_size(n, args.work, False, cold_only=True) for n in args.cold_only]
    print("\n  papers   cold s   cold PSS MB   warm s   bare s   warm/bare   site MB   page B")
    for r in results:
        warm = "      -        -           -"  # cold-only sizes
        if "warm_s" in r:
            warm = f"{r['warm_s']:>7.0f}  {r['bare_s']:>7.0f}  {r['ratio']:>10.2f}"
        print(
            f"  {r['n']:>6}  {r['cold_s']:>7.0f}  {r['cold_pss']:>12.0f}  {warm}"
            f"  {r['site_mb']:>8.0f}  {r['page_median']:>7,}"
        )
    speed.append(speed_check())
    print(f"speed check: {speed[0]:.2f} s at the start, {speed[1]:.2f} s at the end")
    if args.json:
        args.json.write_text(json.dumps({"speed_check_s": speed, "sizes": results}, indent=1))


if __name__ == "__main__":
    main()
