"""The ledger of raw files already ingested, so a scheduled run reads only what is new.

Kept at `out/_meta/ledger.parquet`: one row per raw file (name, size, mtime, sha256).
A file whose size and mtime are unchanged is skipped without reading it; one whose
stat changed is hashed, and skipped if its bytes are the same (a `touch`, a copy).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from paperset.ingest.discover import RawFile
from paperset.storage.fsio import atomic_write_parquet
from paperset.storage.layout import LEDGER as LEDGER_FILE

LEDGER_PATH = LEDGER_FILE
LEDGER = pl.Schema(
    {
        "source_file": pl.String(),
        "size": pl.Int64(),
        "mtime": pl.Float64(),
        "sha256": pl.String(),
        "settings": pl.String(),
    }
)


@dataclass(frozen=True)
class Plan:
    """Which discovered files this run must read, and the ledger it will leave behind."""

    to_read: list[RawFile]
    unchanged: list[str]
    ledger: pl.DataFrame


def load_ledger(out_dir: Path) -> pl.DataFrame:
    """Read the ledger, or an empty one before the first run."""
    path = out_dir / LEDGER_PATH
    if not path.exists():
        return pl.DataFrame(schema=LEDGER)
    stored = pl.read_parquet(path)
    missing = [
        pl.lit(None, dtype).alias(n) for n, dtype in LEDGER.items() if n not in stored.columns
    ]
    return stored.with_columns(missing).select(LEDGER.names())


def plan_reads(
    files: list[RawFile], ledger: pl.DataFrame, settings: str, *, full: bool = False
) -> Plan:
    """Split files into those to read (new, changed, or all with `full`) and the rest.

    `settings` names the parse options that change what a file yields (`--year`, the
    record size limit): a file read under other settings is read again.
    """
    known = {row["source_file"]: row for row in ledger.iter_rows(named=True)}
    to_read: list[RawFile] = []
    unchanged: list[str] = []
    rows = []
    for raw_file in files:
        before = known.get(raw_file.name)
        digest = _digest(raw_file, before)
        changed = (
            before is None
            or digest == ""
            or digest != before["sha256"]
            or settings != before["settings"]
        )
        if full or changed:
            to_read.append(raw_file)
        else:
            unchanged.append(raw_file.name)
        rows.append(
            {
                "source_file": raw_file.name,
                "size": raw_file.size,
                "mtime": raw_file.mtime,
                "sha256": digest,
                "settings": settings,
            }
        )
    kept = ledger.filter(~pl.col("source_file").is_in([f.name for f in files]))
    return Plan(to_read, unchanged, pl.concat([kept, pl.DataFrame(rows, schema=LEDGER)]))


def _digest(raw_file: RawFile, before: dict[str, Any] | None) -> str:
    """The file's sha256, taken from the ledger when its size and mtime are unchanged."""
    if before is not None and (before["size"], before["mtime"]) == (raw_file.size, raw_file.mtime):
        return str(before["sha256"])
    return _sha256(raw_file.path)


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""  # unreadable now: read it, so the reader can quarantine it with the reason


def save_ledger(out_dir: Path, ledger: pl.DataFrame) -> None:
    """Store the ledger once the run's dataset is committed."""
    atomic_write_parquet(out_dir / LEDGER_PATH, ledger.sort("source_file"))
