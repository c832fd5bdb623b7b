"""The `build-dataset` flow: raw dumps in, a validated, partitioned dataset out.

The pipeline itself is `paperset.pipeline`; this flow runs it with every stage as a Prefect
task, reports the run as artifacts, and fails the flow run on bad input without a traceback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Failed

from flows import tasks
from flows.progress import run_progress
from flows.summary import publish_summary
from paperset import pipeline
from paperset.config import BuildConfig
from paperset.errors import ErrorBudgetExceeded
from paperset.memory import reuse_freed_memory
from paperset.report import RunReport

DEFAULTS = BuildConfig()
TASKS = pipeline.Stages(
    discover=tasks.discover_raw_files,
    read=tasks.read_dumps,
    parse=tasks.parse_dumps,
    clean=tasks.clean_records,
    near_duplicates=tasks.find_near_duplicates,
    merge=tasks.merge_duplicates,
    classify=tasks.assign_topics,
    validate=tasks.validate_papers,
)


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
    report = RunReport(_run_id(config.run_time()), config.run_time().isoformat(), raw_dir, out_dir)
    try:
        pipeline.build(config, report, _stages(config), run_progress)
    except ErrorBudgetExceeded as error:
        # Bad input is not a bug: fail the flow run with the cause and no traceback. Prefect
        # raises `error` for a caller of the flow, just as if it had been raised here.
        return Failed(message=report.failure, data=error)  # type: ignore[return-value]
    finally:
        publish_summary(report)
    return asdict(report)


def _stages(config: BuildConfig) -> pipeline.Stages:
    """The task-wrapped stages; the batches are ingested on Dask when the build asks."""
    if not config.on_dask():
        return TASKS
    from flows.dask_ingest import ingest_on_dask

    return replace(TASKS, ingest=ingest_on_dask)


def _logical_date() -> dt.datetime | None:
    """The scheduled start of this flow run, so a late run still covers its own slot."""
    scheduled = flow_run.scheduled_start_time
    return dt.datetime.fromisoformat(str(scheduled)) if scheduled else None


def _run_id(when: dt.datetime) -> str:
    """The run's time and the random end of its flow run id (the start is a timestamp, the
    same for runs minutes apart)."""
    suffix = str(flow_run.id or "local").replace("-", "")[-8:]
    return f"{when:%Y%m%dT%H%M%SZ}-{suffix}"
