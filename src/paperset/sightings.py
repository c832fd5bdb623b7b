"""Sightings: accepted raw records, keyed, with when each was first seen.

A run replaces the sightings of the files it read and keeps the rest, so re-reading a
file never counts its records twice, and the dataset is a function of the set of
sightings, whatever the order or split of runs. `merge_index` keeps them between runs.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from paperset.records import RAW_RECORD

SIGHTING = pl.Schema(
    {
        **{name: dtype for name, dtype in RAW_RECORD.items() if name not in ("raw", "reason")},
        "sighting_key": pl.UInt64(),
        "first_seen": pl.Datetime("us", "UTC"),
        "prior_paper_id": pl.String(),
    }
)


def sighting_key() -> pl.Expr:
    """Name a sighting by its file and raw text: a re-read unchanged record keeps its key.

    polars' hash is fast but only stable within one polars version: after an upgrade a
    re-read file's sightings look new, and `survivorship.keep_ingested_at` still keeps
    each paper's first ingestion time.
    """
    return pl.concat_str("source_file", "raw", separator="\x1f").hash(seed=0).alias("sighting_key")


def update_sightings(
    stored: pl.DataFrame, accepted: pl.DataFrame, read_files: list[str], run_time: dt.datetime
) -> pl.DataFrame:
    """Replace the sightings of the files read this run; keep when each was first seen."""
    keyed = accepted.with_columns(sighting_key())
    previous = stored.select("sighting_key", "first_seen", "prior_paper_id").unique(
        "sighting_key", keep="first"
    )
    fresh = (
        keyed.join(previous, on="sighting_key", how="left")
        .with_columns(pl.col("first_seen").fill_null(pl.lit(run_time, pl.Datetime("us", "UTC"))))
        .select(SIGHTING.names())
    )
    kept = stored.filter(~pl.col("source_file").is_in(read_files))
    return pl.concat([kept, fresh.cast(SIGHTING)]).sort("source_file", "line")
