"""The tag step: every filter and merge rule on real phrases from the seed
dumps, tags.yml, the `tags` command, and the goals measured on the seeds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from itertools import chain
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.tags_golden import tag_inputs
from generator import tag_counts
from generator import tags as tags_module
from generator.acronyms import find_definitions
from generator.build import BuildError, Paths, generate
from generator.clean import clean_text
from generator.enrich import enrich
from generator.keywords import KeywordCache, keyword_text
from generator.merge import merge_entries
from generator.parse import read_dumps
from generator.tag_rules import TagRules, TagRulesError, load_rules, parse_rules
from generator.tag_stats import (
    CONTAINED_SHARE,
    KeySearch,
    generic_words,
    is_generic,
    is_lone_word,
    is_truncated,
    line_words,
    measure,
    mentions,
    occurrences,
    own_capitalised,
    paper_stats,
    prefixes_of,
    standalone_share,
    top,
    topic,
    words_line,
)
from generator.tag_words import (
    acronym_table,
    candidate,
    canonical_words,
    segments,
    singular,
)
from generator.tags import build_tags, compound_merges
from tests.conftest import ROOT, make_project, run_generator
from tests.dumpgen import packed


def key(phrase: str) -> tuple[str, ...]:
    return canonical_words(phrase)


# ---------------------------------------------------------------- the seeds' texts


@pytest.fixture(scope="module")
def corpus():
    """The seed papers' texts as the tag step reads them (no YAKE needed)."""
    papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
    texts = {p.slug: keyword_text(p.title, clean_text(p.abstract)) for p in papers}
    titles = {p.slug: p.title for p in papers}
    table = acronym_table(texts)
    streams = {s: segments(t, table.for_paper(s)) for s, t in texts.items()}
    title_streams = {s: segments(t, table.for_paper(s)) for s, t in titles.items()}
    return {
        "texts": texts,
        "titles": titles,
        "table": table,
        "streams": streams,
        "words": {s: [seg.words for seg in stream] for s, stream in streams.items()},
        "title_words": {s: [seg.words for seg in stream] for s, stream in title_streams.items()},
    }


def seed_stats(corpus, *phrases):
    keys = {canonical_words(p, corpus["table"].corpus) for p in phrases}
    return measure(corpus["streams"], keys)


# ---------------------------------------------------------------- canonical keys


def test_plural_merges_but_data_physics_lens_bus_series_stay():
    for word in ("data", "physics", "lens", "bus", "series", "analysis", "bias", "dynamics"):
        assert singular(word) == word
    pairs = {
        "models": "model",
        "policies": "policy",
        "lenses": "lens",
        "buses": "bus",
        "approaches": "approach",
        "caches": "cache",
        "matrices": "matrix",
        "metrics": "metric",
    }
    assert {w: singular(w) for w in pairs} == pairs
    assert key("Time Series Forecasting") == ("time", "series", "forecasting")
    assert key("through the lens of online learning")[:3] == ("through", "the", "lens")


def test_case_hyphen_and_plural_make_one_key():
    assert key("Super-Resolution") == key("super resolution") == ("super", "resolution")
    assert key("Large Language Models") == key("large-language model")
    assert key("Mixture-of-Experts") == key("mixture of experts")
    assert key("Adam's Convergence Speed") == ("adam", "convergence", "speed")


def test_acronyms_defined_in_the_seeds():
    text = (
        "Large language models (LLMs) such as GPT-3 and GPT-4 are powerful. Sparsely activated"
        " Mixture-of-Experts (MoE) models have shown promise. Recent self-supervised learning"
        " (SSL) methods and Generative Adversarial Networks (GANs) revolutionised Super"
        " Resolution (SR)."
    )
    assert find_definitions(text) == [
        ("LLM", "Large language models"),
        ("MoE", "Mixture-of-Experts"),
        ("SSL", "self-supervised learning"),
        ("GAN", "Generative Adversarial Networks"),
        ("SR", "Super Resolution"),
    ]


def test_acronym_means_its_long_form_also_inside_longer_phrases(corpus):
    table = corpus["table"]
    assert table.corpus["LLM"] == ("large", "language", "model")
    assert table.corpus["MoE"] == ("mixture", "of", "expert")
    moe = table.corpus
    assert candidate("MoE models", moe)[0] == key("mixture of experts models")
    assert candidate("LLMs", moe)[0] == key("large language models")
    assert candidate("LLM-based agents", moe)[0] == key("large language model based agents")


def test_compound_spellings_are_one_tag():
    counts = Counter({key("fine-tuning"): 30, key("finetuning"): 8, key("fine tuned"): 3})
    assert compound_merges(counts) == {key("finetuning"): key("fine-tuning")}


