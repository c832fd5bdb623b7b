"""Read raw files into decoded dumps, setting aside files that cannot be read as text."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperset.decode import UnreadableDump, decode_dump
from paperset.discover import RawFile
from paperset.parse import DecodedDump

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


def unrecognised(batch: ReadBatch, names: list[str]) -> list[RejectedFile]:
    """Turn parsed-but-unrecognised files into rejections carrying their first lines."""
    texts = {dump.name: dump.text for dump in batch.dumps}
    return [
        RejectedFile(name, "unrecognised format", texts[name][:RAW_SNIPPET_CHARS]) for name in names
    ]
