"""A run's accepted records as sightings to merge: keyed, their texts stored, their band
hashes and sketches made as each batch comes in and spilled until the merge takes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from paperset.dedup.minhash import SKETCHES, TEXT_BANDS, text_bands, text_hash
from paperset.dedup.sightings import sighting_key
from paperset.ingest.batches import BatchIngest, RejectedFile
from paperset.ingest.records import RAW_RECORD
from paperset.memory import compacted
from paperset.storage.spill import RunTexts, Spill, TextStore


@dataclass
class Ingested:
    """Everything the batches of one run yielded, gathered for the merge.

    Each batch's new abstracts go to a `TextStore`, and get their band hashes and sketches
    as they come in; its accepted records (without their abstracts), band hashes and
    sketches are spilled to disk until the merge takes them (see `paperset.storage.spill`).
    """

    texts: TextStore
    accepted: Spill
    bands: Spill
    sketches: Spill
    rejected: list[pl.DataFrame] = field(default_factory=list)
    rejected_files: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed_files: list[str] = field(default_factory=list)
    records_read: int = 0
    content_lines: int = 0
    lines_in_records: int = 0

    @classmethod
    def in_folder(cls, work: Path) -> Ingested:
        """Gather a run's batches, spilling to `work`."""
        keyed = _keyed(_no_records()).drop("abstract").schema
        return cls(
            TextStore(work / "texts"),
            Spill(work / "accepted", keyed),
            Spill(work / "bands", TEXT_BANDS),
            Spill(work / "sketches", SKETCHES),
        )

    def add_batch(self, result: BatchIngest) -> None:
        """Take in one batch's outcome, as `ingest_batch` returns it."""
        records = result.records
        self.content_lines += result.content_lines
        self.lines_in_records += result.lines_in_records
        is_rejected = pl.col("reason").is_not_null()
        # Accepted records are keyed now, their raw text dropped and their abstracts put
        # on disk: together most of a batch. The rejected ones are copied out, so they do
        # not hold the batch's buffers.
        accepted = _keyed(records.filter(~is_rejected))
        bands, sketches = text_bands(self.texts.add(accepted.select("text_hash", "abstract")))
        self.bands.put(bands)
        self.sketches.put(sketches)
        self.accepted.put(accepted.drop("abstract"))
        self.rejected.append(compacted(records.filter(is_rejected)))
        self.rejected_files += result.rejected_files
        self.warnings += result.warnings
        for name in result.parsed_files:  # a big file read in parts is one file, parsed once
            if not self.parsed_files or self.parsed_files[-1] != name:
                self.parsed_files.append(name)
        self.records_read += records.height

    def accepted_count(self) -> int:
        """How many records of the run were accepted."""
        return self.accepted.rows

    def take_accepted(self) -> pl.DataFrame:
        """Hand the accepted records (keyed by `sighting_key` and `text_hash`, without `raw`
        or `abstract`) over to the merge, and let go of them here."""
        return self.accepted.take()

    def take_texts(self) -> RunTexts:
        """Hand the run's texts, their band hashes and sketches over to the merge."""
        bands = self.bands.take().sort("text_hash", maintain_order=True)
        return RunTexts(self.texts, bands, self.sketches.take())

    def rejected_records(self) -> pl.DataFrame:
        """All rejected records of the run."""
        return pl.concat(self.rejected, how="vertical") if self.rejected else _no_records()

    def read_files(self) -> list[str]:
        """Every file this run read, parsed or rejected: their old sightings are replaced."""
        return self.parsed_files + [f.name for f in self.rejected_files]


def _keyed(records: pl.DataFrame) -> pl.DataFrame:
    return records.with_columns(sighting_key(), text_hash()).drop("raw", "reason")


def _no_records() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_RECORD)
