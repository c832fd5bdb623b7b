"""The quarantine: every rejected record and file, with its reason, as Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from paperset.ingest.batches import RejectedFile
from paperset.schema import QuarantineEntry, polars_schema
from paperset.storage.fsio import atomic_write_parquet
from paperset.storage.layout import QUARANTINE_DIR

RAW_CAP_CHARS = 4000


def record_entries(rejected: pl.DataFrame, run_id: str, now: dt.datetime) -> pl.DataFrame:
    """Quarantine entries for rejected records (rows with a `reason`)."""
    return rejected.select(
        "source_file",
        "line",
        level=pl.lit("record"),
        reason="reason",
        raw=pl.col("raw").str.slice(0, RAW_CAP_CHARS),
        run_id=pl.lit(run_id),
        quarantined_at=pl.lit(now, pl.Datetime("us", "UTC")),
    ).cast(polars_schema(QuarantineEntry))


def file_entries(files: list[RejectedFile], run_id: str, now: dt.datetime) -> pl.DataFrame:
    """Quarantine entries for whole files that could not be read or recognised."""
    return pl.DataFrame(
        {
            "source_file": [f.name for f in files],
            "line": [None] * len(files),
            "level": ["file"] * len(files),
            "reason": [f.reason for f in files],
            "raw": [f.raw[:RAW_CAP_CHARS] for f in files],
            "run_id": [run_id] * len(files),
            "quarantined_at": [now] * len(files),
        },
        schema=polars_schema(QuarantineEntry),
    )


def quarantine_entries(
    rejected: pl.DataFrame, files: list[RejectedFile], run_id: str, now: dt.datetime
) -> pl.DataFrame:
    """All of a run's quarantine entries: rejected records, then rejected files."""
    return pl.concat([record_entries(rejected, run_id, now), file_entries(files, run_id, now)])


def write_quarantine(out_dir: Path, entries: pl.DataFrame, run_id: str) -> Path | None:
    """Write this run's quarantine file, validated; nothing when there is nothing to keep."""
    if entries.is_empty():
        return None
    path = out_dir / QUARANTINE_DIR / f"{run_id}.parquet"
    atomic_write_parquet(path, QuarantineEntry.validate(entries, lazy=True))
    return path
