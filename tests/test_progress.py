"""Long steps show progress bars on a terminal, and nothing of them when
the output is a log (CI, a pipe)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

from tests.conftest import ROOT, make_project, run_generator

BARS = ("keywords", "tags", "render", "mkdocs")


def run_on_terminal(*cmd: str) -> tuple[int, str]:
    """Run cmd with its output on a 120-column pseudo-terminal, as a person
    at a shell would; the exit code and everything it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, cwd=ROOT
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return process.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_a_build_on_a_terminal_shows_a_bar_for_each_long_step(tmp_path):
    project = make_project(tmp_path, seeds=True)
    code, output = run_on_terminal(
        sys.executable, "-m", "generator", "--root", str(project), "build"
    )
    assert code == 0, output
    for step in BARS:
        assert f"{step}: 100%" in output, (step, output[-3000:])
    # Steps counted through the passes, shown as whole papers and pages.
    assert re.search(r"tags: 100%\|█+\| 591/591 ", output), output[-3000:]
    assert re.search(r"mkdocs: 100%\|█+\| \d{4}/\d{4} ", output), output[-3000:]


def test_a_build_into_a_log_prints_no_bars(tmp_path):
    project = make_project(tmp_path, seeds=True)
    result = run_generator(project, "build")
    assert result.returncode == 0, result.stderr
    assert "%|" not in result.stderr + result.stdout and "\r" not in result.stderr
    assert "site built in" in result.stderr
