"""The site's size as GitHub Pages counts it: the tar the deploy workflow
makes of site/, measured against GNU tar itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from generator import cli, site_size
from generator.site_size import measure, pages_message, size_line
from generator.stages import StageClock


def tar_as_the_workflow_makes_it(site: Path, out: Path, *options: str) -> int:
    """The command of actions/upload-pages-artifact (v3), run for real."""
    subprocess.run(
        ["tar", "--dereference", "--hard-dereference", "--directory", str(site), "-cf", str(out),
         "--exclude=.git", "--exclude=.github", *options, "."],
        check=True,
    )  # fmt: skip
    return out.stat().st_size


def test_the_build_reports_the_size_of_the_tar_github_pages_deploys(seed_site, tmp_path):
    site = seed_site / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    size = measure(site)
    assert size.files == len(files)
    assert size.file_bytes == sum(p.stat().st_size for p in files)
    assert size.tar_bytes == tar_as_the_workflow_makes_it(site, tmp_path / "site.tar")
    log = (seed_site / "build.log").read_text()
    assert size_line(size) in log
    assert f"site: {len(files):,} files" in log
    assert "GitHub Pages supports" not in log  # 37 MB: far from the limit


def test_long_names_links_and_excluded_folders_count_as_tar_counts_them(tmp_path):
    site = tmp_path / "site"
    deep = site / ("d" * 120) / "sub"
    deep.mkdir(parents=True)
    (deep / "index.html").write_text("x" * 513)  # two blocks of data
    (site / "empty.txt").touch()  # a header, no data
    (site / ("n" * 98)).write_text("a name of exactly 100 bytes with ./")
    (site / ("m" * 99)).write_text("and one of 101")
    # A name of 512 bytes needs two blocks of its own: with its closing NUL, 513.
    nested = site / ("a" * 200) / ("b" * 200)
    nested.mkdir(parents=True)
    (nested / ("c" * 108)).write_text("long")
    os.symlink(deep / "index.html", site / "linked.html")  # followed, as --dereference does
    for hidden in (".git", ".github"):
        (site / hidden).mkdir()
        (site / hidden / "config").write_text("left out" * 100)
    (deep / ".git").write_text("a file named .git is left out too")
    size = measure(site)
    assert size.tar_bytes == tar_as_the_workflow_makes_it(site, tmp_path / "site.tar")
    # A tar of blocks, not records: every member's bytes show, none padded away.
    unpadded = tar_as_the_workflow_makes_it(site, tmp_path / "blocks.tar", "--blocking-factor=1")
    assert measure(site, record=site_size.BLOCK).tar_bytes == unpadded
    assert size.files == 6
    assert size.file_bytes == 513 * 2 + sum(
        map(len, ["a name of exactly 100 bytes with ./", "and one of 101", "long"])
    )


def test_a_site_near_or_past_the_limit_is_said_so_with_an_annotation_on_github(
    seed_site, monkeypatch, capsys
):
    site = seed_site / "site"
    size = measure(site)
    tar = size.tar_bytes
    assert pages_message(size, limit=tar)[0] == "notice"  # at 100%, not past it
    assert pages_message(size, limit=tar - 1)[0] == "warning"

    def said(limit: int, github: bool) -> tuple[str, str]:
        monkeypatch.setattr(site_size, "PAGES_LIMIT", limit)
        if github:
            monkeypatch.setenv("GITHUB_ACTIONS", "true")
        else:
            monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        cli.log_site_size(site, StageClock())
        return capsys.readouterr()

    out, err = said(tar - 1, github=False)
    assert f"warning: the site's tar is {tar / 1e6:,.0f} MB: GitHub Pages supports" in err
    assert out == ""  # no annotation off GitHub
    out, err = said(tar - 1, github=True)
    assert out.startswith("::warning title=Site size::the site's tar is")

    out, err = said(round(tar / 0.9), github=True)  # 90% of the limit
    assert "notice: the site's tar is" in err and ", 90% of the" in err
    assert out.startswith("::notice title=Site size::")

    out, err = said(round(tar / 0.7), github=True)  # 70%: nothing to say
    assert "notice" not in err and "warning" not in err and out == ""


def test_a_site_that_cannot_be_measured_is_said_so_and_built_all_the_same(tmp_path, capsys):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    os.symlink("..", site / "a" / "up")  # a loop: GNU tar would archive it forever too
    cli.log_site_size(site, StageClock())
    assert "warning: the site's size could not be measured:" in capsys.readouterr().err
