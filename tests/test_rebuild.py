"""Rebuilding site_src/: unchanged pages are not rewritten, pages of papers
that left the archive go, and the result is exactly what a fresh build
writes. Real generate() runs on two seed dumps."""

from __future__ import annotations

import errno
import gc
import os
from pathlib import Path

import pytest

import generator.build
import generator.render
import generator.render_runs
from generator import collector, tag_counts
from generator.build import BuildError, Paths, generate
from generator.merge import paper_key
from generator.parse import read_dumps
from generator.render import GENERATED_DIRS, GENERATED_FILES
from generator.writer import generated_files
from tests.project import SEEDS, make_project

KEPT, REMOVED = SEEDS[1], SEEDS[3]  # the two smaller seed dumps
OLD = 1_000_000_000  # an mtime no write today can produce


def project(folder: Path, dumps: list[Path]) -> Path:
    return make_project(folder, {d.name: d.read_text(encoding="utf-8") for d in dumps})


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None), by relative path."""
    return {
        p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_of_the_same_dumps_rewrites_no_file(tmp_path, jobs):
    root = project(tmp_path / "p", [KEPT, REMOVED])
    generate(Paths.at(root), jobs=jobs)
    files = [p for p in (root / "site_src").rglob("*") if p.is_file()]
    assert len(files) > 300
    for path in files:
        os.utime(path, ns=(OLD * 10**9, OLD * 10**9))
    before = tree(root / "site_src")
    # Without the record of the last build, every stage runs again.
    Paths.at(root).manifest.unlink()

    report = generate(Paths.at(root), jobs=jobs)

    assert report.archive is not None  # the stages ran and wrote
    assert (report.pages.changed, report.pages.deleted) == (0, 0)
    generated = generated_files(root / "site_src", GENERATED_DIRS, GENERATED_FILES)
    assert report.pages.unchanged == len(generated) > 300
    assert tree(root / "site_src") == before
    rewritten = [p for p in files if p.stat().st_mtime_ns != OLD * 10**9]
    assert rewritten == []


def test_a_removed_dump_takes_its_papers_pages_away_as_a_fresh_build_would(tmp_path):
    root = project(tmp_path / "p", [KEPT, REMOVED])
    generate(Paths.at(root))
    (root / "site_src" / "papers" / "hand-made-leftover.md").write_text("stale\n")
    kept_titles = {
        paper_key(e.title)
        for d in read_dumps(root / "dumps")
        if d.name == KEPT.stem
        for e in d.entries
    }
    gone = {
        paper_key(e.title): e.title
        for d in read_dumps(root / "dumps")
        if d.name == REMOVED.stem
        for e in d.entries
        if paper_key(e.title) not in kept_titles
    }
    assert gone
    pages_before = set(tree(root / "site_src" / "papers"))

    (root / "dumps" / REMOVED.name).unlink()
    generate(Paths.at(root))  # a dump less: the stages run
    fresh = project(tmp_path / "fresh", [KEPT])
    generate(Paths.at(fresh))

    assert tree(root / "site_src") == tree(fresh / "site_src")
    pages_after = set(tree(root / "site_src" / "papers"))
    assert len(pages_before - pages_after) == len(gone) + 1  # and the leftover
    assert not (root / "site_src" / "dumps" / f"{REMOVED.stem}.md").exists()


def test_pages_rendered_by_two_processes_are_the_bytes_one_process_writes(tmp_path):
    one = project(tmp_path / "one", [KEPT, REMOVED])
    two = project(tmp_path / "two", [KEPT, REMOVED])
    generate(Paths.at(one), jobs=1)
    generate(Paths.at(two), jobs=2)  # forked workers render runs of the pages
    pages = tree(one / "site_src")
    assert len([p for p in pages if p.startswith("papers/")]) > 100
    assert tree(two / "site_src") == pages
    assert not (Paths.at(two).cache / "pages.new").exists()  # the staging folder


def test_a_page_failing_in_a_worker_leaves_site_src_as_it_was(tmp_path, monkeypatch):
    root = project(tmp_path / "p", [KEPT])
    generate(Paths.at(root), jobs=2)
    before = tree(root / "site_src")
    (root / "dumps" / REMOVED.name).write_text(REMOVED.read_text(encoding="utf-8"))
    victim = sorted(
        p.stem for p in (root / "site_src" / "papers").glob("*.md") if p.stem != "index"
    )[-1]  # in the last run, rendered after other runs have staged their pages
    make_env = generator.render.make_env

    def broken_env():
        env = make_env()
        get_source = env.loader.get_source

        def get(environment, name):
            source, path, uptodate = get_source(environment, name)
            if name == "paper.md.j2":
                source += (
                    f"{{% if paper.slug == '{victim}' %}}{{{{ ctx.no_such_thing }}}}{{% endif %}}"
                )
            return source, path, uptodate

        env.loader.get_source = get
        return env

    monkeypatch.setattr(generator.render, "make_env", broken_env)  # forked workers inherit it
    with pytest.raises(BuildError, match="rendering pages failed: UndefinedError.*no_such_thing"):
        generate(Paths.at(root), jobs=2)
    assert tree(root / "site_src") == before
    assert not (Paths.at(root).cache / "pages.new").exists()


def test_a_changed_page_replaces_a_symlink_in_its_way_without_writing_through_it(
    tmp_path, monkeypatch
):
    """Changed pages are staged, then written over the old files: a
    symlink where a page goes is replaced, and the file it points to is
    untouched."""
    root = project(tmp_path / "p", [KEPT])
    generate(Paths.at(root))
    outside = tmp_path / "outside.md"
    outside.write_text("not the archive's\n")
    page = root / "site_src" / "dumps" / "index.md"
    page.unlink()
    page.symlink_to(outside)
    (root / "dumps" / REMOVED.name).write_text(REMOVED.read_text(encoding="utf-8"))
    written_over: list[str] = []
    copy_over = generator.render_runs.copy_over

    def counted(source, offset, size, path):
        written_over.append(path)
        copy_over(source, offset, size, path)

    monkeypatch.setattr(generator.render_runs, "copy_over", counted)
    report = generate(Paths.at(root))
    monkeypatch.undo()

    fresh = project(tmp_path / "fresh", [KEPT, REMOVED])
    generate(Paths.at(fresh))
    assert tree(root / "site_src") == tree(fresh / "site_src")
    assert not page.is_symlink() and outside.read_text() == "not the archive's\n"
    assert report.pages.changed > 100
    assert len(written_over) == report.pages.changed
    assert not (Paths.at(root).cache / "pages.new").exists()


def test_an_added_dump_writes_from_the_kept_tag_counts_what_a_fresh_build_writes(
    tmp_path, monkeypatch
):
    """The tags stage keeps its corpus counts in .cache/ and, when a dump
    adds papers, counts only what is new (tag_counts.py): the pages are
    those of a build that counted everything."""
    root = project(tmp_path / "p", [KEPT])
    cache = Paths.at(root).cache
    cache.mkdir(parents=True)
    (cache / "tag-counts.pickle").write_bytes(b"a state as saved by older code")
    generate(Paths.at(root))
    assert (cache / "tag-counts.marshal").stat().st_size > 10_000
    assert not (cache / "tag-counts.pickle").exists()  # not left to grow the kept cache
    (root / "dumps" / REMOVED.name).write_text(REMOVED.read_text(encoding="utf-8"))
    plans = []
    real_plan = tag_counts.plan
    monkeypatch.setattr(tag_counts, "plan", lambda *a: plans.append(real_plan(*a)) or plans[-1])
    generate(Paths.at(root))
    monkeypatch.undo()
    fresh = project(tmp_path / "fresh", [KEPT, REMOVED])
    generate(Paths.at(fresh))

    (update,) = plans
    assert update is not None and len(update.new) > 50 and update.delta.keys
    assert tree(root / "site_src") == tree(fresh / "site_src")


def test_an_abstract_edited_in_its_dump_makes_the_tags_stage_count_from_scratch(
    tmp_path, monkeypatch
):
    """The tags stage knows each paper by its keyword cache key (a hash of
    its title, its text and the extractor's settings): a paper whose
    abstract changed is not taken for the one the kept counts hold. The
    pages are a fresh build's."""
    root = project(tmp_path / "p", [KEPT])
    generate(Paths.at(root))
    dump = root / "dumps" / KEPT.name
    entry = read_dumps(root / "dumps")[0].entries[3]
    raw = dump.read_text(encoding="utf-8")
    end = entry.abstract[-60:]
    assert raw.count(end) == 1
    dump.write_text(raw.replace(end, end + " We also study sparse zebra autoencoders (SZAs)."))
    plans = []
    real_plan = tag_counts.plan
    monkeypatch.setattr(tag_counts, "plan", lambda *a: plans.append(real_plan(*a)) or plans[-1])
    generate(Paths.at(root))
    monkeypatch.undo()
    fresh = make_project(tmp_path / "fresh", {KEPT.name: dump.read_text(encoding="utf-8")})
    generate(Paths.at(fresh))

    assert plans == [None]  # an edited paper: counted from scratch
    assert tree(root / "site_src") == tree(fresh / "site_src")


def test_pages_the_last_build_rendered_from_the_same_inputs_are_not_rendered_again(
    tmp_path, monkeypatch
):
    """A paper, tag, dump or code page, or a tag's feed, whose inputs did not
    change is left alone, unless its file is no longer what the last build wrote:
    then it is rendered again. The result is a fresh build's."""
    root = project(tmp_path / "p", [KEPT, REMOVED])
    generate(Paths.at(root))
    edited = sorted((root / "site_src" / "papers").glob("*.md"))[0]
    edited.write_text("edited by hand\n")
    with open(root / "tags.yml", "a") as rules:
        rules.write("# a comment: the stages run again, no page changes\n")
    checked = {}
    real = generator.render_runs._as_left

    def as_left(job, rel):
        checked[rel] = real(job, rel)
        return checked[rel]

    monkeypatch.setattr(generator.render_runs, "_as_left", as_left)
    report = generate(Paths.at(root), jobs=1)
    monkeypatch.undo()
    fresh = project(tmp_path / "fresh", [KEPT, REMOVED])
    generate(Paths.at(fresh))

    assert tree(root / "site_src") == tree(fresh / "site_src")
    assert report.pages.changed == 1
    assert checked.pop(f"papers/{edited.name}") is False
    papers_and_tags = len(list((root / "site_src").glob("papers/*.md")))
    papers_and_tags += len(list((root / "site_src").glob("tags/*.md"))) - 1  # not the index
    feeds = len(list((root / "site_src").glob("feeds/tags/*.xml"))) - 1  # not the sitemap
    assert feeds == papers_and_tags - len(list((root / "site_src").glob("papers/*.md")))
    dumps = len(list((root / "site_src").glob("dumps/*.md"))) - 1  # not the index
    assert dumps == 2
    code = 1 + len(list((root / "site_src").glob("code/*.md")))  # code.md, its older pages
    assert list(checked.values()) == [True] * (papers_and_tags + feeds + dumps + code - 1)


@pytest.mark.parametrize("kernel_copy", ["copy_file_range", "cross-device", "none"])
def test_a_page_written_over_an_old_file_is_exactly_the_new_page(
    tmp_path, monkeypatch, kernel_copy
):
    """Staged pages are copied into the old file, which is then cut to
    length: a shorter page leaves nothing of the longer old one. Where
    the kernel cannot copy between the files (another file system, no
    copy_file_range), the bytes are read and written instead."""
    from generator.render_runs import copy_over

    if kernel_copy == "cross-device":

        def refused(*args):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refused)
    elif kernel_copy == "none":
        monkeypatch.delattr(os, "copy_file_range")
    pages = [b"new page\n", b"a longer page than before\n" * 3, b"no file was there\n"]
    staged = tmp_path / "run-0"
    staged.write_bytes(b"".join(pages))
    page = tmp_path / "page.md"
    page.write_bytes(b"old page, longer than the new one\n" * 100)
    with open(staged, "rb") as source:
        copy_over(source.fileno(), 0, len(pages[0]), str(page))
        assert page.read_bytes() == pages[0]
        copy_over(source.fileno(), len(pages[0]), len(pages[1]), str(page))
        assert page.read_bytes() == pages[1]
        new = tmp_path / "new.md"
        copy_over(source.fileno(), len(pages[0]) + len(pages[1]), len(pages[2]), str(new))
        assert new.read_bytes() == pages[2]
        with pytest.raises(OSError, match="ends early"):
            copy_over(source.fileno(), len(pages[0]), 1000, str(page))


