"""Crash-safe file writes: write to a temporary sibling, fsync, rename into place."""

from __future__ import annotations

import filecmp
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypedDict

import polars as pl
import pyarrow.parquet as pq

# Pinned so equal frames give equal bytes whatever the library defaults become.
ZSTD_LEVEL = 3
ROW_GROUP_ROWS = 100_000


class ParquetOptions(TypedDict):
    """The settings every dataset file is written with."""

    compression: Literal["zstd"]
    compression_level: int
    statistics: bool
    row_group_size: int


PARQUET_OPTIONS = ParquetOptions(
    compression="zstd", compression_level=ZSTD_LEVEL, statistics=True, row_group_size=ROW_GROUP_ROWS
)


def fsync_dir(path: Path) -> None:
    """Flush a directory entry so a rename inside it survives a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """Serialise `frame` as zstd Parquet, byte-identical for equal frames."""
    buffer = io.BytesIO()
    _write_parquet(frame, buffer)
    return buffer.getvalue()


def _write_parquet(frame: pl.DataFrame, target: io.BytesIO | str) -> None:
    # Chunk layout leaks into row-group boundaries, so equal data must be one chunk first.
    frame.rechunk().write_parquet(target, **PARQUET_OPTIONS)


def write_durable(path: Path, data: bytes) -> None:
    """Create `path` with `data` on disk before returning; refuse to overwrite."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def remove_durable(path: Path, keep: Path) -> None:
    """Delete `path`, then the folders it leaves empty, up to but not including `keep`."""
    fsync_dirs(remove_file(path, keep))


def holds(path: Path, data: bytes) -> bool:
    """Tell whether `path` is a file holding exactly `data` (size first, to skip most reads)."""
    return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` so readers see the old file or the new, never a torn one.

    A file already holding `data` is left alone, so a re-run rewrites nothing; the result
    tells whether the file was written.
    """
    if holds(path, data):
        return False
    return _replace_with(path, lambda tmp: Path(tmp).write_bytes(data))


def _replace_with(path: Path, write: Callable[[str], object]) -> bool:
    """Have `write` fill a temporary sibling of `path`, then put it in place durably.

    Left alone, and False, when `path` already holds the same bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            Path(tmp).unlink()
            return False
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return True


def atomic_write_json(path: Path, payload: Any) -> bool:
    """Write `payload` as indented, key-sorted JSON, atomically, unless already there."""
    text = json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_parquet(path: Path, frame: pl.DataFrame) -> bool:
    """Write `frame` as deterministic zstd Parquet, atomically, unless already there.

    Written straight to a temporary sibling, a row group at a time, so a large frame never
    has its whole file in memory.
    """
    return _replace_with(path, lambda tmp: _write_parquet(frame, tmp))


def atomic_write_parquet_parts(path: Path, parts: Iterable[pl.DataFrame], schema: pl.Schema) -> int:
    """Write the frames `parts` (each of `schema`) as one zstd Parquet file, atomically,
    holding one part in memory at a time; return how many rows were written."""
    rows = 0

    def write(tmp: str) -> None:
        nonlocal rows
        arrow_schema = pl.DataFrame(schema=schema).to_arrow().schema
        with pq.ParquetWriter(
            tmp, arrow_schema, compression="zstd", compression_level=ZSTD_LEVEL
        ) as writer:
            for part in parts:
                writer.write_table(part.to_arrow(), row_group_size=ROW_GROUP_ROWS)
                rows += part.height

    _replace_with(path, write)
    return rows


def make_dirs(path: Path) -> set[Path]:
    """Create `path` and missing parents; return the folders whose entries changed."""
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
    return {folder.parent for folder in missing}


def fsync_dirs(folders: set[Path]) -> None:
    """Flush the entries of each folder that still exists (renames, new and removed files)."""
    for folder in sorted(folders):
        if folder.is_dir():
            fsync_dir(folder)


def remove_file(path: Path, keep: Path) -> set[Path]:
    """Delete `path` and the folders it leaves empty below `keep`; return folders to flush."""
    path.unlink(missing_ok=True)
    changed = {path.parent}
    folder = path.parent
    while folder != keep and folder.is_relative_to(keep):
        try:
            folder.rmdir()
        except OSError:
            break
        changed.add(folder.parent)
        folder = folder.parent
    return changed
