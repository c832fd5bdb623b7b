"""Read raw files into decoded dumps, setting aside files that cannot be read as text."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from paperset.decode import UnreadableDump, decode_dump
from paperset.discover import RawFile
from paperset.parse import DecodedDump, ParsedBatch
from paperset.records import RAW_RECORD

RAW_SNIPPET_CHARS = 2000


@dataclass(frozen=True)
class RejectedFile:
    """A whole file set aside: its name, why, and the start of its content."""

    name: str
    reason: str
    raw: str


@dataclass
class ReadBatch:
    """Decoded dumps of a batch, plus the files rejected and the warnings raised."""

    dumps: list[DecodedDump] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_dumps(files: list[RawFile]) -> ReadBatch:
    """Read and decode each file; empty ones only warn, unreadable ones are rejected."""
    batch = ReadBatch()
    for raw_file in files:
        _read_one(raw_file, batch)
    return batch


def _read_one(raw_file: RawFile, batch: ReadBatch) -> None:
    try:
        data = raw_file.path.read_bytes()
    except OSError as error:
        batch.rejected.append(RejectedFile(raw_file.name, f"unreadable: {error.strerror}", ""))
        return
    try:
        text = decode_dump(data)
    except UnreadableDump as error:
        batch.rejected.append(RejectedFile(raw_file.name, str(error), repr(data[:200])))
        return
    if not text.strip():
        batch.warnings.append(f"{raw_file.name}: empty file, no records")
        return
    batch.dumps.append(DecodedDump(raw_file.name, text, raw_file.mtime))


def unrecognised(batch: ReadBatch, reasons: dict[str, str]) -> list[RejectedFile]:
    """Turn files the parser could not place into rejections carrying their first lines."""
    texts = {dump.name: dump.text for dump in batch.dumps}
    return [
        RejectedFile(name, reason, texts[name][:RAW_SNIPPET_CHARS])
        for name, reason in reasons.items()
    ]


BATCH_BYTES = 256 << 20


def batches_of(files: list[RawFile], max_bytes: int = BATCH_BYTES) -> list[list[RawFile]]:
    """Group files into batches of at most `max_bytes` (a larger file is a batch alone)."""
    batches: list[list[RawFile]] = []
    size = max_bytes
    for raw_file in files:
        if size + raw_file.size > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(raw_file)
        size += raw_file.size
    return batches


@dataclass
class Ingested:
    """Everything the batches of one run yielded, gathered for the merge."""

    accepted: list[pl.DataFrame] = field(default_factory=list)
    rejected: list[pl.DataFrame] = field(default_factory=list)
    rejected_files: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed_files: list[str] = field(default_factory=list)
    records_read: int = 0
    content_lines: int = 0
    lines_in_records: int = 0

    def add(self, batch: ReadBatch, parsed: ParsedBatch, records: pl.DataFrame) -> None:
        """Take in one batch: its cleaned records (reasons set) and its file outcomes."""
        unrecognised_names = parsed.unrecognised
        self.content_lines += parsed.content_lines
        self.lines_in_records += parsed.lines_in_records
        is_rejected = pl.col("reason").is_not_null()
        self.accepted.append(records.filter(~is_rejected))
        self.rejected.append(records.filter(is_rejected))
        self.rejected_files += batch.rejected + unrecognised(batch, unrecognised_names)
        self.warnings += batch.warnings
        self.parsed_files += [
            dump.name for dump in batch.dumps if dump.name not in unrecognised_names
        ]
        self.records_read += records.height

    def accepted_records(self) -> pl.DataFrame:
        """All accepted records of the run."""
        return pl.concat(self.accepted, how="vertical") if self.accepted else _no_records()

    def rejected_records(self) -> pl.DataFrame:
        """All rejected records of the run."""
        return pl.concat(self.rejected, how="vertical") if self.rejected else _no_records()

    def read_files(self) -> list[str]:
        """Every file this run read, parsed or rejected: their old sightings are replaced."""
        return self.parsed_files + [f.name for f in self.rejected_files]


def _no_records() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_RECORD)
