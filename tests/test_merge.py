from generator.merge import base_slug, merge_entries, normalise_title
from generator.models import Dump, Entry
from generator.parse import read_dumps
from tests.conftest import ROOT

ABSTRACT = "An abstract long enough. " * 12


def dump(name, *titles, abstract=ABSTRACT):
    entries = [Entry(name, 3 + 2 * i, t, abstract) for i, t in enumerate(titles)]
    return Dump(name, f"dumps/{name}.txt", "packed", None, entries)


def test_seeds_merge_into_591_papers_remembering_every_dump():
    dumps = read_dumps(ROOT / "dumps")
    papers, warnings = merge_entries(dumps)
    assert sum(len(d.entries) for d in dumps) == 636
    assert len(papers) == 591
    assert len({p.slug for p in papers}) == 591
    repeated = [p for p in papers if len(p.dumps) > 1]
    assert repeated, "the seeds share papers between dumps"
    for paper in repeated:
        assert paper.dumps == sorted(paper.dumps)
    assert warnings == []


def test_titles_differing_in_case_and_punctuation_are_one_paper():
    papers, _ = merge_entries(
        [dump("001", "Attention Is All You Need"), dump("002", "attention is all you need!")]
    )
    assert len(papers) == 1
    assert papers[0].dumps == ["001", "002"]
    assert papers[0].title == "Attention Is All You Need"  # first seen wins


def test_a_repeat_with_another_abstract_keeps_the_first_and_warns():
    first = dump("001", "Same Title")
    second = dump("002", "Same Title", abstract="A different abstract. " * 12)
    papers, warnings = merge_entries([first, second])
    assert papers[0].abstract == ABSTRACT
    [warning] = warnings
    assert warning.path == "dumps/002.txt" and warning.line == 3
    assert "001:3" in warning.message


def test_slug_comes_from_the_title_alone():
    assert (
        base_slug("Ship in Sight: Diffusion Models for Ship-Image Super Resolution")
        == "ship-in-sight-diffusion-models-for-ship-image-super-resolution"
    )
    assert base_slug("扩散模型") and base_slug("∑∏∫").startswith("paper-")


def test_adding_dumps_never_moves_existing_pages():
    before, _ = merge_entries([dump("001", "Café Models", "Other")])
    after, _ = merge_entries([dump("001", "Café Models", "Other"), dump("002", "Cafe Models")])
    slugs_before = {p.title: p.slug for p in before}
    slugs_after = {p.title: p.slug for p in after}
    assert all(slugs_after[t] == s for t, s in slugs_before.items())
    # The newcomer collides ("cafe-models") and gets a stable, distinct suffix.
    assert slugs_after["Cafe Models"].startswith("cafe-models-")
    assert slugs_after["Cafe Models"] != slugs_after["Café Models"]


def test_collisions_are_broken_the_same_way_every_time():
    dumps = [dump("001", "Café Models"), dump("002", "Cafe Models", "CAFÉ models?")]
    runs = [[(p.title, p.slug) for p in merge_entries(dumps)[0]] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert normalise_title("CAFÉ models?") == normalise_title("Café Models")


def test_a_title_normalises_to_its_letters_and_digits_in_lower_case():
    # Underscores, dashes, symbols and odd spaces all separate words;
    # letters and digits of any script stay.
    assert normalise_title("  Deep_Learning—for  Ünïcode\u00a0½ 3D-GS!? ") == (
        "deep learning for ünïcode 1 2 3d gs"
    )
    assert normalise_title("Σ-Net: 数据 ﬁne") == "σ net 数据 fine"
