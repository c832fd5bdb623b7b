"""Ingest the batches on a Dask cluster through prefect-dask's `DaskTaskRunner`.

Imported by the flow only when a build asks for Dask (`--workers N` or `--dask-address`),
so a plain build never pays for importing Dask. Only reading, parsing and cleaning run on
the cluster, one `ingest-batch` task per piece of a batch; the runner is closed before the
merge, so the merge, topics, validation and commit stay in the flow's process, the only
writer of the dataset.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from prefect import get_run_logger
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect_dask import DaskTaskRunner

from flows import tasks
from paperset.config import BuildConfig
from paperset.dedup.intake import Ingested
from paperset.ingest.batches import INGEST_STAGES, BatchIngest, split_for_workers
from paperset.ingest.discover import RawFile
from paperset.progress import Progress
from paperset.report import RunReport

CLUSTER_STAGE = "cluster"


def dask_runner(config: BuildConfig) -> DaskTaskRunner:
    """A runner on the scheduler at `config.dask_address`, or on a new local cluster.

    The local cluster's `config.workers` workers are threads of this process, one task
    at a time each: the ingest is polars code, which releases the GIL, so threads keep
    the cores busy without starting processes that import everything again or copying
    every batch's records back to the flow (on 2 cores, worker processes made the 1M
    build 1.34x slower than in process; threads ~1.0x, see docs/performance.md).
    """
    if config.dask_address:
        return DaskTaskRunner(address=config.dask_address)
    cluster = {"n_workers": config.workers or 1, "processes": False, "threads_per_worker": 1}
    return DaskTaskRunner(cluster_kwargs=cluster)


def ingest_on_dask(
    config: BuildConfig,
    batches: list[list[RawFile]],
    report: RunReport,
    progress: Progress,
    work_dir: Path,
) -> Ingested:
    """Read, parse and clean the batches on Dask; add each piece's result to the run in
    batch order, as soon as it and those before it are in.

    Batches are cut into at least one piece per worker thread, and pieces are sent a few
    at a time (`_gather`), so the results waiting to be added stay few however many
    batches there are. The progress bar steps once per batch, when its last piece is in.
    Starting and stopping the cluster, and the workers' own overheads, count as the
    `cluster` stage, so that `read`, `parse`, `clean` and `cluster` add up to the wall
    time of the ingest.
    """
    ingested = Ingested.in_folder(work_dir)
    if not batches:
        return ingested
    adding = _TimedAdd(ingested)
    with _running(config, report) as (runner, threads):
        pieces = split_for_workers(batches, threads)
        started = time.perf_counter()

        def submit(number: int) -> PrefectFuture[BatchIngest]:
            with _workers_use_this_api(config):
                parameters = _parameters(pieces[number][1], config)
                return runner.submit(tasks.ingest_batch, parameters=parameters)

        def window() -> int:
            # Workers may join a remote cluster while the run goes on: send for them too.
            return max(threads, sum(runner.client.nthreads().values())) + 1

        batch_of_piece = [index for index, _ in pieces]
        seconds = _gather(submit, batch_of_piece, len(batches), progress, adding, window)
        _share_time(report, seconds, time.perf_counter() - started - adding.seconds, threads)
    report.add_seconds("clean", adding.seconds)  # keying the records, their texts put on disk
    return ingested


class _TimedAdd:
    """Adds results to `ingested`, counting the seconds it takes."""

    def __init__(self, ingested: Ingested) -> None:
        self.ingested, self.seconds = ingested, 0.0

    def __call__(self, result: BatchIngest) -> None:
        start = time.perf_counter()
        self.ingested.add_batch(result)
        self.seconds += time.perf_counter() - start


@contextmanager
def _running(config: BuildConfig, report: RunReport) -> Iterator[tuple[DaskTaskRunner, int]]:
    """The started runner and how many tasks its cluster runs at once.

    Connecting (or starting the local cluster) and shutting down are timed as `cluster`.
    """
    with ExitStack() as stack:
        with report.timing(CLUSTER_STAGE):
            if not config.dask_address:
                stack.enter_context(_quiet_distributed())
            runner = stack.enter_context(dask_runner(config))
            threads = sum(runner.client.nthreads().values())
        try:
            # A remote cluster may have no workers yet: its tasks wait for them.
            yield runner, max(threads, config.workers or 0, 1)
        finally:
            with report.timing(CLUSTER_STAGE):
                stack.close()


@contextmanager
def _quiet_distributed() -> Iterator[None]:
    """Keep the local cluster's chatter out of the build's log: its scheduler and nannies
    run in this process and log every port, worker and connection at INFO level."""
    logger = logging.getLogger("distributed")
    before = logger.level
    logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        logger.setLevel(before)


@contextmanager
def _workers_use_this_api(config: BuildConfig) -> Iterator[None]:
    """Have the workers record their task runs in this flow run's Prefect server.

    A task sent to Dask carries the flow's Prefect settings. Without `PREFECT_API_URL` the
    build runs on Prefect's temporary server, which listens on this machine only: a worker
    in another process (a scheduler's workers) would start a temporary server of its own
    (seconds each, and its task runs lost with it). Workers on this machine are pointed at
    the flow's server instead; workers elsewhere cannot reach it, so they are left as they
    are, with a warning.
    """
    context = FlowRunContext.get()
    if PREFECT_API_URL.value() or context is None or context.client is None:
        yield
        return
    if not _on_this_machine(config):
        get_run_logger().warning(
            "the build runs on Prefect's temporary local server, which Dask workers on other "
            "machines cannot reach: each starts one of its own. Set PREFECT_API_URL to a "
            "Prefect server they can reach to see their task runs."
        )
        yield
        return
    with temporary_settings({PREFECT_API_URL: str(context.client.api_url).rstrip("/")}):
        yield


def _on_this_machine(config: BuildConfig) -> bool:
    """Whether the workers run here: a local cluster, or a scheduler at a loopback address."""
    if not config.dask_address:
        return True
    host = config.dask_address.rpartition("://")[2].rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parameters(files: list[RawFile], config: BuildConfig) -> dict[str, Any]:
    """The task's arguments. Paths are made absolute: a worker elsewhere does not share our
    working folder."""
    return {
        "files": [replace(f, path=f.path.absolute()) for f in files],
        "listing_year": config.listing_year,
        "max_record_bytes": config.max_record_bytes,
        "today": config.run_time().date(),
    }


def _gather(
    submit: Callable[[int], PrefectFuture[BatchIngest]],
    batch_of_piece: list[int],
    batches: int,
    progress: Progress,
    add: Callable[[BatchIngest], None],
    window: Callable[[], int],
) -> list[dict[str, float]]:
    """Run every piece (`submit(number)` sends one) and hand each result to `add` in piece
    order, whatever order they finish in, as soon as those before it are in; return each
    one's stage seconds.

    At most `window()` pieces (one more than the cluster's worker threads) are sent ahead
    of the last one added: the results that wait in memory are that many at most. A failed
    piece (after its retries) raises, failing the run as an in-process build does.
    """
    pieces_left = [batch_of_piece.count(index) for index in range(batches)]
    running: dict[int, PrefectFuture[BatchIngest]] = {}
    waiting: dict[int, BatchIngest] = {}
    seconds: list[dict[str, float]] = []
    sent = done = 0
    while len(seconds) < len(batch_of_piece):
        ahead = window()
        while sent < len(batch_of_piece) and sent - len(seconds) < ahead:
            running[sent] = submit(sent)
            sent += 1
        finished = next(as_completed(list(running.values())))
        number = next(n for n, future in running.items() if future is finished)
        waiting[number] = running.pop(number).result()
        while len(seconds) in waiting:
            result = waiting.pop(len(seconds))
            seconds.append(result.seconds)
            add(result)
        pieces_left[batch_of_piece[number]] -= 1
        if pieces_left[batch_of_piece[number]] == 0:
            done += 1
            progress.step(f"read {done} of {batches} batches of raw files")
    return seconds


def _share_time(
    report: RunReport, seconds: list[dict[str, float]], wall: float, threads: int
) -> None:
    """Split the wall time of the work among `read`, `parse`, `clean` and `cluster`.

    Each stage gets the workers' seconds in it, spread over the workers that ran at once;
    the rest of the wall time (workers importing the code and starting Prefect's task
    engine, scheduling, results travelling back) is the cluster's.
    """
    at_once = max(1, min(threads, len(seconds)))
    spent = {
        stage: sum(piece.get(stage, 0.0) for piece in seconds) / at_once for stage in INGEST_STAGES
    }
    busy = sum(spent.values())
    scale = min(1.0, wall / busy) if busy else 0.0
    for stage in INGEST_STAGES:
        report.add_seconds(stage, spent[stage] * scale)
    report.add_seconds(CLUSTER_STAGE, wall - busy * scale)
