"""Read the committed dataset for a release: verified, under the readers' lock, in one piece.

`verify_manifest` gives the full list of problems; then, holding `reading` so no commit can land
mid-read, the listed files are hashed again (a commit may have landed between the two) and read.
`reading` is not re-entrant (a waiting writer would deadlock a nested reader), so nothing in the
block calls `read_papers` or `verify_manifest`, which take it themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from paperset.errors import ContractViolation, ReleaseRefused
from paperset.finalise import validate_papers
from paperset.ingest.quarantine import QUARANTINE_DIR
from paperset.schema import Paper, QuarantineEntry, polars_schema
from paperset.storage import verify_manifest
from paperset.storage.layout import HIVE_SCHEMA, RUNS_DIR, Layout, data_schema
from paperset.storage.lock import reading
from paperset.storage.manifest import load_manifest


@dataclass(frozen=True)
class Snapshot:
    """The dataset as committed by `run_id`, with the quarantine and that run's report."""

    papers: pl.DataFrame
    run_id: str
    schema_version: str
    quarantine: pl.DataFrame
    run_report: dict[str, Any]


def take_snapshot(out_dir: Path) -> Snapshot:
    """Return the committed dataset of `out_dir`; refuse one that does not verify."""
    problems = verify_manifest(out_dir)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ReleaseRefused(
            f"the dataset in {out_dir} does not verify against its manifest: {problems[0]}{more}"
        )
    layout = Layout(out_dir)
    with reading(out_dir):
        manifest = load_manifest(layout)
        if manifest is None:
            raise ReleaseRefused(f"{out_dir} holds no committed dataset; run `paperset build`")
        _check_unchanged(layout, manifest["files"])
        papers = _read(layout)
        quarantine = _read_quarantine(out_dir / QUARANTINE_DIR)
        report = _read_report(out_dir / RUNS_DIR / f"{manifest['run_id']}.json")
    if papers.is_empty():
        raise ReleaseRefused(f"the dataset in {out_dir} holds no papers; nothing to release")
    return Snapshot(
        _validated(papers), manifest["run_id"], manifest["schema_version"], quarantine, report
    )


def _check_unchanged(layout: Layout, listed: dict[str, dict[str, Any]]) -> None:
    """Refuse when a listed file no longer holds the bytes the manifest names."""
    for name, entry in listed.items():
        with open(layout.root / name, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest != entry["sha256"]:
            raise ReleaseRefused(f"{name} changed while the release was read; try again")


def _read(layout: Layout) -> pl.DataFrame:
    """Read every partition, with `month` and `topic` typed from the paths."""
    if next(layout.parquet_files(), None) is None:
        return pl.DataFrame(schema=polars_schema(Paper))
    frame = pl.scan_parquet(
        layout.papers, hive_partitioning=True, hive_schema=HIVE_SCHEMA, schema=data_schema()
    ).collect()
    return frame.select(polars_schema(Paper).names())


def _validated(papers: pl.DataFrame) -> pl.DataFrame:
    """Check the contract once more: a release must never carry a row the model rejects."""
    try:
        return validate_papers(papers)
    except ContractViolation as error:
        raise ReleaseRefused(f"the committed dataset breaks the contract: {error}") from None


def _read_quarantine(folder: Path) -> pl.DataFrame:
    """Read every quarantine file; an empty frame when there are none."""
    if not any(folder.glob("*.parquet")):
        return pl.DataFrame(schema=polars_schema(QuarantineEntry))
    return pl.read_parquet(folder / "*.parquet", schema=polars_schema(QuarantineEntry))


def _read_report(path: Path) -> dict[str, Any]:
    """Read a run report; {} when it is missing or unreadable (the release still stands)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}
