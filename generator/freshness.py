"""Skip the generator stages when nothing they read has changed.

Like make: the generated pages are a pure function of the dumps, tags.yml,
the site address, the generator's own code and templates, and the versions
of the libraries that shape the output. A digest of all of them is kept
with a list of the files written (size and mtime). When the next build has
the same digest and finds those files untouched, site_src/ is already what
the stages would write, byte for byte, and they are skipped. Anything else,
a dump edited, a page deleted or a library upgraded, runs them all.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .writer import generated_files

PACKAGE = Path(__file__).resolve().parent
# Libraries whose version can change the generated pages.
LIBRARIES = (
    "yake",
    "yake-rust",
    "jinja2",
    "markupsafe",
    "pyyaml",
    "python-slugify",
    "numpy",
    "scipy",
)
MANIFEST_VERSION = 1


@dataclass
class Manifest:
    inputs: str  # digest of everything the stages read
    files: dict[str, list[int]]  # path under site_src -> [size, mtime_ns]
    log: list[str] = field(default_factory=list)  # what the build printed about the dumps
    code: str = ""  # code_digest(): the pages below were rendered by this code
    pages: dict[str, str] = field(default_factory=dict)  # path -> its inputs (render.Page)


def input_digest(
    dumps: list[Path], config_files: list[Path], site_url: str, skip_bad: bool, code: str
) -> str:
    """code: code_digest()."""
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    for path in dumps:
        add(f"dump:{path.name}", path.read_bytes())
    for path in config_files:
        add(f"config:{path.name}", path.read_bytes() if path.exists() else b"(missing)")
    add("site_url", site_url.encode())
    add("skip_bad", str(skip_bad).encode())
    add("code", code.encode())
    return h.hexdigest()


def code_digest() -> str:
    """The generator's code and templates, and the libraries that shape its output."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".yml", ".json"):
            data = path.read_bytes()
            h.update(f"code:{path.relative_to(PACKAGE).as_posix()}\0{len(data)}\0".encode())
            h.update(data)
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "(none)"
        h.update(f"lib:{name}\0{version}\0".encode())
    return h.hexdigest()


def file_states(
    site_src: Path, paths, known: dict[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """known: states already read this build (render_runs.Staged.left_states),
    not stat'ed again: most of a rebuild's 30,000 files."""
    root, known = str(site_src), known or {}  # os.path on str: pathlib costs more than the stat
    return {rel: known[rel] if rel in known else file_state(root, rel) for rel in paths}


def file_state(root: str, rel: str) -> list[int]:
    """[size, mtime_ns]: what a manifest records of a file it lists."""
    stat = os.stat(os.path.join(root, rel))
    return [stat.st_size, stat.st_mtime_ns]


def text_digest(text: str) -> bytes:
    """A short key for a long text (the caches keep no copy of it). Lone
    surrogates (kept from bytes that are not UTF-8) are digested as they are."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def fingerprint(inputs: tuple) -> str:
    """Of a tuple of plain values (str, int, bool, None, tuples of them),
    as marshal writes them: each value with its kind and length, so no two
    inputs give the same bytes. Format 2 writes no back-references, so the
    bytes depend on the values only, not on which objects are shared. (A
    repr of every part cost twice as much.)"""
    return hashlib.blake2b(marshal.dumps(inputs, 2), digest_size=16).hexdigest()


def load(path: Path) -> Manifest | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return None
        return Manifest(
            data["inputs"],
            data["files"],
            data.get("log", []),
            data.get("code", ""),
            data.get("pages", {}),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no manifest, or not one we can trust: rebuild


def save(path: Path, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": MANIFEST_VERSION, **manifest.__dict__}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def is_fresh(manifest: Manifest | None, inputs: str, site_src: Path, dirs, files) -> bool:
    """The stages would write exactly what site_src/ holds."""
    if manifest is None or manifest.inputs != inputs:
        return False
    try:
        if generated_files(site_src, dirs, files) != set(manifest.files):
            return False
        return file_states(site_src, manifest.files) == manifest.files
    except OSError:
        return False
