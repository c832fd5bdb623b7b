"""Typed settings of a build, with every default in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

# Where the raw dumps and the dataset live unless told otherwise: the one place that says so.
DEFAULT_RAW = Path("data/raw")
DEFAULT_OUT = Path("data/processed")
# Hand labels of the sample's papers (topics a careful reader accepts), for evaluation only.
DEFAULT_LABELS = Path("data/labels/topics_dev.json")


@dataclass(frozen=True)
class BuildConfig:
    """Everything a build needs to know besides the raw bytes themselves.

    Args:
        listing_year: year for papers-page dates (`Apr 22`) in files whose name has no date.
        error_budget: share of quarantined records above which the run fails.
        max_record_bytes: raw records larger than this are quarantined.
        near_duplicates: also merge near-identical abstracts (MinHash LSH).
        logical_date: the run's logical time (a schedule's start), defaults to now.
        full: re-read every raw file, not only new and changed ones.
        dask_address: read, parse and clean the batches on the Dask cluster whose scheduler
            is at this address (`tcp://host:8786`).
        workers: read, parse and clean the batches on a local Dask cluster of this many
            single-threaded worker processes. Not with `dask_address`; with neither, the
            batches are ingested one after the other in the flow's process.
    """

    raw_dir: Path = DEFAULT_RAW
    out_dir: Path = DEFAULT_OUT
    listing_year: int | None = None
    error_budget: float = 0.10
    max_record_bytes: int = 64 * 1024
    near_duplicates: bool = True
    logical_date: dt.datetime | None = None
    full: bool = False
    dask_address: str | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.dask_address is not None and self.workers is not None:
            raise ValueError("dask_address and workers are mutually exclusive")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")

    def on_dask(self) -> bool:
        """Whether the batches are ingested on a Dask cluster."""
        return self.dask_address is not None or self.workers is not None

    def parse_settings(self) -> str:
        """The options that change what a raw file parses into, for the ledger."""
        return f"year={self.listing_year};max_record_bytes={self.max_record_bytes}"

    def run_time(self) -> dt.datetime:
        """Return the logical date of the run, in UTC, to the microsecond."""
        when = self.logical_date or dt.datetime.now(dt.UTC)
        return when.astimezone(dt.UTC)
