"""Read raw files into decoded dumps, setting aside files that cannot be read as text."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from paperset.errors import UnreadableDump
from paperset.ingest.clean import clean_frame
from paperset.ingest.decode import as_utf8, is_blank, text_bytes
from paperset.ingest.discover import RawFile
from paperset.ingest.parse import DecodedDump, ParsedBatch, parse_dumps
from paperset.ingest.parts import pieces, read_part

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
    read = [found for raw_file in files if (found := _read_one(raw_file, batch))]
    texts = as_utf8([data for _, data, _ in read])
    for (raw_file, _, first_line), text in zip(read, texts, strict=True):
        _add(batch, raw_file, text, first_line)
    return batch


def _read_one(raw_file: RawFile, batch: ReadBatch) -> tuple[RawFile, bytes, int] | None:
    """A file's text bytes (`decode.text_bytes`) and first line number; None, with the file
    rejected, when it cannot be read or is binary, or when it is a part of a big file that
    holds no record."""
    try:
        found = _read_bytes(raw_file)
    except OSError as error:
        batch.rejected.append(RejectedFile(raw_file.name, f"unreadable: {error.strerror}", ""))
        return None
    if found is None:
        return None
    data, first_line = found
    try:
        return raw_file, text_bytes(data), first_line
    except UnreadableDump as error:
        batch.rejected.append(RejectedFile(raw_file.name, str(error), repr(data[:200])))
        return None


def _add(batch: ReadBatch, raw_file: RawFile, text: bytes, first_line: int) -> None:
    if is_blank(text):
        if raw_file.parts == 1:
            batch.warnings.append(f"{raw_file.name}: empty file, no records")
        return
    if raw_file.parts == 1:
        batch.dumps.append(DecodedDump(raw_file.name, text, raw_file.mtime))
        return
    for piece, line in pieces(text, first_line):
        batch.dumps.append(DecodedDump(raw_file.name, piece, raw_file.mtime, line))


def _read_bytes(raw_file: RawFile) -> tuple[bytes, int] | None:
    """A file's bytes and its first line number: the whole file, or one part of a big one."""
    if raw_file.parts == 1:
        return raw_file.path.read_bytes(), 1
    return read_part(raw_file.path, raw_file.part, raw_file.parts, raw_file.size)


def unrecognised(batch: ReadBatch, reasons: dict[str, str]) -> list[RejectedFile]:
    """Turn files the parser could not place into rejections carrying their first lines."""
    texts = {dump.name: dump.text for dump in batch.dumps}
    return [RejectedFile(name, reason, _opening(texts[name])) for name, reason in reasons.items()]


def _opening(text: bytes) -> str:
    """The first RAW_SNIPPET_CHARS characters of UTF-8 `text` (each of 4 bytes at most)."""
    return text[: 4 * RAW_SNIPPET_CHARS].decode(errors="ignore")[:RAW_SNIPPET_CHARS]


BATCH_BYTES = 64 << 20


def batches_of(files: list[RawFile], max_bytes: int | None = None) -> list[list[RawFile]]:
    """Group files into batches of at most `max_bytes` (BATCH_BYTES); a larger file is read
    in parts of about `max_bytes`, each a batch alone, so memory is bounded by the batch,
    not the file."""
    max_bytes = max_bytes or BATCH_BYTES
    batches: list[list[RawFile]] = []
    size = max_bytes
    for raw_file in files:
        if raw_file.size > max_bytes:
            parts = math.ceil(raw_file.size / max_bytes)
            batches += [[replace(raw_file, part=k, parts=parts)] for k in range(parts)]
            size = max_bytes
            continue
        if size + raw_file.size > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(raw_file)
        size += raw_file.size
    return batches


def split_for_workers(batches: list[list[RawFile]], slots: int) -> list[tuple[int, list[RawFile]]]:
    """Cut batches into pieces for a cluster of `slots` workers: at least `slots` of them
    when there are that many files, and never fewer than there are batches.

    Each piece is `(index of its batch, files)`: a run of consecutive files of one batch,
    so the pieces in order hold every file in its original order. A batch gets pieces in
    proportion to its bytes, and its files are spread over them by bytes.
    """
    total = sum(f.size for batch in batches for f in batch)
    pieces: list[tuple[int, list[RawFile]]] = []
    for index, batch in enumerate(batches):
        share = sum(f.size for f in batch) * slots / total if total else slots / len(batches)
        wanted = min(len(batch), max(1, math.ceil(share)))
        pieces += [(index, files) for files in _spread(batch, wanted)]
    return pieces


def _spread(files: list[RawFile], parts: int) -> list[list[RawFile]]:
    """`files` cut into `parts` consecutive, non-empty runs of about equal bytes."""
    before = list(itertools.accumulate((f.size for f in files), initial=0))
    cuts = [0]
    for k in range(1, parts):
        target = before[-1] * k / parts
        cuts.append(bisect.bisect_left(before, target, cuts[-1] + 1, len(files) - (parts - k)))
    cuts.append(len(files))
    return [files[a:b] for a, b in itertools.pairwise(cuts)]


INGEST_STAGES = ("read", "parse", "clean")


@dataclass
class BatchIngest:
    """What one batch yielded, without its raw text: small enough to send back from a worker.

    `seconds` is the time the batch spent in each stage (`read`, `parse`, `clean`).
    """

    records: pl.DataFrame
    rejected_files: list[RejectedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed_files: list[str] = field(default_factory=list)
    content_lines: int = 0
    lines_in_records: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def summarise_batch(
    batch: ReadBatch,
    parsed: ParsedBatch,
    records: pl.DataFrame,
    seconds: dict[str, float] | None = None,
) -> BatchIngest:
    """Keep of a read, parsed and cleaned batch what the run needs from it."""
    unrecognised_names = parsed.unrecognised
    return BatchIngest(
        records=records,
        rejected_files=batch.rejected + unrecognised(batch, unrecognised_names),
        warnings=list(batch.warnings),
        parsed_files=[dump.name for dump in batch.dumps if dump.name not in unrecognised_names],
        content_lines=parsed.content_lines,
        lines_in_records=parsed.lines_in_records,
        seconds=dict(seconds or {}),
    )


def ingest_batch(
    files: list[RawFile],
    listing_year: int | None,
    max_record_bytes: int,
    today: dt.date,
    *,
    read: Callable[[list[RawFile]], ReadBatch] = read_dumps,
    parse: Callable[..., ParsedBatch] = parse_dumps,
    clean: Callable[[pl.DataFrame], pl.DataFrame] = clean_frame,
) -> BatchIngest:
    """Read, parse and clean one batch of raw files, timing each stage: the one composition
    of the three, for a build in process (with its task-wrapped stages), a Dask worker and
    an in-memory preview.

    It needs only the files' paths to be readable where it runs, and returns plain data
    (frames, strings, numbers).
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    batch = read(files)
    seconds["read"], start = time.perf_counter() - start, time.perf_counter()
    parsed = parse(batch.dumps, listing_year, max_record_bytes, today)
    seconds["parse"], start = time.perf_counter() - start, time.perf_counter()
    records = clean(parsed.records)
    seconds["clean"] = time.perf_counter() - start
    return summarise_batch(batch, parsed, records, seconds)