# ---------------------------------------------------------------- filters


def test_boilerplate_is_trimmed_off_both_ends():
    long_forms = {key("large language models")}
    assert candidate("comprehensive survey", {})[0] == ()
    assert candidate("demonstrated remarkable abilities", {})[0] == ()
    assert candidate("extensive training data", {})[0] == key("training data")
    assert candidate("propose a novel framework", {})[0] == key(
        "framework"
    )  # generic: dropped later
    assert candidate("State-of-the-art methods", {})[0] == key("methods")
    assert candidate("pre-trained language models", {})[0] == key("pre-trained language models")
    assert candidate("fine-tuned", {})[0] == ()
    # never out of a hyphenated word or an acronym's long form
    assert candidate("Large-Scale training", {})[0] == key("large scale training")
    assert candidate("large language models", {}, long_forms)[0] == key("large language models")
    assert candidate("large models", {}, long_forms)[0] == key("models")


def test_corpus_frequent_words_are_generic(corpus):
    stats = seed_stats(corpus, "learning", "data", "language", "unlearning", "pruning")
    generic = generic_words(stats, len(corpus["texts"]))
    long_forms = set(corpus["table"].long_names)
    for word in ("learning", "data", "language", "models", "efficient"):
        assert is_generic(key(word), generic, long_forms), word
    for word in ("unlearning", "pruning"):
        assert not is_generic(key(word), generic, long_forms), word
    assert is_generic(key("model performance"), generic, long_forms)
    assert is_generic(key("small models"), generic, long_forms)
    assert not is_generic(key("continual learning"), generic, long_forms)
    # all its words are generic, but the papers define it as LLM
    assert not is_generic(key("large language models"), generic, long_forms)


def test_truncated_phrases_are_measured_on_the_corpus(corpus):
    phrases = ["large language", "deep neural", "in-context", "rehearsal-free continual"]
    whole = ["large language models", "deep neural networks", "in-context learning"]
    modifiers = ["real-world", "weak"]
    stats = seed_stats(corpus, *phrases, *whole, *modifiers)
    for phrase in phrases + modifiers:
        assert is_truncated(key(phrase), stats), phrase
    for phrase in whole:
        assert not is_truncated(key(phrase), stats), phrase


def test_phrases_only_inside_a_longer_kept_phrase_go(corpus):
    kept = {key("overcoming catastrophic"), key("overcoming catastrophic forgetting")}
    kept |= {key("catastrophic forgetting")}
    share = standalone_share(corpus["words"], kept)
    assert share[key("overcoming catastrophic")] < CONTAINED_SHARE
    assert share[key("catastrophic forgetting")] >= CONTAINED_SHARE


def test_standalone_share_is_the_share_outside_longer_kept_phrases(corpus):
    """The one-sweep count agrees with the definition, span by span."""
    kept = {key(p) for p in ("language models", "large language models", "language", "models")}
    kept |= {key(p) for p in ("neural networks", "deep neural networks", "networks", "deep")}
    prefixes = prefixes_of(kept)
    total, alone = Counter(), Counter()
    for stream in corpus["words"].values():
        for words in stream:
            spans = list(occurrences(words, kept, prefixes))
            for i, j in spans:
                total[words[i:j]] += 1
                if not any(a <= i and j <= b and b - a > j - i for a, b in spans):
                    alone[words[i:j]] += 1
    assert {k: alone[k] / total[k] for k in total} == standalone_share(corpus["words"], kept)
    assert 0 < alone[key("language models")] < total[key("language models")]


def test_a_papers_own_figures_are_the_corpus_figures_of_that_paper(corpus):
    """paper_stats (one key, measured when needed) = measure on that paper."""
    for slug in sorted(corpus["texts"])[:40]:
        stream = corpus["streams"][slug]
        keys = {seg.words[i:j] for seg in stream for i, j in ((0, 1), (1, 3)) if len(seg.words) > j}
        whole = measure({"": stream}, keys)
        for k in keys:
            own = paper_stats(corpus["words"][slug], k, own_capitalised(stream, {k[0]}))
            assert own.seen[k] == whole.seen[k]
            assert (own.after[k], own.before[k]) == (whole.after[k], whole.before[k])
            assert own.capitalised[k[0]] == whole.capitalised[k[0]]
            assert own.word_papers[k[0]] == whole.word_papers[k[0]] == 1


