"""Publishing: the two GitHub workflows, run here as far as a machine can.

The workflows are linted (actionlint with shellcheck, zizmor offline), and
their own `run:` scripts are executed in throw-away projects, so a
workflow can't drift from the CLI: deploy.yml's build step builds the site
that the browser test then reads under a GitHub Pages sub-path, and
pr.yml's check step writes the job summary of a real pull request's dumps.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.build import Paths
from tests.browser import PageWatch, serving
from tests.conftest import ROOT, SEEDS, make_project, run_generator
from tests.test_parse import ABSTRACT, packed

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent  # the venv's bin: python, actionlint, zizmor, shellcheck
# What GitHub would put in the expressions, for a repository user/repo.
GITHUB = {
    "github.repository_owner": "user",
    "github.event.repository.name": "repo",
    "github.repository": "user/repo",
    "github.server_url": "https://github.com",
}
SITE_URL = "https://user.github.io/repo/"
REPO_URL = "https://github.com/user/repo"


def load_workflow(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def step(job: dict, name: str) -> dict:
    [found] = [s for s in job["steps"] if s.get("name") == name]
    return found


def expand(value: str, context: dict[str, str]) -> str:
    """${{ expr }} -> its value in context; an unknown expression is an error."""
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: context[m.group(1)], value)


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A `run:` script as GitHub runs it: bash -eo pipefail, with python on PATH."""
    full_env = dict(os.environ, **env, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
    )


