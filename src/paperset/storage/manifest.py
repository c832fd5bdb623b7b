"""The manifest: rows, size and sha256 of every committed file, written last, atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from paperset.schema import Paper, polars_schema
from paperset.storage.fsio import atomic_write_json
from paperset.storage.layout import FORMAT_NAME, FORMAT_VERSION, Layout
from paperset.storage.lock import reading


@dataclass(frozen=True)
class FileEntry:
    """What the manifest knows about one committed file."""

    rows: int
    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, rows: int) -> FileEntry:
        """Describe a file holding `data` with `rows` rows."""
        return cls(rows=rows, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    @classmethod
    def on_disk(cls, path: Path) -> FileEntry:
        """Describe the Parquet file at `path` as it is now."""
        return cls.of(path.read_bytes(), pq.read_metadata(path).num_rows)

    def to_json(self) -> dict[str, Any]:
        """Return the manifest's record of this file."""
        return {"rows": self.rows, "bytes": self.size, "sha256": self.sha256}


def schema_columns() -> list[list[str]]:
    """Return [name, type] for every column of the dataset, partition keys included."""
    return [[name, str(dtype)] for name, dtype in polars_schema(Paper).items()]


def schema_version() -> str:
    """Return a short fingerprint of the column names and types."""
    text = json.dumps(schema_columns()).encode("utf-8")
    return hashlib.sha256(text).hexdigest()[:16]


def manifest_payload(
    files: dict[str, FileEntry], run_id: str, feeds: list[str] | None = None
) -> dict[str, Any]:
    """Build the manifest for a dataset made of `files`, committed by `run_id`; `feeds` are
    the change feeds of every committed run, oldest first (see `storage.changes`)."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "schema_version": schema_version(),
        "columns": schema_columns(),
        "run_id": run_id,
        "rows": sum(entry.rows for entry in files.values()),
        "files": {name: files[name].to_json() for name in sorted(files)},
        "feeds": list(feeds or []),
    }


def load_manifest(layout: Layout) -> dict[str, Any] | None:
    """Return the manifest, or None when there is none or it cannot be parsed."""
    try:
        payload = json.loads(layout.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def write_manifest(
    layout: Layout, files: dict[str, FileEntry], run_id: str, feeds: list[str] | None = None
) -> bool:
    """Write the manifest unless it already says the same; tell whether it was written."""
    new = manifest_payload(files, run_id, feeds)
    old = load_manifest(layout) or {}
    # The run id alone changing is no change: a no-op run must leave every file as it was.
    if {**old, "run_id": run_id} == new:
        return False
    atomic_write_json(layout.manifest, new)
    return True


def verify_manifest(out_dir: Path) -> list[str]:
    """List what does not match the manifest (missing, altered or unlisted files)."""
    layout = Layout(out_dir)
    with reading(out_dir):
        return _problems(layout)


def _problems(layout: Layout) -> list[str]:
    """List the differences between the files under `papers/` and the manifest."""
    on_disk = set(layout.parquet_files())
    manifest = load_manifest(layout)
    if manifest is None:
        return [f"no readable manifest at {layout.manifest}"] if on_disk else []
    problems = (
        []
        if manifest.get("schema_version") == schema_version()
        else [f"schema version {manifest.get('schema_version')}, expected {schema_version()}"]
    )
    listed: dict[str, dict[str, Any]] = manifest.get("files", {})
    for name in sorted(listed):
        problems += _check_file(layout.root / name, name, listed[name])
    problems += [f"{name}: not in the manifest" for name in sorted(on_disk - set(listed))]
    return problems


def _check_file(path: Path, name: str, expected: dict[str, Any]) -> list[str]:
    """Compare one file with its manifest entry."""
    if not path.is_file():
        return [f"{name}: missing"]
    data = path.read_bytes()
    if len(data) != expected.get("bytes") or hashlib.sha256(data).hexdigest() != expected.get(
        "sha256"
    ):
        return [f"{name}: content differs from the manifest"]
    return []
