"""Run history and dataset status, read from the output folder alone (no server needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from paperset.report import RunReport
from paperset.storage.changes import committed_feeds
from paperset.storage.layout import RUNS_DIR, Layout
from paperset.storage.manifest import load_manifest


def load_runs(out_dir: Path, limit: int = 10) -> list[RunReport]:
    """The latest `limit` run reports, newest first (run ids sort by start time)."""
    paths = sorted((out_dir / RUNS_DIR).glob("*.json"), reverse=True)[:limit]
    return [RunReport.read(path) for path in paths]


def feeds_since(out_dir: Path, run_id: str | None) -> list[Path]:
    """The change feeds committed after run `run_id` (every one when None), oldest first.

    Builds hold the writer lock one at a time, so a run that started later committed later:
    the feeds are those of runs started after that one, whether or not it changed anything.
    """
    feeds = committed_feeds(out_dir, load_manifest(Layout(out_dir)))
    if run_id is None:
        return feeds
    since = _started(out_dir, run_id)
    return [feed for feed in feeds if _started(out_dir, feed.stem) > since]


def _started(out_dir: Path, run_id: str) -> dt.datetime:
    return dt.datetime.fromisoformat(
        RunReport.read(out_dir / RUNS_DIR / f"{run_id}.json").started_at
    )


def format_runs(runs: list[RunReport]) -> str:
    """A table of runs: when, outcome, records in and out, papers new and updated."""
    columns = ("read", "quar.", "papers", "new", "upd.")
    lines = [f"{'run':<27} {'status':<10} " + " ".join(f"{c:>7}" for c in columns) + "  failure"]
    for run in runs:
        records, papers = run.records, run.papers
        figures = (records.read, records.quarantined, papers.total, papers.new, papers.updated)
        cells = " ".join(f"{figure:>7}" for figure in figures)
        lines.append(f"{run.run_id:<27} {run.status:<10} {cells}  {run.failure or ''}")
    return "\n".join(lines)


def dataset_status(out_dir: Path) -> dict[str, Any]:
    """Totals from the manifest, freshness from the partitions, and the last run's outcome."""
    manifest = load_manifest(Layout(out_dir)) or {}
    files: dict[str, dict[str, Any]] = manifest.get("files", {})
    months = sorted(_partition_value(name, "month") for name in files if "month=" in name)
    runs = load_runs(out_dir, limit=50)
    succeeded = [run for run in runs if run.status == "succeeded"]
    return {
        "papers": sum(entry["rows"] for entry in files.values()),
        "partitions": len(files),
        "bytes": sum(entry["bytes"] for entry in files.values()),
        "latest_month": months[-1] if months else None,
        "last_run": runs[0].run_id if runs else None,
        "last_run_status": runs[0].status if runs else None,
        "last_run_failure": runs[0].failure if runs else None,
        "last_success": succeeded[0].run_id if succeeded else None,
    }


def _partition_value(path: str, key: str) -> str:
    return next(part.split("=", 1)[1] for part in path.split("/") if part.startswith(f"{key}="))


def format_status(status: dict[str, Any]) -> str:
    """The status as aligned `name: value` lines."""
    return "\n".join(f"{name + ':':<18}{value}" for name, value in status.items())
