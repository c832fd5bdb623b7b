"""Copy a small, hard slice of the real development set (../shared/real, CC0 arXiv metadata).

Run from the project root: `uv run python tests/data/real/make_subset.py`. It keeps whole
files: every file in another byte form (CRLF, BOM, cp1252), the papers pages where a one-line
abstract looks like a title, the listings holding the most long comments, short abstracts
and comments longer than their abstract, and the listings that share papers with the pages
kept. Their truth is the full truth restricted to those files; the expected paper rows are
derived from it (`paperset.real_eval.expected_papers`), and equal the full set's own for
every paper whose records all lie in the slice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from paperset.real_eval import expected_papers

REAL = Path("../shared/real")
HERE = Path(__file__).parent
PAGES_WITH_SHORT_ABSTRACTS = [
    "hf_papers_2024-09-12.txt",
    "hf_papers_2024-10-29.txt",
    "hf_papers_2026-03-11.txt",
]
HARD_LISTINGS = 8
PARTNER_LISTINGS = 4
MAX_RECORDS = 30  # per listing file picked for its content, to keep the slice small
TRUTH_COLUMNS = [
    "file",
    "record_index",
    "format",
    "arxiv_id",
    "sighting",
    "created_shown",
    "updated_shown",
    "doi_shown",
    "comments_shown",
    "title_shown",
    "listed_on",
    "abstract_written",
]


def main() -> None:
    files = pl.DataFrame(json.loads((REAL / "files.json").read_text()))
    truth = pl.read_parquet(REAL / "truth.parquet")
    papers = pl.read_parquet(REAL / "truth_papers.parquet")
    chosen = set(files.filter(pl.col("bytes") != "utf-8")["file"])
    chosen |= set(PAGES_WITH_SHORT_ABSTRACTS)
    small = truth.join(files.filter(pl.col("records") <= MAX_RECORDS).select("file"), on="file")
    chosen |= set(_hard_listings(small, papers)["file"])
    chosen |= set(_partners(truth, small, chosen)["file"])
    subset = truth.filter(pl.col("file").is_in(sorted(chosen)))
    raw = HERE / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir()
    for name in sorted(chosen):
        shutil.copy2(REAL / "raw" / name, raw / name)
    subset.select(TRUTH_COLUMNS).write_parquet(HERE / "truth.parquet")
    expected = expected_papers(subset)
    expected.write_parquet(HERE / "truth_papers.parquet")
    _check_against_full(expected, truth, papers, chosen)
    print(f"{len(chosen)} files, {subset.height} records, {expected.height} papers")


def _hard_listings(truth: pl.DataFrame, papers: pl.DataFrame) -> pl.DataFrame:
    hard = papers.filter(pl.col("kept_for").is_not_null()).select("arxiv_id")
    listings = truth.filter(pl.col("format") == "arxiv-listing").join(hard, on="arxiv_id")
    return (
        listings.group_by("file")
        .len()
        .sort("len", "file", descending=[True, False])
        .head(HARD_LISTINGS)
    )


def _partners(truth: pl.DataFrame, small: pl.DataFrame, chosen: set[str]) -> pl.DataFrame:
    """Small listings holding the most papers that the pages kept also show (cross-format)."""
    paged = truth.filter(pl.col("file").is_in(sorted(chosen)) & (pl.col("format") == "hf-papers"))
    listings = small.filter(
        (pl.col("format") == "arxiv-listing") & ~pl.col("file").is_in(sorted(chosen))
    )
    shared = listings.join(paged.select("arxiv_id").unique(), on="arxiv_id")
    return (
        shared.group_by("file")
        .len()
        .sort("len", "file", descending=[True, False])
        .head(PARTNER_LISTINGS)
    )


def _check_against_full(
    expected: pl.DataFrame, truth: pl.DataFrame, papers: pl.DataFrame, chosen: set[str]
) -> None:
    whole = truth.group_by("arxiv_id").agg(pl.col("file").is_in(sorted(chosen)).all().alias("in"))
    inside = whole.filter("in").select("arxiv_id")
    columns = [c for c in expected.columns if c.startswith("expect_")]
    derived = expected.join(inside, on="arxiv_id").sort("arxiv_id").select("arxiv_id", *columns)
    official = papers.join(inside, on="arxiv_id").sort("arxiv_id").select("arxiv_id", *columns)
    if not derived.equals(official):
        raise SystemExit("derived expectations differ from truth_papers.parquet")


if __name__ == "__main__":
    main()
