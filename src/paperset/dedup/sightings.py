"""Sightings: accepted raw records, keyed, with when each was first seen.

A run replaces the sightings of the files it read and keeps the rest, so re-reading a
file never counts its records twice, and the dataset is a function of the set of
sightings, whatever the order or split of runs. `merge_index` keeps them between runs.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from paperset.ingest.records import RAW_RECORD

SIGHTING = pl.Schema(
    {
        **{name: dtype for name, dtype in RAW_RECORD.items() if name not in ("raw", "reason")},
        "sighting_key": pl.UInt64(),
        "first_seen": pl.Datetime("us", "UTC"),
        "prior_paper_id": pl.String(),
    }
)
# A sighting as a run holds it: its abstract left in the run's text store, named by its hash.
HELD_SIGHTING = pl.Schema(
    {
        **{name: dtype for name, dtype in SIGHTING.items() if name != "abstract"},
        "text_hash": pl.UInt64(),
    }
)


def sighting_key() -> pl.Expr:
    """Name a sighting by its file and raw text: a re-read unchanged record keeps its key.

    polars' hash is fast but only stable within one polars version: after an upgrade a
    re-read file's sightings look new, and `survivorship.keep_ingested_at` still keeps
    each paper's first ingestion time.
    """
    return pl.concat_str("source_file", "raw", separator="\x1f").hash(seed=0).alias("sighting_key")


def first_sightings(accepted: pl.DataFrame, run_time: dt.datetime) -> pl.DataFrame:
    """Sightings of records with no history (a build from nothing): keyed, first seen now.

    Builds with history go through `merge_index.key_sightings`.
    """
    return (
        accepted.with_columns(
            sighting_key(),
            first_seen=pl.lit(run_time, pl.Datetime("us", "UTC")),
            prior_paper_id=pl.lit(None, pl.String),
        )
        .select(SIGHTING.names())
        .cast(SIGHTING)
        .sort("source_file", "line")
    )
