"""Stage 3d, related: the most similar papers of every paper, by TF-IDF.

An exact all-pairs cosine is an n-by-n product: quadratic in time (and in
memory if kept). Instead every paper is reduced to its most salient terms,
and an inverted index keeps, per term, only the papers where that term
weighs most. Candidates are the papers met through those capped postings,
so each paper looks at no more than TOP_TERMS x POSTING_CAP others: time
and memory grow linearly with the number of papers. The candidates are then
ranked by their exact cosine over the full TF-IDF vectors. On the seed
dumps this finds 98% of the exact top 5 (99.7% on 5,000 synthetic papers);
bench/related_bench.py prints time and memory up to 50,000 papers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse

from . import term_counts
from .models import Paper

RELATED_SHOWN = 5
TOP_TERMS = 64  # salient terms kept per paper for finding candidates
POSTING_CAP = 64  # papers kept per term in the candidate index
CANDIDATES = 40  # best pruned matches re-scored exactly
CHUNK = 512  # rows per sparse product: bounds peak memory
PAD_CELLS = 4_000_000  # largest rows x width array top_per_row pads (32 MB)
MIN_SCORE = 0.05  # below this, papers have nothing real in common


def paper_text(paper: Paper) -> str:
    # The title twice: it names the topic more densely than the abstract.
    return f"{paper.title}. {paper.title}. {paper.text or paper.abstract}"


def tfidf_matrix(texts: list[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (unigrams and bigrams, English stop words out)."""
    found, _ = term_counts.count_terms(texts)
    return tfidf_from_counts(found.matrix(), found.terms)


