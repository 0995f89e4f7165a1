"""Export: every paper as papers.json and papers.csv at the site root.

The schema is documented in README.md ("Data export"); bump
EXPORT_VERSION when a field changes meaning or goes away.
"""

from __future__ import annotations

import csv
import io
import json

from .models import Archive, Paper

EXPORT_VERSION = 1
CSV_FIELDS = (
    "slug",
    "url",
    "title",
    "abstract",
    "keywords",
    "tags",
    "dumps",
    "first_dump",
    "links",
    "code_links",
    "related",
)
LIST_SEPARATOR = "; "  # links are separated by spaces instead: a URL may hold ";"
# A spreadsheet runs a cell starting with one of these as a formula; dump
# text is untrusted, so such CSV cells get a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def paper_record(paper: Paper, tag_names: dict[str, str], site_url: str) -> dict:
    return {
        "slug": paper.slug,
        "url": f"{site_url}papers/{paper.slug}/",
        "title": paper.title,
        "abstract": paper.text,
        "keywords": paper.keywords,
        "tags": [{"slug": slug, "name": tag_names[slug]} for slug in paper.tags],
        "dumps": paper.dumps,
        "first_dump": paper.first_dump,
        "links": paper.links,
        "code_links": paper.code_links,
        "related": paper.related,
    }


def export_json(archive: Archive, site_url: str = "") -> str:
    """One paper per line, so a new dump shows as a readable diff."""
    names = {t.slug: t.name for t in archive.tags}
    head = {
        "version": EXPORT_VERSION,
        "dumps": [
            {"name": d.name, "listing_date": d.listing_date, "layout": d.layout}
            for d in archive.dumps
        ],
    }
    papers = [
        json.dumps(paper_record(p, names, site_url), ensure_ascii=False) for p in archive.papers
    ]
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    return opening + ', "papers": [\n' + ",\n".join(papers) + "\n]}\n"


def export_csv(archive: Archive, site_url: str = "") -> str:
    names = {t.slug: t.name for t in archive.tags}
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for paper in archive.papers:
        record = paper_record(paper, names, site_url)
        record["tags"] = [tag["name"] for tag in record["tags"]]
        for key in ("keywords", "tags", "dumps", "related"):
            record[key] = LIST_SEPARATOR.join(record[key])
        for key in ("links", "code_links"):
            record[key] = " ".join(record[key])
        for key in ("title", "abstract", "keywords", "tags"):
            if record[key].startswith(FORMULA_START):
                record[key] = "'" + record[key]
        writer.writerow(record)
    return out.getvalue()


def render_exports(archive: Archive, site_url: str = "") -> dict[str, str]:
    return {
        "papers.json": export_json(archive, site_url),
        "papers.csv": export_csv(archive, site_url),
    }