def test_lone_words_must_be_topics(corpus):
    words = ["years", "guided", "selecting", "word", "unlearning", "pruning", "Adam"]
    stats = seed_stats(corpus, *words)
    title_papers = Counter(w for t in corpus["titles"].values() for w in set(canonical_words(t)))
    for word in ("years", "guided", "selecting", "word"):
        assert is_lone_word(key(word), stats, title_papers), word
    for word in ("unlearning", "pruning", "Adam"):
        assert not is_lone_word(key(word), stats, title_papers), word
    assert not is_lone_word(key("machine unlearning"), stats, title_papers)


@given(st.dictionaries(st.one_of(st.none(), st.text(max_size=3)), st.integers(1, 3), min_size=1))
def test_the_most_common_spelling_wins_and_a_tie_goes_by_name_whatever_the_order(counts):
    """A tag's name and the filters' neighbour words (top): the same
    whichever order the texts were counted in, so a rebuild that counts
    old papers before new ones names tags as a count from scratch does."""
    word, n = top(counts)
    assert n == max(counts.values()) and counts[word] == n
    tied = [w for w, c in counts.items() if c == n]
    assert str(word) == min(map(str, tied))
    backwards, m = top(dict(reversed(counts.items())))
    assert (str(backwards), m) == (str(word), n)


def test_a_long_candidate_falls_back_to_its_kept_head():
    kept = {key("contextual bandits"), key("reasoning tasks")}
    assert topic(key("neural contextual bandits"), kept) == key("contextual bandits")
    assert topic(key("hard reasoning tasks"), kept) == key("reasoning tasks")
    assert topic(key("contextual bandits with regression"), kept) == ()


def test_kept_phrases_in_the_title_or_said_twice_are_candidates(corpus):
    slug = next(s for s, t in corpus["titles"].items() if t.startswith("Improving traffic sign"))
    kept = {key("active learning"), key("traffic sign recognition"), key("neural networks")}
    kept |= {key("sign recognition")}
    found = mentions(corpus["title_words"][slug], corpus["words"][slug], kept, prefixes_of(kept))
    assert found[0] == key("traffic sign recognition")  # in the title, as a whole
    assert key("sign recognition") not in found  # only inside the longer phrase


# ---------------------------------------------------------------- tags.yml


def test_rules_file_is_read():
    rules = parse_rules(
        "merge:\n  training LLMs: LLM training\nban:\n  - growth\n"
        "display:\n  transformers: Transformers\nkeep:\n  - theory\n"
    )
    assert rules == TagRules(
        merge={"training LLMs": "LLM training"},
        ban=["growth"],
        display={"transformers": "Transformers"},
        keep=["theory"],
    )
    assert parse_rules("") == TagRules()
    assert parse_rules((ROOT / "tags.yml").read_text(), ROOT / "tags.yml").ban


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("merge:\n  a: b\nbans:\n  - c\n", "tags.yml:3: unknown section 'bans'"),
        ("ban:\n  growth: x\n", "tags.yml:2: ban: expected a list"),
        ("merge:\n  - a\n", "tags.yml:2: merge: expected 'phrase: phrase'"),
        ("display:\n  a: [x]\n", "tags.yml:2: expected a non-empty phrase"),
        ("merge:\n  a: b\n  a: c\n", "tags.yml:3: merge: 'a' given twice"),
        ("ban:\n  - [unclosed\n", "tags.yml:3: not valid YAML"),
    ],
)
def test_mistakes_in_the_rules_name_file_and_line(text, where):
    with pytest.raises(TagRulesError, match=re.escape(where)):
        parse_rules(text, "tags.yml")