def test_workflows_pass_actionlint_with_shellcheck():
    result = subprocess.run(
        [BIN / "actionlint", "-shellcheck", BIN / "shellcheck", "-pyflakes=", "-no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == ["deploy.yml", "pr.yml"]


def test_workflows_pass_zizmor_offline_with_no_finding():
    # The auditor persona reports everything, even informational findings.
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--persona", "auditor", "--no-progress", WORKFLOWS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_pr_workflow_runs_on_pull_request_with_read_only_rights():
    workflow = load_workflow("pr.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    # Pull request text reaches scripts only through env, never inline.
    for s in job["steps"]:
        assert "${{" not in s.get("run", "")
    assert "python3 tasks.py test" in step(job, "Tests")["run"]
    assert "python3 tasks.py test" in (ROOT / ".ci" / "run").read_text()


def test_deploy_workflow_triggers_and_permissions():
    workflow = load_workflow("deploy.yml")
    push = workflow["on"]["push"]
    assert push["branches"] == ["main"]
    assert {"dumps/**", "generator/**", "mkdocs.yml", "tags.yml"} <= set(push["paths"])
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["group"]
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    uses = [s.get("uses", "").split("@")[0] for j in jobs.values() for s in j["steps"]]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    # Every action is pinned to a full commit.
    for j in jobs.values():
        for s in j["steps"]:
            if "uses" in s:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"]), s["uses"]


@pytest.fixture(scope="module")
def deployed_site(tmp_path_factory, seed_site) -> Path:
    """The seeds built by deploy.yml's own build step, with its environment."""
    workflow = load_workflow("deploy.yml")
    job = workflow["jobs"]["build"]
    root = make_project(tmp_path_factory.mktemp("deploy"), seeds=True)
    paths = Paths.at(root)
    # The keyword cache as actions/cache would restore it (from the seed build).
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert root / cache["with"]["path"] == paths.cache
    shutil.copytree(Paths.at(seed_site).cache, paths.cache)
    env = {k: expand(v, GITHUB) for k, v in job["env"].items()}
    assert env == {"SITE_URL": SITE_URL, "REPO_URL": REPO_URL}
    result = run_step(step(job, "Build")["run"], root, env)
    assert result.returncode == 0, result.stderr
    assert "keywords extracted for 0 papers" in result.stderr  # the restored cache was used
    upload = next(s for s in job["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert root / upload["with"]["path"] == paths.site
    return paths.site


def test_deploy_build_sets_site_and_repo_url(deployed_site):
    home = (deployed_site / "index.html").read_text()
    assert f'<link rel="canonical" href="{SITE_URL}">' in home
    assert f'href="{REPO_URL}"' in home
    paper = next((deployed_site / "papers").iterdir()) / "index.html"
    assert f'<link rel="canonical" href="{SITE_URL}papers/{paper.parent.name}/">' in (
        paper.read_text()
    )
    # The 404 page is served at any depth, so it links its assets absolutely.
    assert 'href="/repo/assets/' in (deployed_site / "404.html").read_text()


def test_pr_builds_the_same_way_deploy_does():
    pr_job = next(iter(load_workflow("pr.yml")["jobs"].values()))
    deploy_job = load_workflow("deploy.yml")["jobs"]["build"]
    for name in ("Install", "Build"):
        assert step(pr_job, name)["run"] == step(deploy_job, name)["run"]
    # The pull request reads the keyword cache that deploy saves, and only reads it.
    restore = step(pr_job, "Restore the keyword cache")
    save = step(deploy_job, "Restore the keyword cache")
    assert restore["uses"].startswith("actions/cache/restore@")
    assert restore["with"] == save["with"]
    uploads = [s for s in pr_job["steps"] if "upload-artifact" in s.get("uses", "")]
    assert [u["with"]["path"] for u in uploads] == ["site"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def pull_request(tmp_path: Path, added: dict[str, str]) -> tuple[Path, str]:
    """A repository whose base commit has the seeds but the newest, and whose
    head commit adds `added` (and changes nothing else)."""
    tmp_path.mkdir()
    root = make_project(tmp_path, seeds=True)
    newest = root / "dumps" / SEEDS[-1].name
    newest_text = newest.read_text()
    newest.unlink()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    for name, text in added.items():
        (root / "dumps" / name).write_text(text.replace("{newest}", newest_text))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "add dumps", "--allow-empty")
    return root, base


def run_check_step(root: Path, base: str, tmp_path: Path) -> tuple[int, str]:
    job = next(iter(load_workflow("pr.yml")["jobs"].values()))
    check = step(job, "Check the dumps this pull request adds or changes")
    assert check["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"}
    summary = tmp_path / "summary.md"
    summary.write_text("")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {"BASE_SHA": base, "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(runner_temp)}
    result = run_step(check["run"], root, env)
    return result.returncode, summary.read_text()


def test_pr_check_step_summarises_the_added_dump(tmp_path):
    root, base = pull_request(tmp_path / "repo", {SEEDS[-1].name: "{newest}"})
    code, summary = run_check_step(root, base, tmp_path)
    assert code == 0
    added = str(root / "dumps" / SEEDS[-1].name)
    expected = run_generator(root, "check", "--format", "markdown", added)
    assert summary == expected.stdout.replace(str(root) + "/", "")
    assert f"dumps/{SEEDS[-1].name}" in summary and "New papers" in summary


def test_pr_check_step_fails_on_a_broken_dump_and_names_its_line(tmp_path):
    broken = packed(("Kept", ABSTRACT), ("Lost at the end", ABSTRACT)).rsplit("\n", 1)[0]
    root, base = pull_request(tmp_path / "repo", {"005_broken.txt": broken})
    code, summary = run_check_step(root, base, tmp_path)
    assert code != 0
    assert "dumps/005_broken.txt:5" in summary and "1 error(s)" in summary
    assert SEEDS[-1].name not in summary  # only what the pull request touches


def test_pr_check_step_with_no_dump_says_so(tmp_path):
    root, base = pull_request(tmp_path / "repo", {})
    code, summary = run_check_step(root, base, tmp_path)
    assert code == 0 and summary.strip() == "No dump added or changed."


def assert_styled(page, base: str) -> None:
    """Material's and the archive's stylesheets loaded from under base."""
    sheets = page.evaluate(
        "[...document.styleSheets].filter(s => s.href).map(s => [s.href, s.cssRules.length])"
    )
    assert sheets and all(href.startswith(base) and rules > 0 for href, rules in sheets), sheets
    assert any(href.endswith("assets/archive.css") for href, _ in sheets)
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in (
        "sticky",
        "fixed",
    )


@pytest.mark.browser
def test_site_works_under_a_github_pages_sub_path(deployed_site, browser):
    with serving(deployed_site, "repo") as base:
        context = browser.new_context()
        watch = PageWatch(context, base)  # aborts and records requests leaving the site
        page = context.new_page()
        watch.attach(page)
        failed: list[str] = []
        page.on(
            "response",
            lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

        def follow(selector: str) -> str:
            with page.expect_navigation() as nav:
                page.click(selector)
            response = nav.value
            assert response.status == 200, response.url
            assert response.url.startswith(base)
            assert_styled(page, base)
            return page.inner_text("h1")

        response = page.goto(base)
        assert response.status == 200
        assert page.inner_text("h1") == "Paper archive"
        assert_styled(page, base)
        assert follow(".pa-stats a[href='tags/']") == "Tags"
        tag = page.inner_text(".pa-tag-index a >> nth=0")
        assert follow(".pa-tag-index a >> nth=0") == tag
        title = page.inner_text(".pa-item__title >> nth=0")
        assert follow(".pa-item__title >> nth=0") == title
        dump = page.inner_text(".pa-paper__dumps a >> nth=0")
        assert follow(".pa-paper__dumps a >> nth=0") == f"Dump {dump}"
        assert title in page.inner_text(".pa-items")

        # Search (Pagefind loads its index from under the sub-path) finds
        # the paper by its title, and its result leads to the paper's page.
        page.click(".pa-search-open")
        status = page.locator(".pa-search__status").text_content()
        page.fill(".pa-search__input", title)
        page.wait_for_function(
            "before => document.querySelector('.pa-search__status').textContent !== before"
            " && !document.querySelector('.pa-search').hasAttribute('aria-busy')",
            arg=status,
        )
        results = page.locator(".pa-search__title").all_inner_texts()
        assert title in results
        position = results.index(title)
        assert follow(f".pa-search__title >> nth={position}") == title
        assert failed == []

        # A missing page gets the styled 404 page, at any depth.
        response = page.goto(base + "papers/no-such-paper/")
        assert response.status == 404
        assert page.inner_text("h1") == "404 - Not found"
        assert_styled(page, base)
        # Only Material's fetch of the repository's star count tried to leave.
        assert all(url.startswith("https://api.github.com/") for url in watch.outside)
        assert watch.dialogs == [] and watch.page_errors == []
        context.close()
