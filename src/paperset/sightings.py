"""The sightings store: every accepted raw record so far, so later runs merge into it.

Kept at `out/_meta/sightings.parquet`. A run replaces the sightings of the files it read
and keeps the rest, so re-reading a file never counts its records twice, and the
dataset is a function of the set of sightings, whatever the order or split of runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from paperset.fsio import atomic_write_parquet
from paperset.records import RAW_RECORD

SIGHTINGS_PATH = Path("_meta") / "sightings.parquet"
SIGHTING = pl.Schema(
    {
        **{name: dtype for name, dtype in RAW_RECORD.items() if name not in ("raw", "reason")},
        "sighting_key": pl.UInt64(),
        "first_seen": pl.Datetime("us", "UTC"),
        "prior_paper_id": pl.String(),
    }
)


def load_sightings(out_dir: Path) -> pl.DataFrame:
    """Read the stored sightings, or an empty frame on the first run."""
    path = out_dir / SIGHTINGS_PATH
    if not path.exists():
        return pl.DataFrame(schema=SIGHTING)
    return pl.read_parquet(path).select(SIGHTING.names()).cast(SIGHTING)


def update_sightings(
    stored: pl.DataFrame, accepted: pl.DataFrame, read_files: list[str], run_time: dt.datetime
) -> pl.DataFrame:
    """Replace the sightings of the files read this run; keep when each was first seen."""
    # polars' hash is fast but only stable within one polars version: after an upgrade a
    # re-read file's sightings look new, and the paper-level `ingested_at` carry-over in
    # `survivorship.keep_ingested_at` still keeps each paper's first ingestion time.
    keyed = accepted.with_columns(
        sighting_key=pl.concat_str("source_file", "raw", separator="\x1f").hash(seed=0)
    )
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


def save_sightings(out_dir: Path, sightings: pl.DataFrame, paper_ids: pl.Series) -> None:
    """Store the sightings with the paper each now belongs to, for the next run."""
    stored = sightings.with_columns(prior_paper_id=paper_ids).select(SIGHTING.names())
    atomic_write_parquet(out_dir / SIGHTINGS_PATH, stored.sort("source_file", "line"))
