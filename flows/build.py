"""The `build-dataset` flow: raw dumps in, a validated, partitioned dataset out."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.states import Failed

from flows import tasks
from flows.progress import RunProgress, run_progress
from paperset.config import BuildConfig
from paperset.dedup.intake import Ingested
from paperset.dedup.merge import write_merges
from paperset.finalise import to_contract
from paperset.incremental.ledger import Plan, load_ledger, plan_reads, save_ledger
from paperset.incremental.merge_index import (
    MergeWork,
    after_merge,
    dataset_totals,
    key_sightings,
    load_index,
    plan_merge,
    save_index,
    state_settings,
    store_segment,
    without_bands,
)
from paperset.incremental.update import apply_papers, read_before
from paperset.ingest.batches import batches_of
from paperset.ingest.discover import Discovery, RawFile
from paperset.ingest.quarantine import quarantine_entries, write_quarantine
from paperset.memory import return_freed_memory_promptly, reuse_freed_memory
from paperset.report import (
    ErrorBudgetExceeded,
    RunReport,
    paper_counts,
    summary_markdown,
    topic_table,
)
from paperset.storage import commit_papers, dataset_run_id, output_lock, preflight_output
from paperset.storage.changes import change_feed
from paperset.storage.spill import Texts, run_work_dir
from paperset.topics.assign import classifier_version

DEFAULTS = BuildConfig()


@flow(name="build-dataset", log_prints=True)
def build_dataset(
    raw_dir: str = str(DEFAULTS.raw_dir),
    out_dir: str = str(DEFAULTS.out_dir),
    year: int | None = DEFAULTS.listing_year,
    error_budget: float = DEFAULTS.error_budget,
    near_duplicates: bool = DEFAULTS.near_duplicates,
    max_record_bytes: int = DEFAULTS.max_record_bytes,
    full: bool = DEFAULTS.full,
    dask_address: str | None = DEFAULTS.dask_address,
    workers: int | None = DEFAULTS.workers,
) -> dict[str, Any]:
    """Parse, clean, merge, classify, validate and commit every raw dump; report the run.

    With `dask_address` or `workers`, the batches are read, parsed and cleaned on a Dask
    cluster; everything after that stays in this process.
    """
    config = BuildConfig(
        raw_dir=Path(raw_dir),
        out_dir=Path(out_dir),
        listing_year=year,
        error_budget=error_budget,
        max_record_bytes=max_record_bytes,
        near_duplicates=near_duplicates,
        logical_date=_logical_date(),
        full=full,
        dask_address=dask_address or None,
        workers=workers,
    )
    reuse_freed_memory()
    run_id = _run_id(config.run_time())
    report = RunReport(run_id, config.run_time().isoformat(), raw_dir, out_dir)
    preflight_output(config.out_dir)
    expected: Exception | None = None
    with output_lock(config.out_dir, run_id):
        try:
            _build(config, report)
            report.status = "succeeded"
        except ErrorBudgetExceeded as error:
            report.status, report.failure, expected = (
                "failed",
                f"ErrorBudgetExceeded: {error}",
                error,
            )
        except Exception as error:
            report.status, report.failure = "failed", f"{type(error).__name__}: {error}"
            raise
        finally:
            report.outputs["report"] = str(report.write(config.out_dir))
            _publish_summary(report)
    if expected is not None:
        # Bad input is not a bug: fail the flow run with the cause and no traceback. Prefect
        # raises `expected` for a caller of the flow, just as if it had been raised here.
        return Failed(message=report.failure, data=expected)  # type: ignore[return-value]
    return asdict(report)


def _build(config: BuildConfig, report: RunReport) -> None:
    """The pipeline: read what is new, parse, clean, merge, classify, validate, commit."""
    out = config.out_dir
    settings = state_settings(classifier_version(), config.near_duplicates)
    with report.timing("read"):
        found = tasks.discover_raw_files(config.raw_dir)
        plan = plan_reads(found.files, load_ledger(out), config.parse_settings(), full=config.full)
    batches = batches_of(plan.to_read)
    with run_progress(len(batches)) as progress, run_work_dir(out, report.run_id) as work_dir:
        ingested = _ingest(config, batches, report, progress, work_dir)
        return_freed_memory_promptly()  # the ingest's arrays are freed: what follows is larger
        _account(report, found, plan, ingested, config)
        with report.timing("merge"):
            work = _planned_merge(config, settings, ingested)
            work = store_segment(out, report.run_id, work, ingested.texts)
            before = read_before(out, work)
            near = _near_duplicates(config, work, ingested.texts)
            work = without_bands(work)  # freed before the papers are built
            merged = tasks.merge_duplicates(
                work.sightings,
                before.previous,
                near_duplicates=config.near_duplicates,
                near_edges=near,
                texts=ingested.texts,
            )
            work = after_merge(work)
        progress.step("assigning topics")
        with report.timing("topics"):
            remade = to_contract(tasks.assign_topics(merged.papers))
            merged = merged.without_papers()
        progress.step("validating")
        with report.timing("validate"):
            update = apply_papers(out, before, remade)
            papers = tasks.validate_papers(update.papers)
        progress.step("committing")
        with report.timing("commit"):
            feed = change_feed(before.previous, remade, report.run_id, dt.datetime.now(dt.UTC))
            committed = commit_papers(papers, out, report.run_id, scope=update.scope, feed=feed)
            index = save_index(
                out,
                report.run_id,
                work,
                merged.sighting_paper_ids,
                remade,
                merged.cut_links,
                settings,
                dataset_run_id(out),
            )
            save_ledger(out, plan.ledger)
            report.outputs["merges"] = str(write_merges(out, report.run_id, merged.merges))
        progress.step("done")
    report.count_partitions(committed)
    report.count_changes(feed, committed.changes)
    report.papers = paper_counts(remade, before.previous, merged.merges, dataset_totals(index))
    report.papers["sightings_remerged"] = work.sightings.height


def _planned_merge(config: BuildConfig, settings: dict[str, Any], ingested: Ingested) -> MergeWork:
    """What the run re-merges. The stored index and the run's accepted records are freed
    once planned from (neither is kept in a name past this call)."""
    out = config.out_dir
    stored = load_index(out, settings, dataset_run_id(out))
    accepted = key_sightings(ingested.take_accepted(), stored, config.run_time())
    return plan_merge(out, stored, accepted, ingested.read_files(), ingested.take_texts())


def _near_duplicates(config: BuildConfig, work: MergeWork, texts: Texts) -> pl.DataFrame | None:
    """The near-duplicate edges among the sightings to merge, when the build asks for them."""
    if not config.near_duplicates:
        return None
    return tasks.find_near_duplicates(
        work.sightings,
        bands=work.bands,
        oversized=work.oversized,
        sketches=work.sketches,
        texts=texts,
    )


def _ingest(
    config: BuildConfig,
    batches: list[list[RawFile]],
    report: RunReport,
    progress: RunProgress,
    work_dir: Path,
) -> Ingested:
    """Read, parse and clean the files in batches of bounded size, spilling to `work_dir`.

    On a Dask cluster when the build asks for one; else one batch after the other, here.
    """
    if config.on_dask():
        from flows.dask_ingest import ingest_on_dask

        return ingest_on_dask(config, batches, report, progress, work_dir)
    ingested = Ingested.in_folder(work_dir)
    for number, batch_files in enumerate(batches, start=1):
        with report.timing("read"):
            batch = tasks.read_dumps(batch_files)
        with report.timing("parse"):
            parsed = tasks.parse_dumps(
                batch.dumps, config.listing_year, config.max_record_bytes, config.run_time().date()
            )
        with report.timing("clean"):
            ingested.add(batch, parsed, tasks.clean_records(parsed.records))
        progress.step(f"read {number} of {len(batches)} batches of raw files")
    return ingested


def _account(
    report: RunReport, found: Discovery, plan: Plan, ingested: Ingested, config: BuildConfig
) -> None:
    """Count files and records, write the quarantine, and enforce the error budget."""
    rejected = ingested.rejected_records()
    report.warnings = found.warnings + ingested.warnings
    report.count_files(
        found=len(found.files),
        skipped=len(found.warnings),
        unchanged=len(plan.unchanged),
        parsed=len(ingested.parsed_files),
        quarantined=len(ingested.rejected_files),
    )
    report.count_records(ingested.records_read, ingested.accepted_count(), rejected)
    report.check_lines(ingested.content_lines, ingested.lines_in_records)
    entries = quarantine_entries(
        rejected, ingested.rejected_files, report.run_id, config.run_time()
    )
    report.outputs["quarantine"] = _str(write_quarantine(config.out_dir, entries, report.run_id))
    report.check_error_budget(config.error_budget)


def _logical_date() -> dt.datetime | None:
    """The scheduled start of this flow run, so a late run still covers its own slot."""
    scheduled = flow_run.scheduled_start_time
    return dt.datetime.fromisoformat(str(scheduled)) if scheduled else None


def _run_id(when: dt.datetime) -> str:
    suffix = str(flow_run.id or "local").replace("-", "")[:8]
    return f"{when:%Y%m%dT%H%M%SZ}-{suffix}"


def _publish_summary(report: RunReport) -> None:
    """Show the run's summary in Prefect; the report file is the record, this is a courtesy.

    A committed run must not turn into a failed one because the API is unreachable.
    """
    logger = get_run_logger()
    try:
        create_markdown_artifact(
            markdown=summary_markdown(report), key="build-summary", description="paperset build"
        )
        create_table_artifact(
            table=topic_table(report), key="build-topics", description="papers per topic"
        )
    except Exception as error:  # the dataset and runs/<run_id>.json are already written
        logger.warning("could not create the build-summary artifact: %s", error)
    logger.info("run %s %s: %s papers", report.run_id, report.status, report.papers.get("total"))


def _str(path: Path | None) -> str | None:
    return str(path) if path else None
