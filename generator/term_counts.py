"""Each paper's term counts for related papers, kept between builds
(.cache/related-terms.pickle).

Reading the texts into terms (unigrams and bigrams, stop words out) and
counting them was half of finding related papers. The counts of a text do
not depend on the other papers, so a build reads only the texts the last
one did not; the TF-IDF weights, which do depend on the whole corpus, are
computed from the counts every time (related.tfidf_from_counts). With or
without the kept counts, the matrix is the same, to the bit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from . import cache_file
from .freshness import text_digest
from .stop_words import ENGLISH_STOP_WORDS

FORMAT = 2  # bumped when what is kept changes
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*\w\b"  # words of 2+ characters, not numbers
TOKEN = re.compile(TOKEN_PATTERN)


def terms_of(text: str) -> list[str]:
    """Text -> its terms, as scikit-learn's TfidfVectorizer(stop_words=
    "english", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN) reads
    them: the lower-cased words but stop words, then each two neighbours
    among those. (Its analyser, written out: importing scikit-learn took a
    second of every build with a new text; tests/test_term_counts.py
    compares the two.)"""
    words = [w for w in TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def settings_key() -> str:
    """What the terms of a text depend on besides the text: a change of
    any, such as the stop words, means counting afresh."""
    stop = hashlib.blake2b(" ".join(sorted(ENGLISH_STOP_WORDS)).encode(), digest_size=8)
    return f"{FORMAT} {TOKEN_PATTERN} 1-2 {stop.hexdigest()}"


@dataclass
class TermCounts:
    """Rows of term counts: row i holds ids[indptr[i]:indptr[i+1]] with
    their counts; an id is a position in terms. Row order, id order and
    the terms' order are whatever the build met them in; only the counts
    matter (related.tfidf_from_counts sorts the terms)."""

    terms: list[str]
    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray
    digests: list[bytes]  # text_digest of each row's text

    def matrix(self) -> sparse.csr_matrix:
        shape = (len(self.digests), len(self.terms))
        return sparse.csr_matrix((self.counts, self.ids, self.indptr), shape=shape)


def count_terms(texts: list[str], kept: TermCounts | None = None) -> tuple[TermCounts, int]:
    """Term counts of every text, in order, reading only the texts that
    kept (the last build's) does not hold. Returns them and how many texts
    were read."""
    digests = [text_digest(t) for t in texts]
    terms = list(kept.terms) if kept else []
    term_id = {t: i for i, t in enumerate(terms)}
    row_of = {d: i for i, d in enumerate(kept.digests)} if kept else {}
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    read = 0
    for text, digest in zip(texts, digests, strict=True):
        if (i := row_of.get(digest)) is not None:
            a, b = kept.indptr[i], kept.indptr[i + 1]
            rows.append((kept.ids[a:b], kept.counts[a:b]))
            continue
        found: dict[int, int] = {}
        for term in terms_of(text):
            t = term_id.setdefault(term, len(terms))
            if t == len(terms):
                terms.append(term)
            found[t] = found.get(t, 0) + 1
        rows.append(
            (
                np.fromiter(found.keys(), np.int32, len(found)),
                np.fromiter(found.values(), np.int32, len(found)),
            )
        )
        read += 1
    lengths = np.fromiter((len(ids) for ids, _ in rows), np.int64, len(rows))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, np.int32)
    counts = np.concatenate([c for _, c in rows]) if rows else np.zeros(0, np.int32)
    return TermCounts(terms, indptr, ids, counts, digests), read


def compact(found: TermCounts) -> TermCounts:
    """The same counts with only the terms some row uses: a term of papers
    gone is not kept for ever."""
    # np.unique's result (the used ids in order, each id's place among
    # them) from a mask: linear, where np.unique sorts all 4 million ids
    # of 20,000 papers (0.4 s of every build that adds a paper).
    is_used = np.zeros(len(found.terms), dtype=bool)
    is_used[found.ids] = True
    used = np.flatnonzero(is_used)
    place = np.cumsum(is_used, dtype=np.int64) - 1
    terms = [found.terms[i] for i in used]
    ids = place[found.ids].astype(np.int32)
    return TermCounts(terms, found.indptr, ids, found.counts, found.digests)


@dataclass
class KeptCounts:
    """TermCounts as kept in the file. One string for the terms: a list of
    200,000 strings pickles and loads ten times slower. A term never holds
    a newline (TOKEN_PATTERN)."""

    code: str  # settings_key(): counts made with other settings are not read
    terms: str
    indptr: np.ndarray
    ids: np.ndarray
    counts: np.ndarray
    digests: list[bytes]


def load(path: Path) -> TermCounts | None:
    """The kept counts, or None when missing, unreadable or made with other
    settings: then every text is read."""
    kept = cache_file.load(path, KeptCounts, settings_key())
    if kept is None:
        return None
    terms = kept.terms.split("\n") if kept.terms else []
    return TermCounts(terms, kept.indptr, kept.ids, kept.counts, kept.digests)


def save(path: Path, found: TermCounts) -> None:
    found = compact(found)
    terms = "\n".join(found.terms)
    kept = KeptCounts(settings_key(), terms, found.indptr, found.ids, found.counts, found.digests)
    cache_file.save(path, kept)
