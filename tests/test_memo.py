"""The memo of slugs and cleaned texts kept between builds (memo.py): a
rebuild computes them only for titles and abstracts it has not met, and
gives exactly what computing them all gives."""

from __future__ import annotations

import generator.build
import generator.enrich
import generator.merge
from generator.build import Paths, generate
from generator.memo import Memo
from tests.project import SEEDS
from tests.test_rebuild import project


def counted(calls: list):
    def fn(text: str) -> str:
        calls.append(text)
        return text.upper()

    return fn


def test_kept_results_are_given_back_and_only_those_asked_for_are_kept(tmp_path):
    path, calls = tmp_path / "memo.pickle", []
    memo = Memo(path, "code-1")
    upper = memo.wrap("upper", counted(calls))
    assert [upper(t) for t in ["a", "b", "a"]] == ["A", "B", "A"] and calls == ["a", "b"]
    memo.save()

    calls.clear()
    memo = Memo(path, "code-1")
    upper = memo.wrap("upper", counted(calls))
    assert [upper("b"), upper("c")] == ["B", "C"] and calls == ["c"]
    memo.save()  # "a" was not asked for: dropped

    calls.clear()
    upper = Memo(path, "code-1").wrap("upper", counted(calls))
    assert [upper(t) for t in "abc"] == ["A", "B", "C"] and calls == ["a"]
    upper = Memo(path, "code-2").wrap("upper", counted(calls))  # other code: not read
    assert upper("b") == "B" and calls == ["a", "b"]
    path.write_bytes(b"not a pickle")
    upper = Memo(path, "code-1").wrap("upper", counted(calls))
    assert upper("c") == "C" and calls == ["a", "b", "c"]


def test_a_memo_with_nothing_new_is_not_written_again(tmp_path):
    path = tmp_path / "memo.pickle"
    memo = Memo(path, "code")
    memo.wrap("upper", str.upper)("a")
    memo.save()
    path.write_bytes(path.read_bytes())  # any later write would show in the mtime
    written = path.stat().st_mtime_ns
    memo = Memo(path, "code")
    memo.wrap("upper", str.upper)("a")
    memo.save()
    assert path.stat().st_mtime_ns == written
    memo = Memo(path, "code")
    memo.save()  # the table was not asked for: dropped
    assert path.stat().st_mtime_ns != written


def test_a_rebuild_cleans_and_slugs_only_new_papers_and_gets_the_same_archive(
    tmp_path, monkeypatch
):
    root = project(tmp_path / "p", SEEDS[1:2])
    cleaned, slugged = [], []
    real_clean, real_slug = generator.enrich.clean_abstract, generator.merge.base_slug
    monkeypatch.setattr(
        generator.enrich, "clean_abstract", lambda a: cleaned.append(a) or real_clean(a)
    )
    monkeypatch.setattr(generator.build, "base_slug", lambda t: slugged.append(t) or real_slug(t))
    first = generate(Paths.at(root), write=False).archive.papers
    assert len(cleaned) == len(slugged) == len(first) > 50

    cleaned.clear(), slugged.clear()
    (root / "dumps" / SEEDS[3].name).write_bytes(SEEDS[3].read_bytes())
    again = generate(Paths.at(root), write=False).archive.papers
    old = {p.title for p in first}
    new = [p for p in again if p.title not in old]
    assert 0 < len(new) == len(slugged) == len(cleaned) < len(again)
    assert sorted(slugged) == sorted(p.title for p in new)

    # Computed afresh, without the memo: the same papers, field for field.
    Paths.at(root).memo.unlink()
    assert generate(Paths.at(root), write=False).archive.papers == again
    assert len(cleaned) == len(new) + len(again)