def tfidf_from_counts(counts: sparse.csr_matrix, terms: list[str]) -> sparse.csr_matrix:
    """Term counts (rows: papers; columns: terms, in any order) -> the
    matrix scikit-learn's TfidfVectorizer makes of the texts (sublinear tf,
    smooth idf, terms in at least 2 papers and at most half of them,
    columns in term order, rows of length 1), up to rounding; the same
    counts in another column order give the same matrix, to the bit."""
    n = counts.shape[0]
    min_df = 2 if n > 2 else 1
    max_df = 0.5 * n if n > 10 else n
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero((df >= min_df) & (df <= max_df))
    if len(kept) == 0:  # no term survives (tiny or empty archive)
        return sparse.csr_matrix((n, 1))
    kept = np.array(sorted(kept.tolist(), key=terms.__getitem__), dtype=np.int64)  # term order
    column = np.full(counts.shape[1], -1, dtype=np.int64)
    column[kept] = np.arange(len(kept))
    cols = column[counts.indices]
    present = cols >= 0
    indptr = kept_indptr(counts.indptr, present)
    cols, found = cols[present], counts.data[present]
    # Counts are small integers: a table of their sublinear tf, not a log each.
    tf = 1 + np.log(np.arange(1, found.max() + 1, dtype=np.float64))
    idf = np.log((1 + n) / (1 + df[kept])) + 1
    matrix = sparse.csr_matrix((tf[found - 1] * idf[cols], cols, indptr), shape=(n, len(kept)))
    # Each row's columns in order: the sums below run in column order,
    # whatever order the counts came in.
    matrix.sort_indices()
    lengths = np.diff(indptr)
    filled = lengths > 0  # reduceat would give an empty row its next one's first value
    squares = np.zeros(n)
    squares[filled] = np.add.reduceat(matrix.data * matrix.data, indptr[:-1][filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, lengths)
    return matrix


def top_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Mask of the k largest values of each row among (row, col, value)
    triples sorted by row, then column; ties go to the lower column, so the
    choice is stable. (The presorted order saves a sort key: a stable sort
    on value within each row keeps equal values in column order.)"""
    keep = np.zeros(len(rows), dtype=bool)
    if len(rows) == 0:
        return keep
    chosen = at_least_kth(rows, vals, k)
    rows, vals = rows[chosen], vals[chosen]
    order = np.lexsort((-vals, rows))  # rows[order] == rows: rows keep their starts
    keep[chosen[order[position_in_row(rows) < k]]] = True
    return keep


def position_in_row(rows: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal (sorted) rows."""
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    counts = np.diff(np.r_[starts, len(rows)])
    return np.arange(len(rows)) - np.repeat(starts, counts)


def at_least_kth(rows: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Indices of the values at or above their row's k-th largest: only they
    can be among its k best. A linear-time partition finds that value, so
    top_per_row sorts a few values per row instead of them all."""
    position = position_in_row(rows)
    counts = np.bincount(rows - rows[0])
    counts = counts[counts > 0]
    width = counts.max()
    if width <= k or len(counts) * width > PAD_CELLS:
        return np.arange(len(rows))
    padded = np.full((len(counts), width), -np.inf)
    padded[np.repeat(np.arange(len(counts)), counts), position] = vals
    kth = np.partition(padded, width - k, axis=1)[:, width - k]
    return np.flatnonzero(vals >= np.repeat(kth, counts))


def kept_indptr(indptr: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """A CSR matrix's row pointers once only its values where kept (a
    mask over them) are left; an empty row stays empty."""
    return np.r_[0, np.cumsum(kept)][indptr]


def keep_top_per_row(matrix: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Each row's k largest values, the rest dropped."""
    if not matrix.has_sorted_indices:  # top_per_row wants columns in order
        matrix = matrix.sorted_indices()
    lengths = np.diff(matrix.indptr)
    # A row of k values or fewer keeps them all; only the longer rows are
    # ranked. (Of the candidate index's 79,000 term rows at 20,200 papers,
    # 570 are longer: ranking them all, padded, took 0.43 s, against 0.03.)
    keep = np.repeat(lengths <= k, lengths)
    longer = np.flatnonzero(lengths > k)
    if len(longer):
        ranked = np.flatnonzero(~keep)  # the longer rows' values, in row order
        rows = np.repeat(longer, lengths[longer])  # the row of each of them
        ends = np.r_[0, np.cumsum(lengths[longer])]
        # In blocks of rows small enough for top_per_row's padded partition.
        block = max(1, PAD_CELLS // int(lengths[longer].max()))
        for first in range(0, len(longer), block):
            a, b = ends[first], ends[min(first + block, len(longer))]
            at = ranked[a:b]
            keep[at] = top_per_row(rows[a:b], matrix.indices[at], matrix.data[at], k)
    indptr = kept_indptr(matrix.indptr, keep)
    return sparse.csr_matrix((matrix.data[keep], matrix.indices[keep], indptr), shape=matrix.shape)


def pairwise_dots(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """matrix[left[t]] . matrix[right[t]] for every t, in one sparse pass."""
    products = matrix[left].multiply(matrix[right])
    return np.asarray(products.sum(axis=1)).ravel()


def candidate_pairs(salient: sparse.csr_matrix, postings: sparse.csr_matrix):
    """(rows, cols): each row's CANDIDATES best other rows by the pruned
    product, sorted by row, then column."""
    n = salient.shape[0]
    found_rows, found_cols = [], []
    for start in range(0, n, CHUNK):
        pruned = salient[start : start + CHUNK] @ postings
        pruned.sort_indices()  # top_per_row wants rows, then columns, in order
        pruned = pruned.tocoo()
        rows, cols = pruned.row + start, pruned.col
        other = rows != cols
        rows, cols, vals = rows[other], cols[other], pruned.data[other]
        best = top_per_row(rows, cols, vals, CANDIDATES)
        found_rows.append(rows[best])
        found_cols.append(cols[best])
    return np.concatenate(found_rows), np.concatenate(found_cols)


def exact_scores(matrix: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of every (row, col) pair, rounded so ties compare equal whatever
    the summation order. A pair found both ways is computed once: the sparse
    product multiplies and adds the same numbers in the same order either way."""
    n = matrix.shape[0]
    pairs, back = np.unique(
        np.minimum(rows, cols).astype(np.int64) * n + np.maximum(rows, cols), return_inverse=True
    )
    dots = np.empty(len(pairs))
    step = CHUNK * CANDIDATES  # pairs per sparse product: bounds peak memory
    for start in range(0, len(pairs), step):
        some = pairs[start : start + step]
        dots[start : start + step] = pairwise_dots(matrix, some // n, some % n)
    return np.round(dots[back], 9)


def related_indices(matrix: sparse.csr_matrix, k: int = RELATED_SHOWN) -> list[list[int]]:
    """Row i -> up to k other rows, most similar first (ties: lower row first)."""
    n = matrix.shape[0]
    salient = keep_top_per_row(matrix, TOP_TERMS)
    # Per term, only the papers where it weighs most: bounds every posting list.
    postings = keep_top_per_row(salient.T.tocsr(), POSTING_CAP)  # term -> papers
    rows, cols = candidate_pairs(salient, postings)
    exact = exact_scores(matrix, rows, cols)
    shown = top_per_row(rows, cols, exact, k) & (exact >= MIN_SCORE)
    rows, cols, exact = rows[shown], cols[shown], exact[shown]
    result: list[list[int]] = [[] for _ in range(n)]
    for t in np.lexsort((cols, -exact, rows)):
        result[rows[t]].append(int(cols[t]))
    return result


def related_papers(
    papers: list[Paper], k: int = RELATED_SHOWN, cache: Path | None = None
) -> dict[str, list[str]]:
    """Paper slug -> slugs of its k most similar papers, most similar first.
    cache: a file that keeps each text's term counts for the next build
    (term_counts.py); the result is the same with or without it."""
    if not papers:
        return {}
    kept = term_counts.load(cache) if cache else None
    found, _ = term_counts.count_terms([paper_text(p) for p in papers], kept)
    del kept
    if cache:
        term_counts.save(cache, found)
    matrix = tfidf_from_counts(found.matrix(), found.terms)
    del found
    indices = related_indices(matrix, k)
    return {p.slug: [papers[j].slug for j in indices[i]] for i, p in enumerate(papers)}
