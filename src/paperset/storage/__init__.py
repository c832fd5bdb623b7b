"""The storage layer's public face: preflight, lock, commit, read back, verify.

The flow calls, in order: `preflight_output` (and `check_unlocked`, to refuse a busy folder
before a slow start-up), then under `output_lock` `read_papers` (to merge with what is there)
and `commit_papers`. See `storage_commit` for why a commit is crash-safe.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from paperset.errors import LockedError
from paperset.schema import Paper, polars_schema
from paperset.storage.commit import CommitResult, commit_papers
from paperset.storage.layout import (
    HIVE_SCHEMA,
    LEGACY_HIVE_SCHEMA,
    Layout,
    OutputError,
    data_schema,
    is_legacy,
)
from paperset.storage.lock import check_unlocked, output_lock, reading
from paperset.storage.manifest import load_manifest, verify_manifest
from paperset.storage.preflight import preflight_output

__all__ = [
    "CommitResult",
    "LockedError",
    "OutputError",
    "check_unlocked",
    "commit_papers",
    "dataset_run_id",
    "output_lock",
    "preflight_output",
    "read_papers",
    "read_partitions",
    "verify_manifest",
]


def read_papers(out_dir: Path) -> pl.DataFrame:
    """Return the committed dataset in Paper column order, `month` and `topic` typed from paths.

    A dataset in a layout before month × topic (`date=` folders) reads as today's rows, so
    the run that migrates it keeps every paper's `ingested_at` and `aliases`.
    """
    layout = Layout(out_dir)
    with reading(out_dir):
        files = list(layout.parquet_files())
        if not files:
            return pl.DataFrame(schema=polars_schema(Paper))
        legacy = sorted(layout.root / name for name in files if is_legacy(name))
        if not legacy:
            # The folder, not a glob: hive keys are parsed below it only, no glob chars bite.
            return _scan(layout.papers)
        current = sorted(layout.root / name for name in files if not is_legacy(name))
        return _with_legacy(_scan(current) if current else None, _scan_legacy(legacy))


def dataset_run_id(out_dir: Path) -> str | None:
    """The run that last changed the dataset, as its manifest says (None before any)."""
    run_id = (load_manifest(Layout(out_dir)) or {}).get("run_id")
    return str(run_id) if run_id is not None else None


def read_partitions(out_dir: Path, names: set[str]) -> pl.DataFrame:
    """Return the rows of the named partition files that exist, like `read_papers`."""
    layout = Layout(out_dir)
    with reading(out_dir):
        paths = [layout.root / name for name in sorted(names)]
        present = [path for path in paths if path.is_file()]
        if not present:
            return pl.DataFrame(schema=polars_schema(Paper))
        return _scan(present)


def _scan(source: Path | list[Path]) -> pl.DataFrame:
    """Read Parquet under `papers/` with `month` and `topic` typed from the paths.

    Files from before a schema change read as today's columns: new ones null, gone ones
    dropped; the flow's validation then decides whether the result is acceptable.
    """
    frame = pl.scan_parquet(
        source,
        hive_partitioning=True,
        hive_schema=HIVE_SCHEMA,
        schema=data_schema(),
        missing_columns="insert",
        extra_columns="ignore",
    ).collect()
    return frame.select(polars_schema(Paper).names())


def _scan_legacy(files: list[Path]) -> pl.DataFrame:
    """Read files of the `date=YYYY-MM-DD/topic=` layout as rows of today's schema."""
    inside = {k: v for k, v in data_schema().items() if k != "date"}
    frame = pl.scan_parquet(
        files,
        hive_partitioning=True,
        hive_schema=LEGACY_HIVE_SCHEMA,
        schema=pl.Schema(inside),
        missing_columns="insert",
        extra_columns="ignore",
    ).collect()
    return frame.with_columns(month=pl.col("date").dt.strftime("%Y-%m")).select(
        polars_schema(Paper).names()
    )


def _with_legacy(current: pl.DataFrame | None, legacy: pl.DataFrame) -> pl.DataFrame:
    """Both layouts at once (a migration cut short): a paper's new row wins."""
    if current is None:
        return legacy
    stale = pl.col("paper_id").is_in(current["paper_id"].implode())
    return pl.concat([current, legacy.filter(~stale)])
