"""Stage 3b, keywords: YAKE candidates per paper, cached and in parallel.

The extractor is yake-rust, YAKE compiled: about 3.5 ms a paper where
Python yake takes 25 ms (on the seeds), with candidate lists that agree
with Python yake's (tests/test_keywords.py measures how far). Results are
still cached by a hash of the extractor settings and the paper's text, so a
rebuild only pays for new or changed papers, and the misses are spread over
all cores.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata, util
from pathlib import Path

import yake_rust

from .progress import progress_bar

# Python yake's English list: the extractor and the tag step must agree on
# what a stopword is. Found without importing yake, which imports networkx
# and numpy: 0.2 s of every build.
_YAKE = Path(util.find_spec("yake").origin).parent
STOPWORDS = frozenset(
    (_YAKE / "core" / "StopwordsList" / "stopwords_en.txt")
    .read_text(encoding="utf-8", errors="ignore")
    .split()
)


@dataclass(frozen=True)
class KeywordSettings:
    max_ngram: int = 3
    candidates: int = 60  # asked of YAKE; the tag step keeps far fewer
    dedup_lim: float = 0.8
    window_size: int = 1
    version: int = 5  # bump when keyword_text(), the post-processing or the cache's entries change
    extractor: str = f"yake-rust {metadata.version('yake-rust')}"


def _lower_part(part: str) -> str:
    rest = part[1:]
    if part[:1].isupper() and rest == rest.lower() and not any(c.isdigit() for c in part):
        return part.lower()
    return part


def sentence_case(title: str) -> str:
    """Lower-case capitalised words so title capitals do not dominate YAKE;
    each part of a hyphenated word counts ("Large-Scale" -> "large-scale");
    acronyms and mixed-case names (LLMs, GPT-4, DeepSeek) stay."""
    words = title.split()
    out = words[:1]
    for word in words[1:]:
        out.append("-".join(_lower_part(part) for part in word.split("-")))
    return " ".join(out)


def keyword_title(title: str) -> str:
    return sentence_case(title).rstrip(".:;!? ")


def keyword_text(title: str, text: str, spell: Callable[[str], str] = keyword_title) -> str:
    """What YAKE reads. spell: keyword_title, or a memo of it (memo.py)."""
    return f"{spell(title)}. {text}"


# YAKE drops tokens that mix digits and letters (GPT-4, 3D) and tokens with
# two hyphens or more (mixture-of-experts, text-to-image).
SPECIAL = re.compile(
    r"(?<![\w-])(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+){2,}"
    r"|(?=[\w-]*[0-9])(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(?![\w-])"
)
# Counts and sizes are not topics: 7B, 100K, 2x, 1st, 10-fold, 2024a.
MEASURE = re.compile(r"^[0-9][0-9.,]*(?:[kmbtKMBTxX%]|st|nd|rd|th|fold|[a-z])?$|^[A-Za-z]?[0-9]+$")
NEXT_WORD = re.compile(r"\s+([A-Za-z][A-Za-z-]*)")


def special_terms(title: str, text: str) -> list[str]:
    """Terms YAKE cannot produce, alone and with up to two following words
    ("text-to-image diffusion models"), kept when they are in the title or
    said twice; in text order."""
    title = sentence_case(title)
    both = f"{title}. {text}"
    found: dict[str, int] = {}  # lower-cased phrase -> times seen
    spelled: dict[str, str] = {}  # lower-cased phrase -> first spelling
    for match in SPECIAL.finditer(both):
        token = match.group(0)
        if MEASURE.match(token.replace("-", "")):
            continue
        phrase, end = token, match.end()
        phrases = [phrase]
        for _ in range(2):
            nxt = NEXT_WORD.match(both, end)
            if not nxt or nxt.group(1).lower() in STOPWORDS:
                break
            phrase, end = f"{phrase} {nxt.group(1)}", nxt.end()
            phrases.append(phrase)
        for p in phrases:
            found[p.lower()] = found.get(p.lower(), 0) + 1
            spelled.setdefault(p.lower(), p)
    low_title = title.lower()
    return [spelled[p] for p, n in found.items() if n >= 2 or p in low_title]


TITLE_TERMS_AT = 3  # where special terms of the title join YAKE's list


def with_special_terms(candidates: list[str], title: str, text: str) -> list[str]:
    """YAKE's candidates (best first) with the special terms: those in the
    title near the top, since YAKE would have ranked them there, the rest
    after YAKE's."""
    terms = special_terms(title, text)
    low_title = sentence_case(title).lower()
    in_title = [t for t in terms if t.lower() in low_title]
    rest = [t for t in terms if t.lower() not in low_title]
    return candidates[:TITLE_TERMS_AT] + in_title + candidates[TITLE_TERMS_AT:] + rest


Source = tuple[str, str]  # a paper's title and text, for its special terms