def test_the_stages_run_with_the_collector_paused_and_leave_it_on(tmp_path, monkeypatch):
    """collector.py: a collection walks the objects the stages hold (a full
    one 0.2-0.4 s at 20,000 papers) to free next to none; the collector is
    on again after the stages, and after a failed build too."""
    root = project(tmp_path / "p", [KEPT])
    collected: list[int] = []
    during: list[tuple[bool, int]] = []  # per build: collector on in the stages? collections

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collected.append(info["generation"])

    def stages(*args):
        before, on = len(collected), gc.isenabled()
        try:
            return real(*args)
        finally:
            during.append((on, len(collected) - before))

    real = generator.build._generate
    monkeypatch.setattr(generator.build, "_generate", stages)
    gc.callbacks.append(seen)
    try:
        generate(Paths.at(root), jobs=1)
        assert gc.isenabled()
        (root / "dumps" / KEPT.name).write_text("<html><body>not a dump</body></html>\n")
        with pytest.raises(BuildError):
            generate(Paths.at(root), jobs=1)
        assert gc.isenabled()
        gc.collect()
        assert collected[-1] == 2  # the callback is live
    finally:
        gc.callbacks.remove(seen)
    assert during == [(False, 0), (False, 0)]


def test_a_rebuild_in_a_process_that_goes_on_keeps_none_of_its_memory(tmp_path, monkeypatch):
    """The tags stage of a rebuild asks to keep its structures till the
    process ends (collector.keep): that holds only in the command line's
    build process, which ends with the build (build.generate_apart). Any
    other caller, such as a server or these tests, gets each build's
    memory back."""
    root = project(tmp_path / "p", [KEPT])
    generate(Paths.at(root))
    dump = root / "dumps" / KEPT.name
    dump.write_text(dump.read_text(encoding="utf-8").replace(" the ", " a ", 1), encoding="utf-8")
    asked: list[int] = []
    real_keep = collector.keep
    monkeypatch.setattr(
        collector, "keep", lambda *kept: asked.append(len(kept)) or real_keep(*kept)
    )
    generate(Paths.at(root))
    assert asked  # a rebuild: its savers ran beside the build and it asked
    assert collector._kept == []
