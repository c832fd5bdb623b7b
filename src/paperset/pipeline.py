"""The build as plain functions: plan → ingest → merge → classify → validate → commit → report.

`build` runs a whole build without Prefect. The `build-dataset` flow runs the very same
functions with each stage wrapped as a Prefect task (it passes its own `Stages`), and the
Dask path passes its own ingest. The order of the incremental steps lives here and only
here: the run's segment is written beside the merge and before the commit; the commit,
then the merge index, then the ledger are written last, so a run that dies leaves the
index and ledger of the commit before it, which the next run detects and repairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from paperset.config import BuildConfig
from paperset.dedup.intake import Ingested
from paperset.dedup.merge import merge_duplicates, near_duplicate_edges, write_merges
from paperset.finalise import to_contract, validate_papers
from paperset.incremental.ledger import Plan, load_ledger, plan_reads, save_ledger
from paperset.incremental.merge_index import (
    MergeWork,
    after_merge,
    key_sightings,
    load_index,
    plan_merge,
    without_bands,
)
from paperset.incremental.save import save_index, segment_written, write_segment
from paperset.incremental.state import dataset_totals, state_settings
from paperset.incremental.update import apply_papers, changed_partitions, read_before
from paperset.ingest.batches import batches_of, ingest_batch, read_dumps
from paperset.ingest.clean import clean_frame
from paperset.ingest.discover import Discovery, RawFile, discover_raw_files
from paperset.ingest.parse import parse_dumps
from paperset.ingest.quarantine import quarantine_entries, write_quarantine
from paperset.memory import return_freed_memory_promptly
from paperset.progress import Progress, ProgressFactory, silent
from paperset.report import RunReport, paper_counts
from paperset.storage import commit_papers, dataset_run_id, output_lock, preflight_output
from paperset.storage.changes import change_feed
from paperset.storage.spill import Texts, run_work_dir
from paperset.threads import failing_first
from paperset.topics.assign import assign_topics, classifier_version

# (config, batches, report, progress, work dir) -> the run's ingested records
Ingest = Callable[[BuildConfig, list[list[RawFile]], RunReport, Progress, Path], Ingested]


@dataclass(frozen=True)
class Stages:
    """The stage functions a build calls; the flow passes task-wrapped ones.

    `ingest`, when given, replaces reading, parsing and cleaning the batches one after the
    other in this process (the Dask path).
    """

    discover: Callable[[Path], Discovery] = discover_raw_files
    read: Callable[..., Any] = read_dumps
    parse: Callable[..., Any] = parse_dumps
    clean: Callable[[pl.DataFrame], pl.DataFrame] = clean_frame
    near_duplicates: Callable[..., pl.DataFrame] = near_duplicate_edges
    merge: Callable[..., Any] = merge_duplicates
    classify: Callable[[pl.DataFrame], pl.DataFrame] = assign_topics
    validate: Callable[[pl.DataFrame], pl.DataFrame] = validate_papers
    ingest: Ingest | None = None


def build(
    config: BuildConfig,
    report: RunReport,
    stages: Stages | None = None,
    progress: ProgressFactory = silent,
) -> RunReport:
    """Run one build under the output folder's writer lock; write its report whatever happens.

    Raises what failed the run (`ErrorBudgetExceeded` for bad input) once the report says so.
    """
    preflight_output(config.out_dir)
    with output_lock(config.out_dir, report.run_id):
        try:
            run(config, report, stages or Stages(), progress)
            report.status = "succeeded"
        except Exception as error:
            report.status, report.failure = "failed", f"{type(error).__name__}: {error}"
            raise
        finally:
            report.outputs["report"] = str(report.write(config.out_dir))
    return report


def run(config: BuildConfig, report: RunReport, stages: Stages, progress: ProgressFactory) -> None:
    """The pipeline: read what is new, parse, clean, merge, classify, validate, commit."""
    out = config.out_dir
    settings = state_settings(classifier_version(), config.near_duplicates)
    with report.timing("read"):
        found = stages.discover(config.raw_dir)
        plan = plan_reads(found.files, load_ledger(out), config.parse_settings(), full=config.full)
    batches = batches_of(plan.to_read)
    with progress(len(batches)) as shown, run_work_dir(out, report.run_id) as work_dir:
        ingested = ingest(config, batches, report, shown, work_dir, stages)
        return_freed_memory_promptly()  # the ingest's arrays are freed: what follows is larger
        account(report, found, plan, ingested, config)
        with report.timing("merge"), ThreadPoolExecutor(1, "segment") as beside:
            work = planned_merge(config, settings, ingested)
            segment = beside.submit(write_segment, out, report.run_id, work, ingested.texts)
            with failing_first(segment):
                before = read_before(out, work)
                near = near_duplicates(config, work, ingested.texts, stages)
                work = without_bands(work)  # freed before the papers are built
                merged = stages.merge(
                    work.sightings,
                    before.previous,
                    near_duplicates=config.near_duplicates,
                    near_edges=near,
                    texts=ingested.texts,
                )
            work = segment_written(after_merge(work), segment.result())
        shown.step("assigning topics")
        with report.timing("topics"):
            remade = to_contract(stages.classify(merged.papers))
            merged = merged.without_papers()
        shown.step("validating")
        with report.timing("validate"):
            remade = stages.validate(remade)
            update = apply_papers(out, before, remade)
        shown.step("committing")
        with report.timing("commit"):
            feed = change_feed(before.previous, remade, report.run_id, dt.datetime.now(dt.UTC))
            update = changed_partitions(update, before, feed)
            committed = commit_papers(
                update.papers, out, report.run_id, scope=update.scope, feed=feed
            )
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
        shown.step("done")
    report.count_partitions(committed)
    report.count_changes(feed, committed.changes)
    report.papers = paper_counts(remade, before.previous, merged.merges, dataset_totals(index))
    report.papers.sightings_remerged = work.sightings.height


def ingest(
    config: BuildConfig,
    batches: list[list[RawFile]],
    report: RunReport,
    progress: Progress,
    work_dir: Path,
    stages: Stages,
) -> Ingested:
    """Read, parse and clean the files in batches of bounded size, spilling to `work_dir`:
    with `stages.ingest` when given, else one batch after the other, here.

    Each batch is taken in (keyed, its texts stored, its MinHash made: `Ingested.add_batch`)
    on a thread of its own while the next batch is read, parsed and cleaned, so the cores
    the one leaves idle serve the other. Batches are taken in their order, one at a time,
    and at most one waits: two batches in memory, not more. The time spent waiting for a
    batch to be taken counts as `clean`, so the stages still add up to the wall time.
    """
    if stages.ingest is not None:
        return stages.ingest(config, batches, report, progress, work_dir)
    ingested = Ingested.in_folder(work_dir)
    today = config.run_time().date()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake") as intake:
        taking: Future[None] | None = None
        for number, files in enumerate(batches, start=1):
            with failing_first(taking):
                result = ingest_batch(
                    files,
                    config.listing_year,
                    config.max_record_bytes,
                    today,
                    read=stages.read,
                    parse=stages.parse,
                    clean=stages.clean,
                )
            for stage, seconds in result.seconds.items():
                report.add_seconds(stage, seconds)
            with report.timing("clean"):
                if taking is not None:
                    taking.result()
                taking = intake.submit(ingested.add_batch, result)
            progress.step(f"read {number} of {len(batches)} batches of raw files")
        with report.timing("clean"):
            if taking is not None:
                taking.result()
    return ingested


def planned_merge(config: BuildConfig, settings: dict[str, Any], ingested: Ingested) -> MergeWork:
    """What the run re-merges. The stored index and the run's accepted records are freed
    once planned from (neither is kept in a name past this call)."""
    out = config.out_dir
    stored = load_index(out, settings, dataset_run_id(out))
    accepted = key_sightings(ingested.take_accepted(), stored, config.run_time())
    return plan_merge(out, stored, accepted, ingested.read_files(), ingested.take_texts())


def near_duplicates(
    config: BuildConfig, work: MergeWork, texts: Texts, stages: Stages
) -> pl.DataFrame | None:
    """The near-duplicate edges among the sightings to merge, when the build asks for them."""
    if not config.near_duplicates:
        return None
    return stages.near_duplicates(
        work.sightings,
        bands=work.bands,
        oversized=work.oversized,
        sketches=work.sketches,
        texts=texts,
    )


def account(
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
    written = write_quarantine(config.out_dir, entries, report.run_id)
    report.outputs["quarantine"] = str(written) if written else None
    report.check_error_budget(config.error_budget)
