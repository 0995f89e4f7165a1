"""Search benchmark: known-item recall and what a visitor downloads.

    .venv/bin/python bench/search_bench.py                   # seeds, then 50,000 synthetic papers
    .venv/bin/python bench/search_bench.py --synthetic 0     # seeds only

1. Builds the seed dumps for real (`python -m generator build`: MkDocs, then
   Pagefind) in a temporary folder and times the Pagefind step alone.
2. Known-item search: --queries seed papers (every k-th paper by slug); the
   query is the three title words with the lowest document frequency over
   the archive's titles and abstracts (words of 3+ characters, not stop
   words; ties: longer word, then alphabetical). Every query runs through the
   real Pagefind index in Debian's chromium, with Pagefind's JS API as the
   header search calls it; prints recall@1 and recall@5.
3. Downloads: in cold browser contexts, the bytes of loading a page, then of
   a first query typed into the header search (Pagefind's JS and
   WebAssembly, its metadata, the index chunks and the fragments of the ten
   results shown). "served" is what this local server sends (response
   bodies from Playwright's network log); "gzip" counts text files
   (html/js/css/json) gzip-compressed as GitHub Pages serves them
   (Pagefind's index files are already gzip-compressed).
4. The same at a synthetic archive of --synthetic papers: paper pages made
   by the real paper template (titles and abstracts recombined from the
   seeds by bench/synth.py, keywords cut from the abstract, tags from a
   synthetic vocabulary) inside the real page shell of a seed paper page,
   indexed by Pagefind directly, in shards as the build makes them (index_site):
   MkDocs is skipped to keep the run short.
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import make_paper, seed_material  # noqa: E402
from generator.merge import base_slug, merge_entries  # noqa: E402
from generator.models import Dump, Paper, Tag  # noqa: E402
from generator.parse import read_dumps  # noqa: E402
from generator.render import make_env  # noqa: E402
from generator.search_index import SHARD_PAGES, index_site  # noqa: E402
from generator.snippets import Snippets  # noqa: E402
from tests.browser import chromium, require_chromium, serving  # noqa: E402
from tests.project import make_project  # noqa: E402

STOP_WORDS = set(
    "the and for with from via into onto over under using towards toward through"
    " its our are can not all any how what when where which who why this that these"
    " those than then they their them you your has have had was were been being"
    " more most less such each other only also but yet per one two three new".split()
)
BROAD_QUERIES = ["language models", "diffusion", "reinforcement learning"]
TEXT_SUFFIXES = {".html", ".js", ".css", ".json", ".svg", ".xml", ".txt"}
QUERY_JS = """
async ([root, queries]) => {
  const pf = await import(root + "pagefind/pagefind.js");
  const options = { baseUrl: new URL(root).pathname };
  await pf.options(options);
  await pf.init();
  // The shards of a large index, merged as the header search merges them.
  const listing = await (await fetch(root + "pagefind/shards.json")).json();
  for (const shard of listing.shards) await pf.mergeIndex(root + "pagefind/" + shard, options);
  const out = [];
  for (const q of queries) {
    const search = await pf.search(q);
    const top = await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
    out.push(top.map((d) => d.url));
  }
  return out;
}
"""


def words(text: str) -> list[str]:
    return [
        w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 3 and w not in STOP_WORDS
    ]


def known_item_queries(papers: list[Paper], n: int) -> list[tuple[Paper, str]]:
    """n papers spread over the slug order, each with its three rarest title words."""
    df = Counter()
    for paper in papers:
        df.update(set(words(paper.title + " " + paper.abstract)))
    step = max(1, len(papers) // n)
    chosen = sorted(papers, key=lambda p: p.slug)[::step][:n]
    queries = []
    for paper in chosen:
        rare = sorted(set(words(paper.title)), key=lambda w: (df[w], -len(w), w))[:3]
        queries.append((paper, " ".join(rare)))
    return queries


def recall(browser, url: str, queries: list[tuple[Paper, str]]) -> tuple[float, float, list]:
    page = browser.new_page()
    page.goto(url)
    tops = page.evaluate(QUERY_JS, [url, [q for _, q in queries]])
    page.close()
    prefix = urlsplit(url).path
    misses, at1, at5 = [], 0, 0
    for (paper, query), top in zip(queries, tops, strict=True):
        want = f"{prefix}papers/{paper.slug}/"
        at1 += bool(top[:1] == [want])
        at5 += want in top
        if want not in top[:1]:
            rank = top.index(want) + 1 if want in top else None
            misses.append((query, paper.title, rank))
    return at1 / len(queries), at5 / len(queries), misses


def local_file(site: Path, url: str) -> Path:
    path = urlsplit(url).path.lstrip("/")
    file = site / path
    return file / "index.html" if path.endswith("/") or not path else file


def count_bytes(site: Path, requests) -> dict:
    """Bytes served, and with text files gzip-compressed, for finished requests."""
    served = gzipped = 0
    files = []
    for request in requests:
        file = local_file(site, request.url)
        # This server sends files as they are; Playwright reports no body
        # size for a worker's script, so count the file itself.
        size = file.stat().st_size if file.is_file() else request.sizes()["responseBodySize"]
        served += size
        if file.suffix in TEXT_SUFFIXES and file.is_file():
            gzipped += len(gzip.compress(file.read_bytes(), 6))
        else:
            gzipped += size
        files.append((urlsplit(request.url).path, size))
    return {"served": served, "gzip": gzipped, "requests": len(requests), "files": files}


def downloads(browser, site: Path, url: str, page_path: str, query: str) -> tuple[dict, dict]:
    """Bytes of loading a page cold, then of a first query in the header search."""
    context = browser.new_context()
    # Nothing may come from anywhere but the local server.
    context.route(
        re.compile(r"^(?!http://127\.0\.0\.1:)"),
        lambda route: route.abort(),
    )
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    page = context.new_page()
    page.goto(url + page_path, wait_until="networkidle")
    load = count_bytes(site, finished)
    finished.clear()
    page.keyboard.press("/")
    page.locator(".pa-search__input").fill(query)
    page.wait_for_selector(".pa-search__result")
    page.wait_for_function("!document.querySelector('.pa-search').hasAttribute('aria-busy')")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    first = count_bytes(site, finished)
    context.close()
    return load, first


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def first_queries(browser, site: Path, url: str, label: str, queries: list[str]) -> list[dict]:
    firsts = [downloads(browser, site, url, "", q)[1] for q in queries]
    served = [f["served"] for f in firsts]
    zipped = [f["gzip"] for f in firsts]
    print(
        f"  first query, cold, {label} ({len(firsts)}): median {kb(statistics.median(served))}"
        f" served, {kb(statistics.median(zipped))} gzip; max {kb(max(served))} served,"
        f" {kb(max(zipped))} gzip"
    )
    return firsts


def report_downloads(browser, site: Path, url: str, queries: list[str], paper_path: str) -> None:
    for name, path in (("home page", ""), ("paper page", paper_path)):
        load, _ = downloads(browser, site, url, path, queries[0])
        print(
            f"  page load, {name}: {kb(load['served'])} served, {kb(load['gzip'])} gzip"
            f" ({load['requests']} requests)"
        )
    firsts = first_queries(browser, site, url, "known-item queries", queries)
    firsts += first_queries(browser, site, url, "broad queries", BROAD_QUERIES)
    worst = max(firsts, key=lambda f: f["gzip"])
    kinds = Counter()
    for path, size in worst["files"]:
        name = path.rsplit("/", 1)[-1]
        kinds[name if name.endswith(".js") else name[name.rfind(".") :]] += size
    print("    the largest, by file: " + ", ".join(f"{k} {kb(v)}" for k, v in kinds.most_common()))


def bundle_figures(site: Path) -> str:
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    chunks = [p for p in files if p.suffix == ".pf_index"]
    meta = sum(p.stat().st_size for p in files if p.suffix == ".pf_meta")
    size = sum(p.stat().st_size for p in files)
    return f"bundle {size / 2**20:,.1f} MB in {len(files):,} files; {len(chunks)} index chunks; metadata {kb(meta)}"


def build_seed_site(work: Path) -> Path:
    make_project(work, seeds=True)
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", work / ".cache")  # keyword cache: saves YAKE time only
    cmd = [sys.executable, "-m", "generator", "--root", str(work), "build"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"seed build failed:\n{result.stderr}")
    return work / "site"


def synthetic_site(seed_site: Path, out: Path, n: int) -> list[SimpleNamespace]:
    """The seed site with its paper pages replaced by n synthetic ones; returns
    their slugs, titles without the made-up codename, and abstracts."""
    shutil.copytree(seed_site, out, ignore=shutil.ignore_patterns("pagefind"))
    sample = next(iter(sorted((out / "papers").glob("*/index.html"))))
    shell = sample.read_text(encoding="utf-8")
    head, rest = shell.split('<article class="pa-paper"', 1)
    tail = rest.split("</article>", 1)[1]
    shutil.rmtree(out / "papers")
    titles, sentences = seed_material()
    rng = random.Random(7)
    vocab = sorted({w.lower() for t in titles for w in t if w.isalpha() and len(w) > 3})
    tag_names = sorted(
        {
            f"{a} {b}"
            for a, b in zip(
                rng.sample(vocab, len(vocab)), rng.sample(vocab, len(vocab)), strict=True
            )
        }
    )
    tags = {base_slug(name): Tag(base_slug(name), name, []) for name in tag_names}
    tag_slugs = sorted(tags)
    weights = [1 / (rank + 1) for rank in range(len(tag_slugs))]
    n_dumps = max(1, n // 250)
    dumps = {
        f"{d:05d}_synthetic": Dump(f"{d:05d}_synthetic", "", "packed", f"Sep {d % 28 + 1}", [])
        for d in range(n_dumps)
    }
    dump_names = sorted(dumps)
    env = make_env()
    ctx = SimpleNamespace(tags=tags, dumps=dumps, papers={})
    ctx.snippets = Snippets(env, ctx)  # as render.build_context sets it
    template = env.get_template("paper.md.j2")
    made = []
    for i in range(n):
        prng = random.Random(i)
        title, abstract = make_paper(i, prng, titles, sentences)
        slug = f"{base_slug(title)[:80]}-{i}"
        spans = abstract.split()
        keywords = []
        for _ in range(8):
            at = prng.randrange(0, max(1, len(spans) - 3))
            keywords.append(" ".join(spans[at : at + prng.randint(1, 3)]).strip(".,;:"))
        d = i * n_dumps // n
        paper = Paper(
            slug=slug,
            title=title,
            abstract=abstract,
            dumps=[dump_names[d]]
            + ([dump_names[d + 1]] if d + 1 < n_dumps and i % 20 == 0 else []),
            first_line=1,
            text=abstract,
            links=[f"https://github.com/synthetic/repo{i}"] if i % 4 == 0 else [],
            keywords=keywords,
            tags=sorted(set(prng.choices(tag_slugs, weights, k=prng.randint(3, 6)))),
        )
        markdown = template.render(ctx=ctx, paper=paper, root="../../")
        article = markdown.split("---\n", 2)[2].split('<article class="pa-paper"', 1)[1]
        page = out / "papers" / slug / "index.html"
        page.parent.mkdir(parents=True)
        made.append(SimpleNamespace(slug=slug, title=title.split(": ", 1)[1], abstract=abstract))
        page.write_text(
            head
            + '<article class="pa-paper"'
            + article.split("</article>", 1)[0]
            + "</article>"
            + tail,
            encoding="utf-8",
        )
    return made


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60, help="known-item queries (default 60)")
    parser.add_argument(
        "--synthetic", type=int, default=50_000, help="papers in the synthetic archive (0: skip)"
    )
    parser.add_argument(
        "--first-queries", type=int, default=5, help="cold first queries measured per archive"
    )
    parser.add_argument(
        "--search-shard-pages",
        type=int,
        default=SHARD_PAGES,
        help=f"pages per index shard of the synthetic archive, as the build's option"
        f" (default {SHARD_PAGES:,}; as many as --synthetic: one index)",
    )
    args = parser.parse_args()
    require_chromium()
    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        print("seed archive (real build: generator, MkDocs, Pagefind)")
        start = time.perf_counter()
        site = build_seed_site(work / "seed")
        print(f"  full build {time.perf_counter() - start:.1f} s")
        report = index_site(site)
        print(
            f"  Pagefind indexing: {report.pages} paper pages in {report.seconds:.2f} s; {bundle_figures(site)}"
        )
        papers, _ = merge_entries(read_dumps(ROOT / "dumps"))
        queries = known_item_queries(papers, args.queries)
        synth_dir = work / "synthetic"
        synth_report = None
        if args.synthetic:
            # Index before any browser runs, so the child peak RSS is Pagefind's or MkDocs'.
            before = child_peak_mb()
            start = time.perf_counter()
            synth_papers = synthetic_site(site, synth_dir, args.synthetic)
            made = time.perf_counter() - start
            synth_report = index_site(synth_dir, args.search_shard_pages)
            after = child_peak_mb()
            memory = (
                f"peak RSS {after:,.0f} MB" if after > before else f"peak RSS <= {before:,.0f} MB"
            )
        with serving(site) as url, chromium() as browser:
            at1, at5, misses = recall(browser, url, queries)
            print(
                f"  known-item ({len(queries)} papers, query = 3 rarest title words): recall@1 {at1:.1%}, recall@5 {at5:.1%}"
            )
            for query, title, rank in misses:
                print(f"    not first: {query!r} -> {title!r} (rank {rank or '>5'})")
            report_downloads(
                browser,
                site,
                url,
                [q for _, q in queries[: args.first_queries]],
                f"papers/{queries[0][0].slug}/",
            )
        if synth_report:
            print(
                f"\nsynthetic archive: {args.synthetic:,} paper pages (real paper template and page shell; MkDocs skipped)"
            )
            print(f"  pages written in {made:.1f} s")
            print(
                f"  Pagefind indexing: {synth_report.pages:,} pages ({synth_report.shards} shards) in {synth_report.seconds:.1f} s, {memory}; {bundle_figures(synth_dir)}"
            )
            # Queries by the same rule, the codename every synthetic title
            # starts with left out (it alone would find the paper).
            synth_queries = known_item_queries(synth_papers, args.queries)
            with serving(synth_dir) as url, chromium() as browser:
                at1, at5, _ = recall(browser, url, synth_queries)
                print(
                    f"  known-item ({len(synth_queries)} papers, same rule, codename left out):"
                    f" recall@1 {at1:.1%}, recall@5 {at5:.1%} (says little: synthetic titles"
                    " recombine the seed titles, so thousands share their rarest words)"
                )
                report_downloads(
                    browser,
                    synth_dir,
                    url,
                    [q for _, q in synth_queries[: args.first_queries]],
                    f"papers/{synth_queries[0][0].slug}/",
                )
        print("\ngoals: recall@5 >= 95%; first query <= 250 KB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
