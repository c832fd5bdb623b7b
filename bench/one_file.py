"""The one-big-file case of `make bench`: the corpus's arXiv listings concatenated into one
dump, as a user's backfill often is, to show memory is bounded by the batch, not the file."""

from __future__ import annotations

import os
from pathlib import Path

_PAGE_MARKER = b"Get trending papers in your email inbox!"


def write_one_file(raw: Path, work: Path) -> tuple[Path, Path]:
    """Concatenate every arXiv-listing dump under `raw` into `work/one-file/all-listings.txt`
    (LF, no BOM; papers pages are left out: a page's date holds for its own records only),
    and hard-link the same dumps into `work/listings/`, the same records in their files.
    Return both folders."""
    one, split = work / "one-file", work / "listings"
    one.mkdir(parents=True, exist_ok=True)
    split.mkdir(parents=True, exist_ok=True)
    with (one / "all-listings.txt").open("wb") as out:
        for number, path in enumerate(sorted(p for p in raw.rglob("*") if p.is_file())):
            data = path.read_bytes()
            if _PAGE_MARKER in data or b"Created:" not in data:
                continue
            text = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            out.write(text.strip(b"\n") + b"\n\n")
            os.link(path, split / f"{number:06d}-{path.name}")
    return one, split


def listing_records(one: Path) -> int:
    """The records of the one file: one per `Created:` line."""
    count = 0
    with (one / "all-listings.txt").open("rb") as file:
        for line in file:
            count += line.lstrip().startswith(b"Created:")
    return count
