"""Stage 3, enrich: clean text, links, keywords and tags for every paper."""

from __future__ import annotations

from .clean import clean_text, extract_links
from .keywords import KeywordCache, KeywordSettings, extract_keywords, keyword_text
from .models import Paper, Tag
from .stages import StageClock
from .tags import KEYWORDS_SHOWN, build_tags, is_candidate


def enrich(
    papers: list[Paper],
    cache: KeywordCache | None = None,
    settings: KeywordSettings | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    clock: StageClock | None = None,
) -> tuple[list[Tag], int]:
    """Fill text, links, keywords and tags in place; returns the tags and
    how many papers needed fresh keyword extraction."""
    clock = clock or StageClock()
    with clock.stage("clean"):
        for paper in papers:
            paper.text = clean_text(paper.abstract)
            paper.links = extract_links(paper.text)
        texts = [keyword_text(p.title, p.text) for p in papers]
    settings = settings or KeywordSettings()
    with clock.stage("keywords"):
        candidates, extracted = extract_keywords(texts, settings, cache, jobs, progress)
    with clock.stage("tags"):
        tags = assign_tags(papers, candidates)
    return tags, extracted


def assign_tags(papers: list[Paper], candidates: list[list[list]]) -> list[Tag]:
    paper_keywords = {}
    for paper, found in zip(papers, candidates, strict=True):
        keywords = [kw for kw, _score in found]
        paper.keywords = [kw for kw in keywords if is_candidate(kw)][:KEYWORDS_SHOWN]
        paper_keywords[paper.slug] = keywords
    tags, paper_tags = build_tags(paper_keywords)
    for paper in papers:
        paper.tags = paper_tags[paper.slug]
    return tags
