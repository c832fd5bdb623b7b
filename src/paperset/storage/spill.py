"""What a run keeps on disk rather than in memory while it reads its batches.

Abstracts are ~90% of a run's text (1 GB at 1M records). The merge needs them only to
verify the few pairs of texts its LSH buckets and sketches leave, to give each paper the
abstract it chose, and to store the run's sightings: all three read them back from a
`TextStore` by `text_hash`. Everything else (keys, clusters, survivorship) works on the
hash alone.

The rest of what each batch yields (keys, band hashes, sketches) is small, but kept in
memory it would be allocated among each batch's much larger transient frames and pin
them: the allocator could then reuse little of the ingest's memory for the merge. A
`Spill` puts those frames on disk as they come, and the merge reads them back whole.

A run's files live under `out/_meta/run-work/<run_id>/` and are removed when the run
ends; a run that died leaves some that the next run removes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from paperset.storage.layout import RUN_WORK

TEXTS = pl.Schema({"text_hash": pl.UInt64(), "abstract": pl.String()})


class Texts(Protocol):
    """Where a merge finds the abstract of a `text_hash`."""

    def read(self, hashes: pl.Series) -> pl.DataFrame:
        """The distinct texts (TEXTS) among `hashes` that are known here."""
        ...


@dataclass(frozen=True)
class TextsInMemory:
    """Texts already in memory (a preview, a test): a frame of TEXTS rows."""

    frame: pl.DataFrame

    def read(self, hashes: pl.Series) -> pl.DataFrame:
        wanted = pl.col("text_hash").is_in(hashes.drop_nulls().unique().implode())
        return self.frame.filter(wanted).unique("text_hash", maintain_order=True)


class TextStore:
    """A run's distinct abstracts, written to disk as batches of records come in."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.parts: list[Path] = []
        self._kept = pl.Series("text_hash", [], dtype=pl.UInt64)

    def add(self, texts: pl.DataFrame) -> pl.DataFrame:
        """Keep the texts (`text_hash`, `abstract`) not kept yet; return just those."""
        new = (
            texts.select(TEXTS.names())
            .drop_nulls("abstract")
            .unique("text_hash", keep="first", maintain_order=True)
            .filter(~pl.col("text_hash").is_in(self._kept.implode()))
            .cast(TEXTS)
        )
        if new.is_empty():
            return new
        self.parts.append(_write_part(self.directory, len(self.parts), new))
        self._kept = pl.concat([self._kept, new["text_hash"]])
        return new

    def read(self, hashes: pl.Series) -> pl.DataFrame:
        """The kept texts among `hashes`."""
        if not self.parts:
            return pl.DataFrame(schema=TEXTS)
        wanted = pl.col("text_hash").is_in(hashes.drop_nulls().unique().implode())
        return pl.scan_parquet(self.parts).filter(wanted).collect().cast(TEXTS)

    def joined(self, rows: pl.DataFrame) -> Iterator[pl.DataFrame]:
        """`rows` (with `text_hash`) given their `abstract`, a part of the store at a time,
        then the rows without one. Every row comes out exactly once, in no set order."""
        for part in self.parts:
            yield rows.join(pl.read_parquet(part), on="text_hash", how="inner")
        yield rows.filter(pl.col("text_hash").is_null()).with_columns(
            abstract=pl.lit(None, pl.String)
        )


def with_texts(frame: pl.DataFrame, texts: Texts) -> pl.DataFrame:
    """`frame` (with `text_hash`), in its order, given the `abstract` each hash names."""
    found = texts.read(frame["text_hash"])
    return frame.join(found, on="text_hash", how="left", maintain_order="left")


def _write_part(directory: Path, number: int, frame: pl.DataFrame) -> Path:
    part = directory / f"part-{number:05d}.parquet"
    # lz4: a spill is read back once or twice, where zstd's extra ratio costs more than it saves.
    frame.write_parquet(part, compression="lz4", statistics=False)
    return part


@dataclass(frozen=True)
class RunTexts:
    """The run's distinct abstracts (on disk), with the band hashes and sketches of each."""

    store: TextStore
    bands: pl.DataFrame  # minhash.TEXT_BANDS, sorted by text_hash
    sketches: pl.DataFrame  # minhash.SKETCHES


class Spill:
    """Frames of one schema put on disk one at a time, read back whole."""

    def __init__(self, directory: Path, schema: pl.Schema) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.schema = directory, schema
        self.parts: list[Path] = []
        self.rows = 0

    def put(self, frame: pl.DataFrame) -> None:
        typed = frame.select(self.schema.names()).cast(self.schema)
        self.parts.append(_write_part(self.directory, len(self.parts), typed))
        self.rows += frame.height

    def take(self) -> pl.DataFrame:
        """Every frame put, in order, as one; the files are removed."""
        if not self.parts:
            return pl.DataFrame(schema=self.schema)
        frame = pl.scan_parquet(self.parts).collect().cast(self.schema)
        for part in self.parts:
            part.unlink()
        self.parts, self.rows = [], 0
        return frame


@contextmanager
def run_work_dir(out_dir: Path, run_id: str) -> Iterator[Path]:
    """A folder for one run's spills; any a dead run left is removed first, and this one
    at the end. The caller holds the output lock, so no other run is using one."""
    shutil.rmtree(out_dir / RUN_WORK, ignore_errors=True)
    work = out_dir / RUN_WORK / run_id
    work.mkdir(parents=True)
    try:
        yield work
    finally:
        shutil.rmtree(out_dir / RUN_WORK, ignore_errors=True)
