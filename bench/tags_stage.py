"""Time the tags stage of the real build, cold and after a 200-paper dump.

    .venv/bin/python bench/tags_stage.py PROJECT [--source CHECKOUT] [--add-200]

PROJECT is a project with dumps/ and a warm keyword cache (a copy of a
bench/scale.py or bench/synth.py archive). Runs `build --no-mkdocs` with
every generator stage rerun (the up-to-date manifest removed) and prints
each stage's wall time; with --add-200 it then adds the 200-paper dump of
bench/scale.py's incremental case and builds again. --source runs the
generator of another checkout (e.g. an export of main) for a before/after
comparison on the same machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script too

from bench.scale import GENERATOR_STAGES, timed_run  # noqa: E402
from bench.synth import make_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def build(project: Path, source: Path, name: str) -> dict:
    (project / ".cache" / "generated.json").unlink(missing_ok=True)  # rerun every stage
    timings = project / f"timings-{name}.json"
    cmd = [sys.executable, "-m", "generator", "--root", str(project), "build", "--no-mkdocs"]
    run = timed_run([*cmd, "--timings", str(timings)], source)
    seconds, rss = run.seconds, run.peak_rss_mb
    stages: dict[str, float] = {}
    for s in json.loads(timings.read_text()):
        stages[s["name"]] = stages.get(s["name"], 0) + s["seconds"]
    generator = sum(stages.get(k, 0) for k in GENERATOR_STAGES)
    print(
        f"{name}: tags {stages['tags']:.1f} s; generator stages {generator:.1f} s"
        f" (keywords {stages['keywords']:.1f} s); whole command {seconds:.1f} s,"
        f" peak RSS {rss:.0f} MB",
        flush=True,
    )
    print("  " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()), flush=True)
    return stages


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("project", type=Path)
    p.add_argument("--source", type=Path, default=ROOT, help="checkout whose generator runs")
    p.add_argument("--add-200", action="store_true", help="then add a 200-paper dump")
    args = p.parse_args()
    build(args.project, args.source.resolve(), "cold")
    if args.add_200:
        # The dump bench/scale.py adds in its incremental case.
        make_archive(200, args.project / "dumps", seed=7, first_index=10_000_000, first_dump=90_000)
        build(args.project, args.source.resolve(), "add-200")


if __name__ == "__main__":
    main()
