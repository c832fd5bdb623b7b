"""Build papers from a raw folder in memory, without writing anything: for evaluation."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from paperset.config import BuildConfig
from paperset.dedup.merge import merge_duplicates
from paperset.dedup.sightings import first_sightings
from paperset.ingest.batches import ingest_batch
from paperset.ingest.discover import discover_raw_files
from paperset.ingest.records import split_rejected
from paperset.schema import Paper, polars_schema
from paperset.topics.assign import assign_topics


def papers_from_folder(raw_dir: Path, config: BuildConfig | None = None) -> pl.DataFrame:
    """Parse, clean, merge and classify every dump under `raw_dir`, as a build would."""
    config = config or BuildConfig(raw_dir=raw_dir)
    now = config.run_time()
    files = discover_raw_files(raw_dir).files
    batch = ingest_batch(files, config.listing_year, config.max_record_bytes, now.date())
    accepted, _ = split_rejected(batch.records)
    sightings = first_sightings(accepted, now)
    merged = merge_duplicates(
        sightings.sort("source_file", "line"),
        pl.DataFrame(schema=polars_schema(Paper)),
        near_duplicates=config.near_duplicates,
    )
    return assign_topics(merged.papers)
