"""Stage 3, enrich: clean text, links, keywords and tags for every paper."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from . import collector
from .clean import clean_abstract
from .freshness import text_digest
from .keywords import (
    KeywordCache,
    KeywordSettings,
    cache_keys,
    extract_keywords,
    keyword_text,
    keyword_title,
)
from .memo import Memo
from .models import Paper, Tag
from .stages import StageClock
from .tag_rules import TagRules
from .tags import TagResult, build_tags
from .workers import LOW_PRIORITY, Alongside, job_count

FEW_NEW = 0.9  # a keyword cache with entries for this share of the papers: a rebuild


def enrich(
    papers: list[Paper],
    cache: KeywordCache | None = None,
    settings: KeywordSettings | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    clock: StageClock | None = None,
    rules: TagRules | None = None,
    tag_counts: Path | None = None,
    term_counts: Path | None = None,
    memo: Memo | None = None,
    pending: list[Alongside] | None = None,
) -> tuple[list[Tag], int]:
    """Fill text, links, keywords, tags and related papers in place; returns the tags and
    how many papers needed fresh keyword extraction. The keyword cache is
    saved by another process once keywords are extracted, and emptied here
    (KeywordCache.release).
    tag_counts, term_counts: where the tags stage keeps its corpus counts,
    and related papers each text's term counts, between builds. memo:
    keeps the cleaned texts for the next build (saved once they are all
    made). pending: on a rebuild, where to put the saves of the keyword
    cache and the tags stage's counts, which other processes make at the
    lowest priority meanwhile, for the caller to wait for
    (Alongside.result); without it, or on a cold build, enrich waits for
    them itself."""
    clock = clock or StageClock()
    with clock.stage("clean"):
        memo = memo or Memo()
        cleaned = memo.wrap("clean", clean_abstract, key=text_digest)
        spell = memo.wrap("keyword title", keyword_title)
        for paper in papers:
            paper.text, links = cleaned(paper.abstract)
            paper.links = list(links)
        texts = [keyword_text(p.title, p.text, spell) for p in papers]
        memo.save()
    settings = settings or KeywordSettings()
    # Related papers need only the texts: on a large archive they are found
    # in another process from here on. On a cold build they are done while
    # YAKE still runs, and that process has ended, with its memory, before
    # the tags stage forks its own; on a warm one they run beside the tags
    # stage. The "related" stage is what is left to wait for. jobs caps the
    # processes of the tags stage and related papers too; a small archive
    # stays in this process.
    workers = job_count(len(papers), None)
    if jobs is not None:
        workers = max(1, min(jobs, workers))
    # On a rebuild that adds a few papers, the related papers keep a core
    # of their own all through the tags stage, whose passes have the rest:
    # on 2 cores they run in this process. Forking two workers from the
    # build process (700 MB at 20,000 papers) for each pass cost more in
    # copied pages than they saved: at 20,000 + 200 papers the generator
    # stages took 9.6-10.1 s this way against 11.5-12.3 s, the related
    # papers' wait after the tags stage gone. (More cores were not
    # measured.) A cold build keeps related papers at YAKE's side, so
    # that their process ends, with its memory, before the tags stage
    # forks its own.
    few_new = cache is not None and len(cache.entries) >= FEW_NEW * len(papers)
    tag_passes = max(1, workers - 1) if few_new else workers
    nice = LOW_PRIORITY if few_new else 0  # the saves' priority (below)
    # The caches are written by other processes. On a rebuild, at the lowest
    # priority, on the cores the build's own work leaves idle, and waited
    # for last: the next build needs them, not this one (the keyword
    # cache's JSON and the tags stage's counts: about 2 CPU-s at 20,000 +
    # 200 papers). A cold build waits for them before rendering: a saving
    # process holds a copy of each page it reads, and at 50,000 papers the
    # render stage's memory on top of it made 3.2 GB (2.0 GB without).
    saves: list[Alongside] = []
    try:
        with ExitStack() as running:

            def find_related() -> Alongside:
                apart = workers > 1  # Alongside forks
                finding = Alongside(_related_papers, papers, term_counts, apart, jobs=workers)
                return running.enter_context(finding)

            # A rebuild's few new papers get both cores for YAKE, and the
            # related papers start after: they still end before the tags
            # stage (20,000 + 200 papers: keywords 0.62-0.72 s -> 0.38-0.40 s,
            # the stages' median 10.46 -> 10.23 s over 5 alternating runs).
            finding = None if few_new else find_related()
            with clock.stage("keywords"):
                # YAKE's candidates, best first, with the terms YAKE cannot see
                # (GPT-4, 3D, mixture-of-experts), cached together.
                terms = [(p.title, p.text) for p in papers]
                # A paper's cache key hashes everything its keywords come
                # from: the tags stage takes it as the paper's digest
                # (0.06-0.17 s fewer at 20,200 papers than hashing the text,
                # title and keywords again).
                keys = cache_keys(settings, texts, terms)
                found, extracted = extract_keywords(
                    texts, settings, cache, jobs, progress, terms, keys
                )
            finding = finding or find_related()
            if cache is not None:
                with clock.stage("keyword cache"):
                    saves.append(Alongside(cache.save, jobs=workers, nice=nice))
                    cache.release()
            with clock.stage("tags"):
                tagged = assign_tags(
                    papers, texts, found, rules, progress, workers, tag_counts, few_new, tag_passes,
                    keys,
                )  # fmt: skip
                saves += tagged.saving
            with clock.stage("related"):
                related = finding.result()
    finally:
        if pending is None or not few_new:
            for save in saves:
                save.result()
        else:
            pending.extend(saves)
    for paper in papers:
        paper.related = related[paper.slug]
    return tagged.tags, extracted


def _related_papers(
    papers: list[Paper], term_counts: Path | None, apart: bool
) -> dict[str, list[str]]:
    """related.related_papers, imported by the process that runs it: numpy
    and scipy take 0.15 s to import, which the build process need not pay.
    apart: in a process of its own, which may keep the memory it frees."""
    from .related import RELATED_SHOWN, related_papers

    if apart:
        collector.reuse_freed_memory()
    return related_papers(papers, RELATED_SHOWN, term_counts)


def assign_tags(
    papers: list[Paper],
    texts: list[str],
    keywords: list[list[str]],
    rules: TagRules | None,
    progress: bool | None = None,
    jobs: int | None = None,
    counts_cache: Path | None = None,
    save_later: bool = False,
    pass_jobs: int | None = None,
    keys: list[str] | None = None,
) -> TagResult:
    """Fill each paper's tags and shown keywords. With save_later, the kept
    counts may still be being saved (counts_cache): TagResult.saving.
    pass_jobs: processes for the tags stage's passes (default: jobs). keys:
    the papers' keyword cache keys (keywords.cache_keys), their digests
    for the kept counts."""
    paper_keywords, paper_texts, paper_titles = {}, {}, {}
    for paper, text, found in zip(papers, texts, keywords, strict=True):
        paper_keywords[paper.slug] = found
        paper_texts[paper.slug] = text
        paper_titles[paper.slug] = paper.title
    result = build_tags(
        paper_keywords,
        paper_texts,
        paper_titles,
        rules,
        jobs,
        progress,
        counts_cache,
        save_later,
        pass_jobs,
        paper_digests=dict(zip(paper_keywords, keys, strict=True)) if keys else None,
    )
    for paper in papers:
        paper.tags = result.paper_tags[paper.slug]
        paper.keywords = result.paper_keywords[paper.slug]
    return result
