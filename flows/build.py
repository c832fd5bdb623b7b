"""The `build-dataset` flow: raw dumps in, a validated, partitioned dataset out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import tasks
from paperset.config import BuildConfig, Granularity
from paperset.finalise import to_contract
from paperset.fsio import atomic_write_parquet
from paperset.ingest import unrecognised
from paperset.ledger import load_ledger, plan_reads, save_ledger
from paperset.quarantine import file_entries, record_entries, write_quarantine
from paperset.records import split_rejected
from paperset.report import RunReport, paper_counts, summary_markdown
from paperset.sightings import load_sightings, save_sightings, update_sightings
from paperset.storage import commit_papers, output_lock, preflight_output, read_papers


@flow(name="build-dataset", log_prints=True)
def build_dataset(
    raw_dir: str = "data/raw",
    out_dir: str = "data/processed",
    year: int | None = None,
    error_budget: float = 0.10,
    partition: Granularity = "day",
    near_duplicates: bool = True,
    max_record_bytes: int = 64 * 1024,
    full: bool = False,
) -> dict[str, Any]:
    """Parse, clean, merge, classify, validate and commit every raw dump; report the run."""
    config = BuildConfig(
        Path(raw_dir),
        Path(out_dir),
        year,
        error_budget,
        max_record_bytes,
        partition,
        near_duplicates,
        logical_date=_logical_date(),
        full=full,
    )
    run_id = _run_id(config.run_time())
    report = RunReport(run_id, config.run_time().isoformat(), raw_dir, out_dir)
    preflight_output(config.out_dir)
    with output_lock(config.out_dir, run_id):
        try:
            _build(config, report)
            report.status = "succeeded"
        except Exception as error:
            report.status, report.failure = "failed", f"{type(error).__name__}: {error}"
            raise
        finally:
            report.outputs["report"] = str(report.write(config.out_dir))
            _publish_summary(report)
    return asdict(report)


def _build(config: BuildConfig, report: RunReport) -> None:
    now, out = config.run_time(), config.out_dir
    with report.timing("read"):
        found = tasks.discover_raw_files(config.raw_dir)
        plan = plan_reads(found.files, load_ledger(out), full=config.full)
        batch = tasks.read_dumps(plan.to_read)
    with report.timing("parse"):
        parsed = tasks.parse_dumps(
            batch.dumps, config.listing_year, config.max_record_bytes, now.date()
        )
    with report.timing("clean"):
        accepted, rejected = split_rejected(tasks.clean_records(parsed.records))
    rejected_files = batch.rejected + unrecognised(batch, parsed.unrecognised)
    report.warnings = found.warnings + batch.warnings
    report.count_files(
        found=len(found.files),
        skipped=len(found.warnings),
        unchanged=len(plan.unchanged),
        parsed=len(batch.dumps),
        quarantined=len(rejected_files),
    )
    report.count_records(parsed.records.height, accepted.height, rejected)
    quarantined = pl.concat(
        [
            record_entries(rejected, report.run_id, now),
            file_entries(rejected_files, report.run_id, now),
        ]
    )
    report.outputs["quarantine"] = _str(write_quarantine(out, quarantined, report.run_id))
    report.check_error_budget(config.error_budget)
    with report.timing("merge"):
        read_files = [dump.name for dump in batch.dumps] + [f.name for f in rejected_files]
        sightings = update_sightings(load_sightings(out), accepted, read_files, now)
        previous = read_papers(out)
        merged = tasks.merge_duplicates(sightings, previous, near_duplicates=config.near_duplicates)
    with report.timing("topics"):
        papers = tasks.assign_topics(merged.papers)
    with report.timing("validate"):
        papers = tasks.validate_papers(to_contract(papers, config.partition))
    with report.timing("commit"):
        committed = commit_papers(papers, out, report.run_id)
        save_sightings(out, sightings, merged.sighting_paper_ids)
        save_ledger(out, plan.ledger)
        merges_path = out / "runs" / report.run_id / "merges.parquet"
        atomic_write_parquet(merges_path, merged.merges)
    report.outputs["merges"] = str(merges_path)
    report.partitions = {
        "written": len(committed.written),
        "removed": len(committed.removed),
        "unchanged": len(committed.unchanged),
    }
    report.papers = paper_counts(papers, previous, merged.merges)


def _logical_date() -> dt.datetime | None:
    """The scheduled start of this flow run, so a late run still covers its own slot."""
    scheduled = flow_run.scheduled_start_time
    return dt.datetime.fromisoformat(str(scheduled)) if scheduled else None


def _run_id(when: dt.datetime) -> str:
    suffix = str(flow_run.id or "local").replace("-", "")[:8]
    return f"{when:%Y%m%dT%H%M%SZ}-{suffix}"


def _publish_summary(report: RunReport) -> None:
    markdown = summary_markdown(report)
    create_markdown_artifact(markdown=markdown, key="build-summary", description="paperset build")
    get_run_logger().info("run %s %s: %s", report.run_id, report.status, report.papers.get("total"))


def _str(path: Path | None) -> str | None:
    return str(path) if path else None
