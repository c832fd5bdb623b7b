"""Where things live in an output folder, and the checks that keep every path inside it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.errors import OutputError
from paperset.schema import MONTH_PATTERN, PARTITION_KEYS, SLUG_PATTERN, Paper, polars_schema

FORMAT_NAME = "paperset"
FORMAT_VERSION = 2  # 2: month × topic partitions, `date` inside the files
PART_FILE = "part-0.parquet"
PARTITION_PATH = "papers/month={}/topic={}/" + PART_FILE  # YYYY-MM, the slug
# Layouts before month × topic: `papers/date=YYYY-MM-DD/...`, read to migrate them.
LEGACY_FOLDER = "date="
LEGACY_HIVE_SCHEMA = pl.Schema({"date": pl.Date, "topic": pl.String})
OWN_ENTRIES = frozenset(
    {
        "papers",
        "changes",
        "quarantine",
        "runs",
        "_meta",
        ".staging",
        ".lock",
        "releases",
        ".gitkeep",
    }
)
# Every folder paperset owns in an output folder, named once, here.
PAPERS_DIR = "papers"  # the dataset: papers/month=YYYY-MM/topic=<slug>/part-0.parquet
CHANGES_DIR = "changes"  # changes/<run_id>.parquet: the change feed
QUARANTINE_DIR = "quarantine"  # quarantine/<run_id>.parquet
RUNS_DIR = "runs"  # runs/<run_id>.json, runs/<run_id>/merges.parquet
META = Path("_meta")  # manifest, marker, merge index, sightings, ledger, run work, locks
RUN_WORK = META / "run-work"  # what a running build keeps on disk, removed when it ends
LEDGER = META / "ledger.parquet"  # the raw files read and their fingerprints
PREFECT_HOME = META / "prefect"  # `paperset serve`'s own Prefect server: database, log
RUN_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
HIVE_SCHEMA = pl.Schema({"month": pl.String, "topic": pl.String})


@dataclass(frozen=True)
class Layout:
    """The paths paperset owns inside one output folder."""

    root: Path

    @property
    def papers(self) -> Path:
        return self.root / PAPERS_DIR

    @property
    def changes(self) -> Path:
        return self.root / CHANGES_DIR

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE_DIR

    @property
    def meta(self) -> Path:
        return self.root / META

    @property
    def runs(self) -> Path:
        return self.root / RUNS_DIR

    def merges(self, run_id: str) -> Path:
        """Where a run keeps the audit of the merges it made."""
        return self.runs / run_id / "merges.parquet"

    @property
    def staging(self) -> Path:
        return self.root / ".staging"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def marker(self) -> Path:
        return self.meta / "dataset.json"

    @property
    def manifest(self) -> Path:
        return self.meta / "manifest.json"

    def parquet_files(self) -> Iterator[str]:
        """Yield every Parquet file under `papers/`, as a path relative to the root."""
        yield from self.scan_papers()[0]

    def scan_papers(self) -> tuple[list[str], bool]:
        """List the Parquet files under `papers/` (relative to the root) in one pass, and
        tell whether anything there is a symbolic link; links to folders are not followed.
        """
        files: list[str] = []
        has_links = False
        folders = [self.papers] if self.papers.is_dir() else []
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    has_links = has_links or entry.is_symlink()
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    elif entry.name.endswith(".parquet"):
                        files.append(Path(entry.path).relative_to(self.root).as_posix())
        return files, has_links


def check_run_id(run_id: str) -> None:
    """Refuse a run id that could not serve as a single, harmless folder name."""
    if not re.fullmatch(RUN_ID_PATTERN, run_id):
        raise ValueError(f"run id {run_id!r} must match {RUN_ID_PATTERN}")


def partition_file(month: object, topic: object) -> str:
    """Return `papers/month=YYYY-MM/topic=<slug>/part-0.parquet`; refuse other values."""
    if not isinstance(month, str) or not re.fullmatch(MONTH_PATTERN, month):
        raise ValueError(f"partition month {month!r} is not YYYY-MM")
    if not isinstance(topic, str) or not re.fullmatch(SLUG_PATTERN, topic):
        raise ValueError(f"partition topic {topic!r} is not a slug matching {SLUG_PATTERN}")
    return PARTITION_PATH.format(month, topic)


def partition_files(keys: pl.DataFrame) -> set[str]:
    """The partition file names of the `month` and `topic` pairs of `keys` (nulls skipped)."""
    names = keys.drop_nulls(["month", "topic"]).select(partition_name())
    return set(names.to_series().unique().to_list())


def partition_name() -> pl.Expr:
    """The partition file name of each row's `month` and `topic`, as `partition_file` makes it."""
    return pl.format(PARTITION_PATH, "month", "topic")


def is_legacy(relative: str) -> bool:
    """Whether a file under `papers/` is in a layout before month × topic (`date=` folders)."""
    return relative.startswith(f"papers/{LEGACY_FOLDER}")


def inside(layout: Layout, relative: str) -> Path:
    """Return the absolute path of `relative`, refusing one that resolves outside `papers/`."""
    path = layout.root / relative
    if not path.resolve().is_relative_to(layout.papers.resolve()):
        raise OutputError(f"{path} resolves outside {layout.papers}; refusing to write there")
    return path


def data_schema() -> pl.Schema:
    """Return the columns stored inside each file: the Paper schema minus the partition keys."""
    schema = polars_schema(Paper)
    return pl.Schema({k: v for k, v in schema.items() if k not in PARTITION_KEYS})


def check_papers(papers: pl.DataFrame) -> pl.DataFrame:
    """Return `papers` in Paper column order, refusing other columns or unsafe partition keys."""
    expected = polars_schema(Paper)
    if dict(papers.schema) != dict(expected):
        missing = sorted(set(expected) - set(papers.schema))
        extra = sorted(set(papers.schema) - set(expected))
        typed = sorted(
            k for k in set(expected) & set(papers.schema) if papers.schema[k] != expected[k]
        )
        raise ValueError(
            f"papers do not match Paper: missing {missing}, extra {extra}, retyped {typed}"
        )
    unsafe = papers.filter(
        ~pl.col("month").str.contains(MONTH_PATTERN).fill_null(False)
        | ~pl.col("topic").str.contains(SLUG_PATTERN).fill_null(False)
    )
    if not unsafe.is_empty():
        example = unsafe.row(0, named=True)
        raise ValueError(
            f"{unsafe.height} papers have a partition key that is not a month and a slug, "
            f"e.g. month={example['month']!r} topic={example['topic']!r}"
        )
    return papers.select(expected.names())
