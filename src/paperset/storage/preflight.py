"""Preflight: prove the output folder can hold a paperset dataset before any work starts."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from paperset.errors import OutputError
from paperset.storage.fsio import atomic_write_json
from paperset.storage.layout import FORMAT_NAME, FORMAT_VERSION, OWN_ENTRIES, Layout


def preflight_output(out_dir: Path) -> None:
    """Create `out_dir` if missing, refuse it if unusable or foreign, and mark it as a dataset."""
    layout = Layout(out_dir)
    _ensure_folder(out_dir)
    marked = _read_marker(layout) is not None
    if not marked:
        _refuse_foreign_entries(out_dir)
    for folder in (out_dir, layout.papers, layout.meta, layout.staging):
        _check_writable_folder(folder)
    _check_one_filesystem(layout)
    if not marked:
        _write_marker(layout)


def _write_marker(layout: Layout) -> None:
    """Mark the folder as a paperset dataset, so later preflights accept what else is in it."""
    try:
        atomic_write_json(layout.marker, {"format": FORMAT_NAME, "format_version": FORMAT_VERSION})
    except OSError as error:
        raise OutputError(f"cannot write {layout.marker}: {error.strerror}") from None


def _ensure_folder(out_dir: Path) -> None:
    """Create the output folder, turning OS errors into one-line messages."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"output folder {out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create output folder {out_dir}: {error.strerror}") from None


def _read_marker(layout: Layout) -> dict[str, Any] | None:
    """Return the dataset marker, None when absent; refuse one paperset cannot read."""
    if not layout.marker.exists():
        return None
    try:
        marker = json.loads(layout.marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if not isinstance(marker, dict) or marker.get("format") != FORMAT_NAME:
        raise OutputError(f"{layout.marker} does not describe a paperset dataset")
    version = marker.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise OutputError(
            f"{layout.root} holds a paperset dataset in format {version!r}; "
            f"this paperset reads format {FORMAT_VERSION} and older"
        )
    return marker


def _refuse_foreign_entries(out_dir: Path) -> None:
    """Refuse a folder holding anything paperset does not own, so no one's files get mixed in."""
    foreign = sorted(name for name in os.listdir(out_dir) if name not in OWN_ENTRIES)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputError(
            f"output folder {out_dir} holds files that are not a paperset dataset ({shown}); "
            "choose an empty folder or an existing paperset output"
        )


def _check_writable_folder(folder: Path) -> None:
    """Refuse `folder` if it is a file or cannot take a new file (permissions, read-only mount)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputError(f"{folder} is a file where paperset needs a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".paperset-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(f"output folder {folder} is not writable: {error.strerror}") from None


def _check_one_filesystem(layout: Layout) -> None:
    """Refuse a `papers/` on another filesystem: staged files could not be renamed into it."""
    if layout.papers.is_dir() and layout.papers.stat().st_dev != layout.root.stat().st_dev:
        raise OutputError(
            f"{layout.papers} is on another filesystem than {layout.root}; "
            "atomic commits need both on one"
        )
