"""Related papers' term counts kept between builds: a text's terms and the
TF-IDF matrix made from them are scikit-learn's, and the kept counts change
nothing."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from generator import term_counts
from generator.clean import clean_text
from generator.merge import merge_entries
from generator.models import Paper
from generator.parse import read_dumps
from generator.related import paper_text, related_papers, tfidf_from_counts, tfidf_matrix
from generator.stop_words import ENGLISH_STOP_WORDS as OUR_STOP_WORDS
from generator.term_counts import TOKEN_PATTERN, count_terms, terms_of

SEEDS = Path(__file__).resolve().parent.parent / "dumps"


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    papers, _ = merge_entries(read_dumps(SEEDS))
    for paper in papers:
        paper.text = clean_text(paper.abstract)
    return papers


def sklearn_tfidf(texts: list[str]):
    n = len(texts)
    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        min_df=2 if n > 2 else 1,
        max_df=0.5 if n > 10 else 1.0,
        sublinear_tf=True,
        token_pattern=TOKEN_PATTERN,
    )
    return vectorizer.fit_transform(texts).tocsr()


# Hard cases for the tokeniser: accents, capitals, hyphens, digits,
# underscores, apostrophes, other scripts, stop words in capitals, a lone word.
ODD_TEXTS = [
    "Über-Résumé: ÉCOLE naïve co-op BERT-Large GPT4 3D 4-bit x_y _a a_ l'été",
    "THE Model OF the-art, İstanbul ß ǅ Ωmega σ Σ 中文 模型 日本語テキスト",
    "Alone",
    "",
    "a an the of",
    "state-of-the-art re-ranking 2nd-order self--attention --x y-- ab cd",
]


def test_a_texts_terms_are_scikit_learns(seed_papers):
    assert OUR_STOP_WORDS == ENGLISH_STOP_WORDS
    analyse = TfidfVectorizer(
        stop_words="english", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN
    ).build_analyzer()
    for text in ODD_TEXTS + [paper_text(p) for p in seed_papers]:
        assert terms_of(text) == analyse(text), text[:60]


@pytest.mark.parametrize("size", [3, 12, None])  # both df limits bind only past 10 papers
def test_the_tfidf_matrix_is_scikit_learns(seed_papers, size):
    texts = [paper_text(p) for p in seed_papers[:size]]
    expected, got = sklearn_tfidf(texts), tfidf_matrix(texts)
    assert got.shape == expected.shape and got.nnz == expected.nnz
    assert abs(got - expected).max() < 1e-12  # same columns, same weights


def test_papers_sharing_no_term_have_empty_rows_and_the_others_are_scikit_learns(seed_papers):
    texts = [paper_text(p) for p in seed_papers[:30]]
    # Words no other paper has: no term of theirs is in two papers.
    texts = ["Wibble.", *texts[:10], "Quux zyzzyva.", *texts[10:], "Quokka."]
    expected, got = sklearn_tfidf(texts), tfidf_matrix(texts)
    assert got.shape == expected.shape and got.nnz == expected.nnz
    assert [i for i, n in enumerate(np.diff(got.indptr)) if n == 0] == [0, 11, len(texts) - 1]
    assert abs(got - expected).max() < 1e-12


def test_the_matrix_does_not_depend_on_the_order_terms_were_met_in(seed_papers):
    texts = [paper_text(p) for p in seed_papers[:200]]
    found, _ = count_terms(texts)
    matrix = tfidf_from_counts(found.matrix(), found.terms)
    # The same counts with the term ids shuffled and each row's terms
    # reversed: as if met in another order.
    order = np.random.default_rng(1).permutation(len(found.terms))
    starts, ends = found.indptr[:-1], found.indptr[1:]
    back = np.concatenate([np.arange(b - 1, a - 1, -1) for a, b in zip(starts, ends, strict=True)])
    ids = np.argsort(order)[found.ids[back]]
    shuffled = term_counts.TermCounts(
        [found.terms[i] for i in order], found.indptr, ids, found.counts[back], found.digests
    )
    again = tfidf_from_counts(shuffled.matrix(), shuffled.terms)
    assert np.array_equal(again.indices, matrix.indices)
    assert np.array_equal(again.data, matrix.data)  # to the bit


def test_a_build_reads_only_new_or_changed_texts_and_finds_the_same_related(seed_papers, tmp_path):
    cache = tmp_path / "related-terms.pickle"
    before = seed_papers[:-40]
    related_papers(before, cache=cache)
    # 40 papers added, 3 edited, 2 gone.
    after = [*seed_papers[2:]]
    for i in range(10, 13):
        after[i] = replace(after[i], text=after[i].text + " An erratum on quantum annealing.")
    texts = [paper_text(p) for p in after]
    kept = term_counts.load(cache)
    found, read = count_terms(texts, kept)
    assert read == 43
    fresh, read_all = count_terms(texts)
    assert read_all == len(after)
    warm = tfidf_from_counts(found.matrix(), found.terms)
    cold = tfidf_from_counts(fresh.matrix(), fresh.terms)
    assert np.array_equal(warm.indices, cold.indices) and np.array_equal(warm.data, cold.data)
    assert related_papers(after, cache=cache) == related_papers(after)
    # What is saved holds only the terms of the papers there are now.
    saved = term_counts.load(cache)
    assert len(saved.terms) == len(np.unique(saved.ids)) < len(found.terms)


def test_kept_counts_of_other_settings_or_a_broken_file_are_not_read(
    seed_papers, tmp_path, monkeypatch
):
    cache = tmp_path / "related-terms.pickle"
    related_papers(seed_papers[:30], cache=cache)
    assert term_counts.load(cache) is not None
    monkeypatch.setattr(term_counts, "settings_key", lambda: "other stop words")
    assert term_counts.load(cache) is None
    monkeypatch.undo()
    cache.write_bytes(pickle.dumps("not the counts")[:-3])
    assert term_counts.load(cache) is None
    assert related_papers(seed_papers[:30], cache=cache) == related_papers(seed_papers[:30])
    assert term_counts.load(cache) is not None  # written again


def test_kept_counts_hold_only_the_terms_the_texts_use(seed_papers, tmp_path):
    """compact: terms of texts gone leave the cache; every text keeps its
    counts, term for term, and the ids are np.unique's (used terms in order)."""
    texts = [paper_text(p) for p in seed_papers]
    kept, _ = count_terms(texts[:200])
    found, _ = count_terms(texts[150:], kept)  # the first 150 texts are gone

    small = term_counts.compact(found)

    def rows(counts: term_counts.TermCounts) -> list[dict[str, int]]:
        return [
            {
                counts.terms[i]: int(n)
                for i, n in zip(counts.ids[a:b], counts.counts[a:b], strict=True)
            }
            for a, b in zip(counts.indptr[:-1], counts.indptr[1:], strict=True)
        ]

    assert rows(small) == rows(found)
    used, place = np.unique(found.ids, return_inverse=True)
    assert small.terms == [found.terms[i] for i in used] and small.ids.tolist() == place.tolist()
    assert len(small.terms) < len(found.terms)
    assert set(small.terms) == {t for row in rows(found) for t in row}