def cache_keys(
    settings: KeywordSettings, texts: list[str], terms: list[Source] | None = None
) -> list[str]:
    """The cache key of each text: a hash of the settings, the text, and
    the title and text its special terms come from, if any."""
    head = (json.dumps(asdict(settings), sort_keys=True) + "\n").encode()
    sources = terms or [None] * len(texts)
    return [
        hashlib.sha256(
            head
            + text.encode()
            + (b"\0terms\0%s\0%s" % (s[0].encode(), s[1].encode()) if s else b"")
        ).hexdigest()
        for text, s in zip(texts, sources, strict=True)
    ]


def cache_key(settings: KeywordSettings, text: str, terms: Source | None = None) -> str:
    return cache_keys(settings, [text], [terms] if terms else None)[0]


class KeywordCache:
    """A JSON file of cache_key -> [keyword, ...] (best first); written
    atomically. Only the order of YAKE's scores is kept: read back, floats
    cost five times what the keywords do (1.1 s against 0.2 s for 20,000
    papers)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list[str]] = {}
        self.used: set[str] = set()  # keys asked for in this run
        self.dirty = False
        if path and path.exists():
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                print(f"warning: ignoring unreadable keyword cache {path}: {exc}", file=sys.stderr)

    def get(self, key: str):
        return self.entries.get(key)

    def put(self, key: str, value) -> None:
        self.entries[key] = value
        self.dirty = True

    def save(self, prune: bool = True) -> None:
        """Write the cache; with prune, drop entries no paper asked for this
        run (changed or removed papers), so it does not grow forever."""
        if not self.path:
            return
        if prune and set(self.entries) - self.used:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
            self.dirty = True
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(self.entries, sort_keys=True, separators=(",", ":")), encoding="utf-8"
        )
        tmp.replace(self.path)
        self.dirty = False

    def release(self) -> None:
        """Let go of the entries once saved, so that their memory serves the
        stages after keyword extraction."""
        self.entries, self.used = {}, set()


_extractor = None

# yake-rust sums floats in hash-map order, which changes from run to run:
# scores differ in the 16th digit and ties come out in any order. Rounding
# far above that noise and breaking ties by the keyword makes the list a
# function of the text alone.
SCORE_DIGITS = 6
# Candidates asked beyond those kept, so that the words tied at the cut
# (often ten or more single words of one score) are all there to choose
# from. Asking for more costs: YAKE compares each one it returns with those
# before it, and twice the candidates took 1.5x the time.
ASKED_BEYOND = 10


def _extract_one(args: tuple[KeywordSettings, str, Source | None]) -> list[str]:
    settings, text, terms = args
    found = _yake(settings, text)
    return with_special_terms(found, *terms) if terms else found


def _yake(settings: KeywordSettings, text: str) -> list[str]:
    global _extractor
    if _extractor is None or _extractor[0] != settings:
        _extractor = (
            settings,
            yake_rust.Yake(
                stopwords=set(STOPWORDS),
                ngrams=settings.max_ngram,
                deduplication_threshold=settings.dedup_lim,
                window_size=settings.window_size,
            ),
        )
    kept, asked = settings.candidates, settings.candidates + ASKED_BEYOND
    while True:
        found = _extractor[1].get_n_best(text, n=asked)
        ranked = sorted((round(score, SCORE_DIGITS), keyword) for keyword, score in found)
        # Done when YAKE had no more, or the last one asked scores past the
        # cut: then every candidate tied at the cut was among those returned.
        if len(found) < asked or ranked[-1][0] > ranked[kept - 1][0]:
            return [keyword for _score, keyword in ranked[:kept]]
        asked *= 2


def extract_keywords(
    texts: list[str],
    settings: KeywordSettings | None = None,
    cache: KeywordCache | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    terms: list[Source] | None = None,
    keys: list[str] | None = None,
) -> tuple[list[list[str]], int]:
    """YAKE candidates (best first) for each text, and how many texts missed
    the cache and were extracted. terms: per text, the paper's title and
    text, whose special terms join YAKE's candidates (with_special_terms),
    cached with them: a rebuild does not look for them again. keys: the
    texts' cache_keys, when the caller made them already."""
    settings = settings or KeywordSettings()
    cache = cache or KeywordCache(None)
    sources = terms or [None] * len(texts)
    keys = keys or cache_keys(settings, texts, sources)
    cache.used.update(keys)
    missing = sorted(
        {
            k: (t, s) for k, t, s in zip(keys, texts, sources, strict=True) if cache.get(k) is None
        }.items()
    )
    if missing:
        jobs = jobs or os.cpu_count() or 1
        work = [(settings, text, source) for _, (text, source) in missing]
        bar = progress_bar(len(work), "keywords", progress)
        if jobs > 1 and len(work) >= 50:
            with ProcessPoolExecutor(jobs) as pool:
                results = []
                for result in pool.map(_extract_one, work, chunksize=32):
                    results.append(result)
                    bar.update()
        else:
            results = []
            for item in work:
                results.append(_extract_one(item))
                bar.update()
        bar.close()
        for (key, _), result in zip(missing, results, strict=True):
            cache.put(key, result)
    return [cache.get(k) for k in keys], len(missing)
