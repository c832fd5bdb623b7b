"""Staging a commit's partition files: serialised on polars' threads, compared with what is
in `papers/`, and written under `.staging/` only when their bytes are new."""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from polars.io.partition import FileProviderArgs

from paperset.schema import PARTITION_KEYS
from paperset.storage.fsio import PARQUET_OPTIONS, holds
from paperset.storage.layout import Layout, OutputError, inside, partition_file, partition_name
from paperset.storage.manifest import FileEntry

PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Paths:
    """Where partition files go; resolved through links only when `papers/` has any."""

    layout: Layout
    has_links: bool

    def of(self, name: str) -> Path:
        return inside(self.layout, name) if self.has_links else self.layout.root / name


def stage(
    paths: Paths, papers: pl.DataFrame, staging: Path
) -> tuple[dict[str, FileEntry], dict[str, Path]]:
    """Describe every partition and stage, verified, each one whose bytes differ on disk.

    Partitioned sinks serialise the partitions on polars' threads, into memory, a slice of
    about STAGE_ROWS sorted rows at a time (so only that slice is copied out of `papers`):
    each file is handed over as it is finished (a handful are open at a time), compared with
    the one in `papers/`, and staged only if its bytes are new, so an unchanged partition
    never touches the disk. A file's bytes are those `write_parquet` gives its rows alone,
    so they do not depend on which other partitions a commit writes. Staged files are
    flushed together by one `os.sync()` rather than one fsync each. Nothing in `.staging/`
    is visible to readers, so a crash before the flush loses only staging, which the next
    run clears.
    """
    order = _sorted_rows(papers)
    staging.mkdir(parents=True, exist_ok=True)
    stager = _Stager(paths, staging, _rows_per_file(order))
    for rows in order.partition_by("slice", maintain_order=True, include_key=False):
        papers[rows["row"]].lazy().sink_parquet(
            pl.PartitionBy(
                staging,
                key=list(PARTITION_KEYS),
                include_key=False,
                file_path_provider=stager.open,
                approximate_bytes_per_file=None,  # one file per partition, however large
            ),
            **PARQUET_OPTIONS,
        )
    files = stager.finish()
    os.sync()
    for name, path in stager.staged.items():
        verify_staged(path, files[name])
    return files, stager.staged


STAGE_ROWS = 1 << 16


def _sorted_rows(papers: pl.DataFrame) -> pl.DataFrame:
    """The partition keys and position (`row`) of each paper, in file order (by keys, then
    `date` and `paper_id`, so a date range prunes row groups by their statistics), with the
    `slice` of about STAGE_ROWS rows it is written in: a partition is never cut between
    slices."""
    keys = list(PARTITION_KEYS)
    order = (
        papers.select(*keys, "date", "paper_id")
        .with_row_index("row")
        .sort([*keys, "date", "paper_id"])
    )
    starts_partition = pl.any_horizontal(pl.col(k).ne_missing(pl.col(k).shift()) for k in keys)
    slice_at_start = pl.int_range(pl.len(), dtype=pl.UInt32) // STAGE_ROWS
    return order.select(
        *keys, "row", slice=pl.when(starts_partition).then(slice_at_start).forward_fill()
    )


def _rows_per_file(order: pl.DataFrame) -> dict[str, int]:
    """The number of rows of each partition file."""
    counts = order.group_by(list(PARTITION_KEYS)).len("rows")
    return dict(counts.select(partition_name(), "rows").iter_rows())


class _Stager:
    """Takes each partition file from the sink: describes it and stages it if it is new.

    Called on polars' threads, one file at a time (a lock keeps the staged names distinct):
    a failure is kept and raised by `finish`, in the caller's thread.
    """

    def __init__(self, paths: Paths, staging: Path, rows: dict[str, int]) -> None:
        self.paths, self.staging, self.rows = paths, staging, rows
        self.files: dict[str, FileEntry] = {}
        self.staged: dict[str, Path] = {}
        self.failure: Exception | None = None
        self._lock = threading.Lock()

    def open(self, args: FileProviderArgs) -> _PartitionFile:
        """The in-memory file the sink writes one partition to."""
        return _PartitionFile(partition_file(*args.partition_keys.row(0)), self)

    def take(self, name: str, data: bytes) -> None:
        """Describe one finished file; stage it when `papers/` does not hold these bytes."""
        with self._lock:
            self._take(name, data)

    def _take(self, name: str, data: bytes) -> None:
        try:
            if name not in self.rows or name in self.files:
                raise OutputError(f"the partitioned writer made an unexpected file {name}")
            self.files[name] = FileEntry.of(data, self.rows[name])
            if not holds(self.paths.of(name), data):
                # Flat names: one folder however many partitions, cheap to create and clear.
                self.staged[name] = self.staging / f"{len(self.staged):07d}.parquet"
                self.staged[name].write_bytes(data)
        except Exception as error:
            self.failure = self.failure or error

    def finish(self) -> dict[str, FileEntry]:
        """Every partition's entry, once the sink is done; raise what went wrong in it."""
        if self.failure is not None:
            raise self.failure
        if missing := self.rows.keys() - self.files.keys():
            raise OutputError(f"the partitioned writer did not write {sorted(missing)[0]}")
        return self.files


class _PartitionFile(io.BytesIO):
    """One partition's file as the sink writes it; handed to the stager when closed."""

    def __init__(self, name: str, stager: _Stager) -> None:
        super().__init__()
        self.name, self.stager = name, stager

    def close(self) -> None:
        if not self.closed:
            self.stager.take(self.name, self.getvalue())
        super().close()


def verify_staged(path: Path, expected: FileEntry) -> None:
    """Prove a staged file holds the bytes meant: same size and sha256, Parquet at both ends."""
    data = path.read_bytes()
    if FileEntry.of(data, expected.rows) != expected or not (
        data.startswith(PARQUET_MAGIC) and data.endswith(PARQUET_MAGIC)
    ):
        raise OutputError(f"staged file {path} does not read back as written; check the disk")
