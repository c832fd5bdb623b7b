"""Typed settings of a build, with every default in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Granularity = Literal["day", "month"]


@dataclass(frozen=True)
class BuildConfig:
    """Everything a build needs to know besides the raw bytes themselves.

    Args:
        listing_year: year for papers-page dates (`Apr 22`) in files whose name has no date.
        error_budget: share of quarantined records above which the run fails.
        max_record_bytes: raw records larger than this are quarantined.
        partition: `day` or `month` partitions for the `date` key.
        near_duplicates: also merge near-identical abstracts (MinHash LSH).
        logical_date: the run's logical time (a schedule's start), defaults to now.
        full: re-read every raw file, not only new and changed ones.
    """

    raw_dir: Path = Path("data/raw")
    out_dir: Path = Path("data/processed")
    listing_year: int | None = None
    error_budget: float = 0.10
    max_record_bytes: int = 64 * 1024
    partition: Granularity = "day"
    near_duplicates: bool = True
    logical_date: dt.datetime | None = None
    full: bool = False

    def parse_settings(self) -> str:
        """The options that change what a raw file parses into, for the ledger."""
        return f"year={self.listing_year};max_record_bytes={self.max_record_bytes}"

    def run_time(self) -> dt.datetime:
        """Return the logical date of the run, in UTC, to the microsecond."""
        when = self.logical_date or dt.datetime.now(dt.UTC)
        return when.astimezone(dt.UTC)