def test_a_broken_rules_file_stops_the_build(tmp_path):
    root = make_project(
        tmp_path, dumps={"a.txt": (ROOT / "dumps").glob("*.txt").__next__().read_text()}
    )
    (root / "tags.yml").write_text("merge:\n  a: b\nbanned:\n  - c\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"tags\.yml:3: unknown section"):
        generate(Paths.at(root), write=False, jobs=1)
    result = run_generator(root, "build", "--no-mkdocs")
    assert result.returncode == 1 and "tags.yml:3" in result.stderr


# ---------------------------------------------------------------- the seeds, end to end


@pytest.fixture(scope="module")
def seed_archive(seed_site):
    """The seeds' archive, from the keyword cache of the real seed build."""
    return generate(Paths.at(seed_site), write=False).archive


def test_only_tags_shared_by_two_papers_exist(seed_archive):
    tags = {t.slug: t for t in seed_archive.tags}
    assert all(len(t.papers) >= 2 for t in tags.values())
    for paper in seed_archive.papers:
        assert len(paper.tags) == len(set(paper.tags))
        for slug in paper.tags:
            assert paper.slug in tags[slug].papers


def test_most_papers_carry_three_tags(seed_archive):
    papers = seed_archive.papers
    assert sum(len(p.tags) >= 3 for p in papers) >= 0.9 * len(papers)


def test_one_tag_per_topic_on_the_seeds(seed_archive):
    tags = {t.slug: t for t in seed_archive.tags}
    assert tags["large-language-model"].name == "Large language models"
    assert len(tags["large-language-model"].papers) >= 100
    assert tags["mixture-of-expert"].name == "Mixture-of-experts (MoE)"
    assert tags["fine-tuning"].name == "Fine-tuning"
    assert tags["super-resolution"].name == "Super-resolution"
    for merged in ("llm", "llms", "moe", "moe-model", "mixture-of-expert-model", "finetuning"):
        assert merged not in tags
    assert {"BERT", "MNIST"} <= {t.name for t in tags.values()}  # acronyms stay capitals


def test_junk_never_becomes_a_tag(seed_archive):
    slugs = {t.slug for t in seed_archive.tags}
    junk = [
        "large language", "in-context", "deep neural", "learning", "models", "data",
        "efficient", "comprehensive survey", "demonstrated remarkable abilities",
        "experts unlock parameter", "state of the art", "years", "real world",
    ]  # fmt: skip
    assert not {"-".join(key(j)) for j in junk} & slugs


def test_tags_yml_is_applied_on_every_build(seed_archive):
    tags = {t.slug: t for t in seed_archive.tags}
    assert tags["transformer"].name == "Transformers"  # merge + display
    assert "training-large-language-model" not in tags  # "training LLMs" merged
    assert tags["large-language-model-training"].name == "LLM training"
    assert "growth" not in tags  # ban


def test_rules_merge_ban_display_and_keep(seed_site):
    papers, _ = merge_entries(read_dumps(seed_site / "dumps"))
    cache = KeywordCache(seed_site / ".cache" / "keywords.json")
    rules = TagRules(
        merge={"continual learning": "lifelong learning"},
        ban=["scaling laws"],
        display={"meta-learning": "Meta-learning (learning to learn)"},
        keep=["theory"],
    )
    tags, extracted = enrich(papers, cache, rules=rules)
    by_slug = {t.slug: t for t in tags}
    assert extracted == 0
    assert "continual-learning" not in by_slug and len(by_slug["lifelong-learning"].papers) >= 20
    assert "scaling-law" not in by_slug
    assert by_slug["meta-learning"].name == "Meta-learning (learning to learn)"
    assert "theory" in by_slug


def test_tags_command_prints_top_tags_and_a_sample(seed_site):
    result = run_generator(seed_site, "tags", "--top", "100", "--sample", "5")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    summary = re.match(r"(\d+) tags over 591 papers; (\d+) papers \(([\d.]+)%\)", out)
    assert summary and float(summary[3]) >= 90
    ranked = re.findall(r"^ +(\d+)\. (.+) \((\d+)\)$", out, re.M)
    assert len(ranked) == 100 and ranked[0][1] == "Large language models"
    counts = [int(n) for _, _, n in ranked]
    assert counts == sorted(counts, reverse=True) and counts[-1] >= 2
    assert out.count("    keywords: ") == 5 and out.count("    tags:     ") == 5


def test_output_is_deterministic(seed_site):
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-m", "generator", "--root", str(seed_site), "tags", "--sample", "40"],
            capture_output=True, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outs.add(result.stdout)
    assert len(outs) == 1
    pages = sorted(Path(seed_site, "site_src", "tags").glob("*.md"))
    assert len(pages) == int(re.match(r"(\d+) tags", outs.pop())[1]) + 1  # + the index


def test_tags_do_not_depend_on_how_many_processes_read_the_papers(seed_site):
    """The per-paper passes split over forked workers (workers.py) merge back
    into exactly the result of one process: every tag, name, member list,
    paper's tags and shown keywords, in the same order."""
    keywords, texts, titles = tag_inputs(seed_site)
    rules = load_rules(seed_site / "tags.yml")

    def result(jobs: int) -> tuple:
        got = build_tags(keywords, texts, titles, rules, jobs=jobs)
        tags = [(t.slug, t.name, t.papers) for t in got.tags]
        return tags, list(got.paper_tags.items()), list(got.paper_keywords.items())

    one = result(1)
    assert len(one[0]) > 500 and sum(len(k) for _, k in one[2]) > 4 * len(keywords)
    assert result(2) == one
    assert result(3) == one


def tag_result(got) -> tuple:
    tags = [(t.slug, t.name, t.papers) for t in got.tags]
    return tags, list(got.paper_tags.items()), list(got.paper_keywords.items())


# An old paper that uses an acronym only a later paper defines: once the
# corpus reads it, the old paper's counts must be taken off and made again.
USES_QZX = "Training QZX models on molecular graphs is hard. QZX models scale badly."
DEFINES_QZX = "We introduce quantum zebra xylophones (QZX) for graphs. QZX models scale."
# An old keyword that a later long form keeps whole: its candidate changes
# from "zebra xylophones" (a boilerplate word trimmed) to "novel zebra xylophones".
NAMES_NZX = "We build novel zebra xylophones for music. Novel zebra xylophones sound good."
DEFINES_NZX = "We present novel zebra xylophones (NZX), a kind of music model."
# A phrase that later papers make a tag, in an old paper's title only:
# that paper's mentions must be looked for again, in its title too.
NAMES_VOG = "Velvet otter graphs help. We study velvet otter graphs at scale."


def test_kept_counts_brought_up_to_date_give_the_tags_of_a_full_count(
    seed_site, tmp_path, monkeypatch
):
    """A build that adds papers reuses the last build's corpus counts
    (tag_counts.py): new papers counted in full, old ones only for keys new
    to the pool, an old paper whose acronym the corpus now reads otherwise
    counted again. Tags, names, members, each paper's tags and keywords,
    and the counts kept for the next build, are those of a count from
    scratch."""
    keywords, texts, titles = tag_inputs(seed_site)
    keywords["zz-uses-qzx"], texts["zz-uses-qzx"] = ["QZX"], USES_QZX  # no long form word
    keywords["zz-defines-qzx"], texts["zz-defines-qzx"] = ["QZX", "zebra xylophones"], DEFINES_QZX
    keywords["zz-names-nzx"], texts["zz-names-nzx"] = ["novel zebra xylophones"], NAMES_NZX
    keywords["zz-defines-nzx"], texts["zz-defines-nzx"] = ["NZX", "music model"], DEFINES_NZX
    titles.update({"zz-uses-qzx": "Training QZX models", "zz-defines-qzx": "Zebra xylophones"})
    titles.update({"zz-names-nzx": "Zebra xylophones", "zz-defines-nzx": "NZX"})
    for n in (1, 2):
        keywords[f"zz-vog-{n}"], texts[f"zz-vog-{n}"] = ["velvet otter graphs"], NAMES_VOG
    keywords["zz-titles-vog"], texts["zz-titles-vog"] = ["quokka plinths"], "Quokka plinths abound."
    titles["zz-titles-vog"] = "Velvet otter graphs of quokka plinths"
    rules = load_rules(seed_site / "tags.yml")
    slugs = sorted(keywords)
    late = (set(slugs[::6]) | {"zz-defines-qzx", "zz-defines-nzx", "zz-vog-1", "zz-vog-2"}) - {
        "zz-names-nzx",
        "zz-uses-qzx",
        "zz-titles-vog",
    }

    def subset(mapping: dict, keep) -> dict:
        return {s: v for s, v in mapping.items() if keep(s)}

    def early(s):
        return s not in late

    kept = tmp_path / "kept.marshal"
    build_tags(
        subset(keywords, early), subset(texts, early), subset(titles, early), rules, 2, False, kept
    )
    first = tag_counts.load(kept)
    plans = []
    real_plan = tag_counts.plan
    monkeypatch.setattr(tag_counts, "plan", lambda *a: plans.append(real_plan(*a)) or plans[-1])
    updated = build_tags(keywords, texts, titles, rules, 2, False, kept)
    monkeypatch.undo()

    (update,) = plans
    assert update is not None and update.new == late
    assert len(update.delta.keys) > 20 and "QZX" in update.changed_acronyms
    fresh = tmp_path / "fresh.marshal"
    assert tag_result(updated) == tag_result(
        build_tags(keywords, texts, titles, rules, 2, False, fresh)
    )
    ours, theirs = tag_counts.load(kept), tag_counts.load(fresh)
    assert [dict(c) for c in ours.counts] == [dict(c) for c in theirs.counts]
    assert (ours.title_papers, ours.pool, ours.papers) == (
        theirs.title_papers, theirs.pool, theirs.papers,
    )  # fmt: skip
    assert ours.title_words == theirs.title_words
    assert ours.lines == theirs.lines
    # An old paper's own capitalisation may still hold words that since
    # joined the pool (no longer looked up): the rest is the same.
    assert ours.own_case.keys() == theirs.own_case.keys()
    for slug, case in theirs.own_case.items():
        assert {w: n for w, n in ours.own_case[slug].items() if w in case} == case
    assert ours.cands == theirs.cands
    assert (dict(ours.shared), dict(ours.written)) == (dict(theirs.shared), dict(theirs.written))
    assert ours.definitions == theirs.definitions
    assert (ours.first_kept, ours.kept, ours.mentions) == (
        theirs.first_kept, theirs.kept, theirs.mentions,
    )  # fmt: skip
    assert [dict(c) for c in ours.standalone] == [dict(c) for c in theirs.standalone]
    assert ours.first_kept != first.first_kept and ours.kept != first.kept  # both moved
    assert ours.cands["zz-names-nzx"] == {key("novel zebra xylophones"): "novel zebra xylophones"}
    assert key("velvet otter graphs") in ours.mentions["zz-titles-vog"]
    assert key("velvet otter graphs") not in first.mentions["zz-titles-vog"]


WORDS = st.sampled_from("abcdef")


# Words that begin and end one another: a key is found as whole words only.
LINE_WORDS = st.sampled_from(["a", "b", "ab", "ba", "c"])


def test_a_papers_words_are_read_back_from_its_line(corpus):
    """The kept state saves each paper's words as its line only; a rebuild
    reads an old paper's words from it (tag_counts.LineWords)."""
    for stream in corpus["words"].values():
        assert line_words(words_line(stream)) == stream
    assert line_words(words_line([])) == []
    lines = {slug: words_line(stream) for slug, stream in corpus["words"].items()}
    words = tag_counts.LineWords(lines)
    slug = sorted(lines)[3]
    assert words[slug] == corpus["words"][slug] and list(words) == [slug]


@settings(max_examples=400, deadline=None)
@example(stream=[("a",), ("b", "c")], keys={("a", "b")})  # not across segments
@example(stream=[("ab", "c")], keys={("b", "c")})  # not inside a word
@example(stream=[("a", "ba")], keys={("a", "b")})
@given(
    st.lists(st.lists(LINE_WORDS, max_size=6).map(tuple), max_size=5),
    st.sets(st.lists(LINE_WORDS, min_size=1, max_size=4).map(tuple), max_size=4),
)
def test_a_paper_holds_a_key_when_the_key_is_a_run_of_one_segments_words(stream, keys):
    """What decides which old papers a rebuild reads again: a key occurs in
    a segment as consecutive whole words (not across segments)."""
    runs = {seg[i:j] for seg in stream for i in range(len(seg)) for j in range(i + 1, len(seg) + 1)}
    assert KeySearch(keys)(words_line(stream)) == (not runs.isdisjoint(keys))


def test_a_rebuild_shows_most_papers_keywords_as_made_last_time_and_all_as_from_scratch(
    seed_site, tmp_path, monkeypatch
):
    """A paper whose candidates, words and tags are as they were, and whose
    candidates read as they did, shows the keywords the last build made
    (tag_counts.Shown): most papers, when a dump adds a few. Every paper
    shows what a count from scratch gives."""
    keywords, texts, titles = tag_inputs(seed_site)
    rules = load_rules(seed_site / "tags.yml")
    # Papers that define no acronym: the others' candidates stay as read.
    late = {s for s in sorted(keywords)[::10] if not find_definitions(texts[s])}

    def early(mapping: dict) -> dict:
        return {s: v for s, v in mapping.items() if s not in late}

    kept = tmp_path / "kept.marshal"
    build_tags(early(keywords), early(texts), early(titles), rules, 2, False, kept)
    reused = []
    real_still = tag_counts.Shown.still

    def still(self, *args):
        made = real_still(self, *args)
        reused.append(made is not None)
        return made

    monkeypatch.setattr(tag_counts.Shown, "still", still)
    updated = build_tags(keywords, texts, titles, rules, 1, False, kept)  # still() in this process
    monkeypatch.undo()
    assert sum(reused) > 0.6 * len(keywords)
    fresh = build_tags(keywords, texts, titles, rules, 2, False, tmp_path / "fresh.marshal")
    assert tag_result(updated) == tag_result(fresh)


def test_a_rebuild_reads_in_one_process_and_saves_its_counts_in_another(
    seed_site, tmp_path, monkeypatch
):
    """A rebuild's passes run in the build process (pass_jobs=1: the related
    papers take the other core), while its counts are still saved by
    another process. The result, and that of the next build from those
    counts, are a count from scratch's."""
    keywords, texts, titles = tag_inputs(seed_site)
    rules = load_rules(seed_site / "tags.yml")
    kept = tmp_path / "kept.marshal"
    last = sorted(keywords)[::10]  # the papers the rebuild adds
    early = [{s: v for s, v in m.items() if s not in last} for m in (keywords, texts, titles)]
    build_tags(*early, rules, 2, False, kept)
    passes = []
    real_map_runs = tags_module.map_runs

    def map_runs(fn, state, papers, jobs, *rest):
        passes.append(jobs)
        return real_map_runs(fn, state, papers, jobs, *rest)

    monkeypatch.setattr(tags_module, "map_runs", map_runs)
    updated = build_tags(keywords, texts, titles, rules, 2, False, kept, True, pass_jobs=1)
    saved_apart = [save._process is not None for save in updated.saving]
    updated.wait()
    monkeypatch.undo()
    assert passes == [1] * tags_module.PASSES
    assert saved_apart == [True, True]
    fresh = build_tags(keywords, texts, titles, rules, 2, False, tmp_path / "fresh.marshal")
    assert tag_result(updated) == tag_result(fresh)
    again = build_tags(keywords, texts, titles, rules, 2, False, kept)
    assert tag_result(again) == tag_result(fresh)


def test_a_shown_keywords_record_is_read_with_the_state_it_was_made_with_only(seed_site, tmp_path):
    """The record is saved apart from the tag state, after it: a build
    stopped between the two saves leaves the last build's record beside
    the new state, and keywords shown from it could be another build's."""
    keywords, texts, titles = tag_inputs(seed_site)
    kept = tmp_path / "kept.marshal"
    build_tags(keywords, texts, titles, None, 1, False, kept)
    assert tag_counts.load(kept).shown.words.keys() == keywords.keys()
    last_record = tag_counts.shown_path(kept).read_bytes()
    build_tags(keywords, texts, titles, None, 1, False, kept)
    assert tag_counts.load(kept).shown.words.keys() == keywords.keys()
    tag_counts.shown_path(kept).write_bytes(last_record)
    assert tag_counts.load(kept).shown == tag_counts.Shown()
    tag_counts.shown_path(kept).unlink()
    assert tag_counts.load(kept).shown == tag_counts.Shown()


def test_last_shown_keywords_hold_while_what_they_were_made_from_does():
    a, b, c, d = ("a",), ("b",), ("c",), ("d",)
    facts = {a: (a, True), b: (b, True), c: (c, False), d: (d, False)}
    shown = tag_counts.Shown.of(
        {"p": (["A", "B", "C"], 2)}, {"p": [a]}, {"p": dict.fromkeys([b, c])}, facts.get
    )
    assert shown.looked == {"p": (b, c)} and shown.facts == {
        a: (a, True),
        b: (b, True),
        c: (c, False),
    }

    def still(chosen=(a,), cands=(b, c), changed=None, most=8):
        now = {**facts, **(changed or {})}
        moved = shown.moved(now.get)
        return shown.still("p", list(chosen), dict.fromkeys(cands, ""), moved, most)

    assert still(most=3) == (["A", "B", "C"], 2)
    assert still(cands=(b, c, d), most=3) == (["A", "B", "C"], 2)  # d was never looked at
    assert still(cands=(b, c, d)) is None  # fewer than 8 shown: d is looked at now
    assert still() == (["A", "B", "C"], 2)
    assert still(chosen=(b,)) is None
    assert still(cands=(c, b)) is None
    assert still(changed={c: (a, False)}) is None
    assert still(changed={a: (a, False)}) is None  # a tag of the paper
    assert still(changed={d: (a, False)}) == (["A", "B", "C"], 2)
    assert shown.moved(facts.get) == set()
    assert shown.still("q", [a], {}, set(), 8) is None  # a new paper


def test_an_edited_or_removed_paper_makes_the_tags_stage_count_from_scratch(
    seed_site, tmp_path, monkeypatch
):
    keywords, texts, titles = tag_inputs(seed_site)
    kept = tmp_path / "kept.marshal"
    build_tags(keywords, texts, titles, None, 1, False, kept)
    edited, removed = sorted(texts)[3], sorted(texts)[5]
    texts[edited] += " We also study sparse zebra autoencoders (SZAs)."
    for papers in (keywords, texts, titles):
        del papers[removed]
    plans = []
    real_plan = tag_counts.plan
    monkeypatch.setattr(tag_counts, "plan", lambda *a: plans.append(real_plan(*a)) or plans[-1])
    again = build_tags(keywords, texts, titles, None, 1, False, kept)
    monkeypatch.undo()
    assert plans == [None]
    fresh = tmp_path / "fresh.marshal"
    assert tag_result(again) == tag_result(
        build_tags(keywords, texts, titles, None, 1, False, fresh)
    )
    ours, theirs = tag_counts.load(kept), tag_counts.load(fresh)
    assert ours.definitions == theirs.definitions
    # The candidates' sums, brought up to date: the edited and the removed
    # papers' old candidates taken off.
    assert (dict(ours.shared), dict(ours.written)) == (dict(theirs.shared), dict(theirs.written))


@settings(max_examples=400, deadline=None)
@example(stream=[("a", "a", "a")], key=("a", "a"))  # overlapping places
@example(stream=[("b", "a")], key=("a",))  # at a segment's end
@given(
    st.lists(st.lists(WORDS, max_size=6).map(tuple), max_size=4),
    st.lists(WORDS, min_size=1, max_size=3).map(tuple),
)
def test_a_papers_own_figures_count_every_place_of_the_key(stream, key):
    """paper_stats, which decides whether a candidate not in the pool is
    shown: every place of the key, with the word before and after it."""
    n = len(key)
    places = [(seg, i) for seg in stream for i in range(len(seg) - n + 1) if seg[i : i + n] == key]
    own = paper_stats(stream, key, Counter())
    assert own.seen[key] == len(places)
    assert own.after[key] == Counter(seg[i + n] if i + n < len(seg) else None for seg, i in places)
    assert own.before[key] == Counter(seg[i - 1] if i else None for seg, i in places)


def test_one_word_topics_need_titles_that_hold_them(seed_site):
    """A single word is a tag when titles use it (alignment, clustering);
    a word only one paper offers is not shown among its keywords, though
    its own title holds it (is_lone_word: such a word is counted in no
    title, as it is not a key of the pool)."""
    keywords, texts, titles = tag_inputs(seed_site)
    slug = "zz-zebrafish"
    keywords[slug] = ["zebrafish", "graph neural networks"]
    texts[slug] = "We screen zebrafish with graph neural networks. The zebrafish data are open."
    titles[slug] = "Zebrafish screening with graph neural networks"
    got = build_tags(keywords, texts, titles, load_rules(seed_site / "tags.yml"), jobs=1)
    one_word = {t.slug for t in got.tags if "-" not in t.slug}
    assert {"alignment", "clustering", "curriculum"} <= one_word
    assert "graph neural networks" in [k.lower() for k in got.paper_keywords[slug]]
    assert "zebrafish" not in [k.lower() for k in got.paper_keywords[slug]]


def test_a_tag_named_index_leaves_the_page_of_all_tags_alone(tmp_path):
    """The tag "Index" would be tags/index.md: the page that lists every
    tag. The build failed on the two pages at one path; the tag gets
    index-2 instead."""
    pairs = [
        (
            "Index Structures for Learned Databases",
            "We build a learned index for databases. The index adapts to the data.",
        ),
        (
            "Index Tuning with Reinforcement Learning",
            "Index tuning picks an index for each query. The index choice matters.",
        ),
        ("Storage Engines", "Storage engines keep data on disk. Each engine has a log."),
    ]
    root = make_project(tmp_path / "p", {"001_index.txt": packed(pairs)})
    report = generate(Paths.at(root))
    by_name = {t.name: t for t in report.archive.tags}
    assert by_name["Index"].slug == "index-2" and len(by_name["Index"].papers) == 2
    site_src = root / "site_src"
    assert "<h1>Tags</h1>" in (site_src / "tags/index.md").read_text(encoding="utf-8")
    assert "<h1>Index</h1>" in (site_src / "tags/index-2.md").read_text(encoding="utf-8")
    assert 'href="index-2/">Index</a>' in (site_src / "tags/index.md").read_text(encoding="utf-8")


def test_a_state_counted_from_scratch_is_kept_with_one_copy_of_each_value(seed_site, tmp_path):
    """Forked workers send back their own copies of keys and words, and
    one process reads equal ones apart: the kept state and its shown
    keywords' record hold one object per equal word and key, so that the
    next build loads fewer (marshal and pickle write an object they met
    before as a reference)."""
    keywords, texts, titles = tag_inputs(seed_site)

    def objects_per_value(jobs: int) -> list[float]:
        path = tmp_path / f"kept-{jobs}.marshal"
        build_tags(keywords, texts, titles, None, jobs, False, path)
        state = tag_counts.load(path)
        cands, shown = state.cands.values(), state.shown  # two files: shared within each
        keys = [key for paper in cands for key in paper]
        keys += [*state.pool, *state.kept, *chain.from_iterable(state.mentions.values())]
        spelt = [text for paper in cands for text in paper.values()]
        shown_keys = [*chain.from_iterable(shown.looked.values()), *shown.facts]
        shown_keys += chain.from_iterable(shown.chosen.values())
        shown_words = [w for key in shown_keys for w in key]
        shown_words += chain.from_iterable(shown.words.values())
        found = keys, spelt, [w for key in keys for w in key], shown_keys, shown_words
        return [len(set(map(id, values))) / len(set(values)) for values in found]

    assert objects_per_value(2) == objects_per_value(1) == [1.0] * 5
