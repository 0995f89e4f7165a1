#!/usr/bin/env python3
"""The two commands of the README, with all the set-up they need.

    python3 tasks.py serve   build the site from dumps/ and serve it on localhost
    python3 tasks.py test    run the whole test suite

Only Python 3.11+ is needed: a virtual environment in .venv gets the
project and its dependencies; `test` also installs Debian's chromium for
the browser tests when it can (root with apt-get).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
CHROMIUM = Path("/usr/bin/chromium")


def run(*cmd, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def ensure_venv(extras: str) -> None:
    """Create .venv and (re)install the project when pyproject.toml changed."""
    if not PY.exists():
        if run(sys.executable, "-m", "venv", VENV):
            sys.exit("could not create .venv")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    spec = f".[{extras}]" if extras else "."
    if run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec):
        sys.exit("pip install failed")
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests drive Debian's chromium; never a downloaded browser."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=env)
    if not CHROMIUM.exists():
        print(
            "note: /usr/bin/chromium is missing; browser tests will be skipped"
            " (in CI they fail instead)",
            file=sys.stderr,
        )


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "serve":
        ensure_venv("")
        return run(PY, "-m", "generator", "serve", *argv[1:])
    if command == "test":
        ensure_venv("test")
        ensure_chromium()
        return run(PY, "-m", "pytest", *argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
