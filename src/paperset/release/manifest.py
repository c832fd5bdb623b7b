"""A release's `manifest.json`: rows, bytes and sha256 of every other file; checking a copy."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from paperset.storage.fsio import atomic_write_json

MANIFEST = "manifest.json"


def sha256_of(path: Path) -> str:
    """Hash a file without holding it in memory."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """Describe one file: bytes and sha256, plus rows for Parquet."""
    record: dict[str, Any] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    if path.suffix == ".parquet":
        record["rows"] = pq.read_metadata(path).num_rows
    return record


def release_files(release_dir: Path) -> list[str]:
    """List every file of a release but the manifest, as sorted POSIX paths."""
    names = (p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*") if p.is_file())
    return sorted(name for name in names if name != MANIFEST)


def write_manifest(release_dir: Path, header: dict[str, Any]) -> dict[str, Any]:
    """Describe every file of the release under `header`; write it last, as `manifest.json`."""
    files = {name: file_record(release_dir / name) for name in release_files(release_dir)}
    rows = sum(entry.get("rows", 0) for entry in files.values())
    manifest = {**header, "rows": rows, "files": files}
    atomic_write_json(release_dir / MANIFEST, manifest)
    (release_dir / MANIFEST).chmod(0o644)  # a published file: readable like its siblings
    return manifest


def load_manifest(release_dir: Path) -> dict[str, Any]:
    """Read a release's manifest; {} when it is missing or unreadable."""
    try:
        manifest = json.loads((release_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def verify_release(release_dir: Path) -> list[str]:
    """List what does not match the manifest: missing, altered or unlisted files."""
    listed: dict[str, dict[str, Any]] = load_manifest(release_dir).get("files", {})
    if not listed:
        return [f"no readable {MANIFEST} in {release_dir}"]
    problems = []
    for name, expected in sorted(listed.items()):
        path = release_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif file_record(path) != expected:
            problems.append(f"{name}: content differs from the manifest")
    unlisted = sorted(set(release_files(release_dir)) - set(listed))
    return problems + [f"{name}: not in the manifest" for name in unlisted]
