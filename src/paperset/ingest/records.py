"""The shape of a raw record as the parsers hand it on, accepted or not."""

from __future__ import annotations

import polars as pl

HF_PAPERS = "hf-papers"
ARXIV_LISTING = "arxiv-listing"

RAW_RECORD = pl.Schema(
    {
        "source_file": pl.String,
        "line": pl.Int64,
        "format": pl.String,
        "raw": pl.String,
        "title": pl.String,
        "abstract": pl.String,
        "comments": pl.String,
        "arxiv_id": pl.String,
        "version": pl.Int64,
        "doi": pl.String,
        "published": pl.Date,
        "updated": pl.Date,
        "listed_on": pl.Date,
        "reason": pl.String,
    }
)


def conform(records: pl.LazyFrame) -> pl.LazyFrame:
    """Give parser output every RAW_RECORD column, typed and in order."""
    present = records.collect_schema().names()
    return records.select(
        [
            (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in RAW_RECORD.items()
        ]
    )


def split_rejected(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split records into accepted (no `reason`) and rejected (with one)."""
    rejected = pl.col("reason").is_not_null()
    return records.filter(~rejected), records.filter(rejected)
