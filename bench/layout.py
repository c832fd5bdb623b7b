"""Spread rendered records over dump files, number their lines, and write the files.

Papers pages hold the records of one listing date (a date with many records takes several
pages) and carry the date in their name, as CONTRACT §1 wants for the year. arXiv listings
hold a couple of hundred records in rough date order. A truncated record always ends a file,
which is the only place a truncated copy can come from. A few files have a BOM and CRLF.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from paperset.ingest.papers_page import HEADER_LINES

PAGE_SIZE = 60
LISTING_SIZE = 200
HF_HEADER = "\n\n".join(HEADER_LINES) + "\n\n"
FIRST_LINE = {"hf": 2 * len(HEADER_LINES) + 3, "arxiv": 1}  # header, date line, blanks
WINDOWS_SHARE = 0.01
TRUNCATED = ("truncated-listing", "truncated-page")


def assign_files(rng: np.random.Generator, records: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Add `file`, `ordinal` (0-based position in it) and `line` (1-based first line)."""
    records = records.with_columns(shuffle=pl.Series(rng.random(records.height)))
    truncated = pl.col("variant").is_in(TRUNCATED)
    regular = pl.concat(
        [
            _pages(records.filter(~truncated & (pl.col("format") == "hf")), prefix),
            _listings(rng, records.filter(~truncated & (pl.col("format") == "arxiv")), prefix),
        ]
    )
    placed = pl.concat([regular, _at_file_ends(rng, records.filter(truncated), regular)])
    return (
        placed.sort("file", "order")
        .with_columns(
            ordinal=pl.int_range(pl.len()).over("file"),
            line=_first_lines(),
        )
        .drop("order", "shuffle")
    )


def _pages(records: pl.DataFrame, prefix: str) -> pl.DataFrame:
    page = (pl.int_range(pl.len()).over("date") // PAGE_SIZE).cast(pl.String).str.zfill(2)
    name = pl.format(
        f"{prefix}pages/{{}}/papers_{{}}_{{}}.txt",
        pl.col("date").dt.year(),
        pl.col("date").dt.strftime("%Y-%m-%d"),
        page,
    )
    ordered = records.sort("date", "shuffle")
    return ordered.with_columns(file=name, order=pl.col("shuffle")).select(
        *records.columns, "file", "order"
    )


def _listings(rng: np.random.Generator, records: pl.DataFrame, prefix: str) -> pl.DataFrame:
    jitter = pl.duration(days=pl.lit(pl.Series(rng.integers(0, 31, records.height))))
    ordered = records.with_columns(
        order=(pl.col("date") + jitter).cast(pl.Float64) + pl.col("shuffle")
    )
    ordered = ordered.sort("order")
    chunk = pl.int_range(pl.len()) // LISTING_SIZE
    year = pl.col("date").dt.year().first().over(chunk)
    name = pl.format(
        f"{prefix}listings/{{}}/arxiv_{{}}.txt", year, chunk.cast(pl.String).str.zfill(5)
    )
    return ordered.with_columns(file=name).select(*records.columns, "file", "order")


def _at_file_ends(
    rng: np.random.Generator, truncated: pl.DataFrame, regular: pl.DataFrame
) -> pl.DataFrame:
    """Put each truncated record at the end of a different file of its format."""
    ends = regular.group_by("file", "format").agg(pl.col("order").max()).sort("file")
    placed = []
    for fmt in ("hf", "arxiv"):
        rows = truncated.filter(pl.col("format") == fmt)
        candidates = ends.filter(pl.col("format") == fmt)
        if rows.height > candidates.height:
            raise ValueError(
                f"{rows.height} truncated {fmt} records but only {candidates.height} files"
            )
        chosen = candidates[np.sort(rng.choice(candidates.height, rows.height, replace=False))]
        placed.append(rows.with_columns(file=chosen["file"], order=chosen["order"] + 1.0))
    return pl.concat(placed).select(regular.columns)


def _first_lines() -> pl.Expr:
    """Records are separated by one blank line, after the page header on papers pages."""
    span = pl.col("text").str.count_matches("\n") + 2
    before = span.cum_sum().over("file") - span
    start = pl.col("format").replace_strict(FIRST_LINE, return_dtype=pl.Int64)
    return (start + before).cast(pl.Int64)


def write_files(rng: np.random.Generator, placed: pl.DataFrame, root: Path) -> int:
    """Write every file of the batch under `root`; return how many were written.

    `placed` must be sorted by file and ordinal, as `assign_files` returns it.
    """
    files = placed.group_by("file", maintain_order=True).agg(
        pl.col("format").first(), pl.col("date").first().dt.strftime("%b %-d"), pl.len()
    )
    windows = rng.random(files.height) < WINDOWS_SHARE
    texts, start = placed["text"], 0
    for (name, fmt, date, count), crlf in zip(files.iter_rows(), windows, strict=True):
        body = "\n\n".join(texts.slice(start, count).to_list()) + "\n"
        start += count
        content = f"{HF_HEADER}{date}\n\n{body}" if fmt == "hf" else body
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            content.replace("\n", "\r\n").encode("utf-8-sig") if crlf else content.encode()
        )
    return files.height
