"""Work in forked processes (generator/workers.py): the same result as in
this process, and a failure there is an error here, never a hang."""

import os
import time

import psutil
import pytest

from generator import enrich as enrich_module
from generator import workers
from generator.clean import clean_text
from generator.enrich import enrich
from generator.keywords import KeywordCache
from generator.merge import merge_entries
from generator.parse import read_dumps
from generator.related import related_papers
from generator.tags import build_tags
from generator.workers import Alongside
from tests.test_keywords import SEED_DUMPS


def test_related_papers_found_alongside_are_those_found_here():
    papers, _ = merge_entries(read_dumps(SEED_DUMPS))
    for paper in papers:
        paper.text = clean_text(paper.abstract)
    finding = Alongside(related_papers, papers, jobs=2)
    here = related_papers(papers)
    assert finding.result() == here and len(here) == len(papers) > 500


def test_alongside_runs_in_another_process_unless_one_job():
    assert Alongside(os.getpid, jobs=2).result() != os.getpid()
    assert Alongside(os.getpid, jobs=1).result() == os.getpid()


def test_alongside_with_nice_runs_at_a_lower_priority():
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert Alongside(os.getpriority, os.PRIO_PROCESS, 0, jobs=2).result() == mine
    lower = Alongside(os.getpriority, os.PRIO_PROCESS, 0, jobs=2, nice=5).result()
    assert lower == min(mine + 5, 19)


@pytest.mark.parametrize("cores", [2, 4])
def test_a_rebuild_keeps_a_core_for_the_related_papers(monkeypatch, tmp_path, cores):
    # Cold, the tags stage's passes take every core once the related papers
    # (beside YAKE) are done; on a rebuild (keywords cached for the papers)
    # the related papers keep a core of their own (on 2 cores the passes
    # run in the build process), and the caches are saved at the lowest
    # priority.
    monkeypatch.setattr(workers, "MIN_PAPERS_PER_JOB", 100)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: cores)
    related, saves, passes = [], [], []

    def recorded(fn, *args, **options):
        (related if fn is enrich_module._related_papers else saves).append(options.get("nice", 0))
        return Alongside(fn, *args, **options)

    def tags(*args, **options):
        passes.append(args[-1])
        return build_tags(*args, **options)

    monkeypatch.setattr(enrich_module, "Alongside", recorded)
    monkeypatch.setattr(enrich_module, "build_tags", tags)
    cache_file = tmp_path / "keywords.json"
    for _ in range(2):
        papers, _ = merge_entries(read_dumps(SEED_DUMPS))
        cache = KeywordCache(cache_file)
        enrich(papers, cache)
        # saved by a forked process, while the tags stage ran
        assert len(KeywordCache(cache_file).entries) == len(papers)
    assert related == [0, 0]
    assert passes == [cores, cores - 1]
    assert saves == [0, enrich_module.LOW_PRIORITY]


def test_an_error_in_the_other_process_is_raised_with_its_message():
    def broken(name):
        raise ValueError(f"no text in {name}")

    with pytest.raises(RuntimeError, match=r"broken failed:(.|\n)*ValueError: no text in d1.txt"):
        Alongside(broken, "d1.txt", jobs=2).result()


def test_a_process_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="_exit ended without a result .exit code 3"):
        Alongside(os._exit, 3, jobs=2).result()


def test_a_process_ends_when_done_not_when_its_result_is_read():
    """Related papers finish long before the tags stage asks for them: the
    process must end then, giving its memory back, even with a result far
    larger than a pipe holds."""
    before = set(psutil.Process().children())
    finding = Alongside(bytes, 10_000_000, jobs=2)
    (child,) = set(psutil.Process().children()) - before
    deadline = time.monotonic() + 60
    while child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "still running a minute after its work"
        time.sleep(0.05)
    assert finding.result() == bytes(10_000_000)


def test_a_caller_that_fails_first_leaves_no_process_behind():
    before = set(psutil.Process().children())
    with pytest.raises(KeyError), Alongside(time.sleep, 60, jobs=2):
        (child,) = set(psutil.Process().children()) - before
        raise KeyError("the tags stage failed")
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize("jobs, forks", [(1, False), (2, True)])
def test_jobs_sets_the_processes_of_every_stage(monkeypatch, jobs, forks):
    # `build --jobs 1` must fork nothing (keywords, tags, related papers);
    # with the threshold lowered, the seed archive counts as large enough
    # to fork for, so --jobs 2 does.
    papers, _ = merge_entries(read_dumps(SEED_DUMPS))
    monkeypatch.setattr(workers, "MIN_PAPERS_PER_JOB", 100)
    real_fork, children = os.fork, []

    def counted_fork():
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    tags, extracted = enrich(papers, jobs=jobs)
    assert extracted == len(papers) and len(tags) > 50
    assert bool(children) == forks, children


def test_enrich_gives_the_same_papers_on_one_process_and_on_two(monkeypatch):
    # The threshold lowered, as above: special terms, the tag passes and
    # related papers run in forked workers with jobs=2.
    monkeypatch.setattr(workers, "MIN_PAPERS_PER_JOB", 100)
    results = []
    for jobs in (1, 2):
        papers, _ = merge_entries(read_dumps(SEED_DUMPS))
        tags, _ = enrich(papers, jobs=jobs)
        results.append((tags, [(p.slug, p.keywords, p.tags, p.related) for p in papers]))
    assert len(results[0][0]) > 50
    assert results[1] == results[0]


def _slow_pid_run(state, start: int, end: int) -> list[tuple[int, int]]:
    time.sleep(state)  # long enough for both workers to take runs
    return [(i, os.getpid()) for i in range(start, end)]


def test_map_runs_gives_every_run_in_order_from_two_workers():
    ticks = []
    runs = workers.map_runs(_slow_pid_run, 0.05, 40, 2, ticks.append)
    items = workers.joined(runs)
    assert [i for i, _ in items] == list(range(40))
    pids = {pid for _, pid in items}
    assert os.getpid() not in pids and len(pids) == 2
    assert sum(ticks) == 40  # the progress bar counts every paper once


def _failing_run(state, start: int, end: int) -> list:
    if os.getpid() != state:
        raise ValueError(f"run {start}-{end} failed in a worker")
    return []  # in this process: no failure to see


def test_map_runs_raises_here_what_failed_in_a_worker():
    with pytest.raises(ValueError, match="failed in a worker"):
        workers.map_runs(_failing_run, os.getpid(), 40, 2)
