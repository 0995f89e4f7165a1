"""The built site's size as GitHub Pages counts it.

The deploy workflow hands site/ to actions/upload-pages-artifact, which
archives it with GNU tar (`tar --dereference --hard-dereference -cf
artifact.tar --exclude=.git --exclude=.github .`). GitHub supports
published Pages sites of at most 1 GB, and says a larger tar is not
guaranteed to deploy (often it passes the 10-minute deployment timeout).
The tar grows by about 40 KB a paper, so an archive passes 1 GB at about
24,000 papers: the build says so when it happens, not a failed
deployment later, and gives notice past 80% of it. The tar's size is
computed from the files' sizes and names, the way GNU tar lays them out,
without writing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PAGES_LIMIT = 10**9  # bytes: GitHub's "1 GB", the smaller reading
BLOCK = 512  # tar writes everything in blocks of this many bytes
RECORD = 20 * BLOCK  # and pads the archive to a whole record
NAME_FIELD = 100  # a longer name goes in a header and blocks of its own
EXCLUDED = {".git", ".github"}  # the action's --exclude patterns
NEAR_LIMIT = 0.8  # past this share of the limit, the build says how close it is
SEE = "see 'Site size and GitHub Pages' in the README"


@dataclass(frozen=True)
class SiteSize:
    files: int
    file_bytes: int  # the files' sizes, summed
    tar_bytes: int  # the tar that upload-pages-artifact makes of them


def _padded(size: int, unit: int = BLOCK) -> int:
    """size rounded up to whole units: tar pads data to blocks, the archive to records."""
    return -(-size // unit) * unit


def _member(name: str, size: int = 0) -> int:
    """Bytes of one tar member: its header, its name's own header and
    blocks when the name does not fit the header (GNU's LongLink), and its
    data padded to whole blocks."""
    length = len(os.fsencode(name))
    long_name = BLOCK + _padded(length + 1) if length > NAME_FIELD else 0
    return BLOCK + long_name + _padded(size)


def measure(site: Path, record: int = RECORD) -> SiteSize:
    """Files and bytes of site/, and of its tar as the deploy workflow makes
    it: members named ./ and ./path (directories with a trailing slash),
    links followed, two zero blocks at the end, padded to a whole record
    (record: tar's blocking factor times BLOCK)."""
    files = file_bytes = 0
    tar = _member("./")
    folders = [(str(site), "./")]
    while folders:  # scandir: its entries know their type, without a stat each
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name in EXCLUDED:
                    continue
                if entry.is_dir():  # is_dir and stat follow links, as tar --dereference does
                    name = f"{prefix}{entry.name}/"
                    tar += _member(name)
                    folders.append((entry.path, name))
                else:
                    size = entry.stat().st_size
                    files += 1
                    file_bytes += size
                    tar += _member(prefix + entry.name, size)
    tar = _padded(tar + 2 * BLOCK, record)
    return SiteSize(files, file_bytes, tar)


def size_line(size: SiteSize) -> str:
    return (
        f"site: {size.files:,} files, {size.file_bytes / 1e6:,.1f} MB;"
        f" {size.tar_bytes / 1e6:,.1f} MB as the tar GitHub Pages deploys"
    )


def pages_message(size: SiteSize, limit: int | None = None) -> tuple[str, str] | None:
    """("warning", text) when the site is past what GitHub Pages supports,
    ("notice", text) when it has passed NEAR_LIMIT of it, so maintainers
    hear of it some dumps ahead; None otherwise. limit: PAGES_LIMIT unless
    given."""
    limit = PAGES_LIMIT if limit is None else limit
    tar, most = f"{size.tar_bytes / 1e6:,.0f} MB", f"{limit / 1e6:,.0f} MB"
    if size.tar_bytes > limit:
        return "warning", (
            f"the site's tar is {tar}: GitHub Pages supports sites of at most {most},"
            f" and may fail to deploy a larger one ({SEE})"
        )
    if size.tar_bytes > NEAR_LIMIT * limit:
        share = size.tar_bytes / limit
        return "notice", (
            f"the site's tar is {tar}, {share:.0%} of the {most} GitHub Pages supports ({SEE})"
        )
    return None
