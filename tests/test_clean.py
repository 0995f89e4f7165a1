import pytest

from generator.clean import clean_text, extract_links, is_code_link
from generator.merge import merge_entries
from generator.models import Paper
from generator.parse import read_dumps
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "raw, clean",
    [
        (r"improves accuracy by 5.2\% on", "improves accuracy by 5.2% on"),
        (r"Research \& Development", "Research & Development"),
        (
            r"mostly from ShipSpotting\url{www.shipspotting.com} website",
            "mostly from ShipSpotting www.shipspotting.com website",
        ),
        (
            r"is available at {https://github.com/csslc/CCSR}.",
            "is available at https://github.com/csslc/CCSR.",
        ),
        (r"the Sch\"{o}mformer and H\"older", "the Schömformer and Hölder"),
        (r"Fr\'echet distance", "Fréchet distance"),
        (r"the (Polyak-\L ojasiewicz) condition", "the (Polyak-Łojasiewicz) condition"),
        (r"{\it Lazy} evaluation", "Lazy evaluation"),
        (r"\textbf{Lved} wins", "Lved wins"),
        (r"a 3\(\times\) speed-up", "a 3× speed-up"),
    ],
)
def test_latex_remnants_are_cleaned(raw, clean):
    assert clean_text(raw) == clean


def test_cleaning_never_makes_markup_from_text():
    text = r"<b>bold</b> \url{javascript:alert(1)}"
    assert "<b>bold</b>" in clean_text(text)  # left as text; the templates escape it


@pytest.mark.parametrize(
    "text, links",
    [
        ("Code: https://github.com/a/b.", ["https://github.com/a/b"]),
        ("(see https://x.github.io/p/), and", ["https://x.github.io/p/"]),
        (
            "at https://en.wikipedia.org/wiki/Foo_(bar).",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("site www.shipspotting.com website", ["https://www.shipspotting.com"]),
        ("twice https://a.org/x and https://a.org/x;", ["https://a.org/x"]),
        ("javascript:alert(1) and data:text/html,hi", []),
        ("no host https://localhost", []),
    ],
)
def test_links_are_extracted_without_trailing_punctuation(text, links):
    assert extract_links(text) == links


def test_code_links_are_recognised_by_host():
    assert is_code_link("https://github.com/a/b")
    assert is_code_link("https://huggingface.co/tencent/x")
    assert not is_code_link("https://nju-3dv.github.io/projects/Direct3D/")
    assert not is_code_link("https://github.com.evil.example/a")


def test_a_papers_code_links_follow_its_links():
    # Kept once found (models.Paper.code_links): new links find them again.
    paper = Paper("p", "P", "A.", ["001_x"], 1, links=["https://example.org/x"])
    assert paper.code_links == []
    paper.links = ["https://example.org/x", "https://github.com/a/b"]
    assert paper.code_links == ["https://github.com/a/b"]


def test_129_seed_papers_link_code_or_a_project_page():
    papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
    with_links = [p for p in papers if extract_links(clean_text(p.abstract))]
    assert len(with_links) == 129
    for paper in with_links:
        for url in extract_links(clean_text(paper.abstract)):
            assert url.startswith("https://") or url.startswith("http://")
            assert url[-1] not in ".,;:)}]"
