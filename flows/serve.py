"""Serve `build-dataset` on a schedule: one run at a time, no work pool needed."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
from contextlib import suppress
from pathlib import Path
from types import FrameType
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import (
    ConcurrencyLimitConfig,
    ConcurrencyLimitStrategy,
    StateType,
)
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import ObjectNotFound
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
from prefect.states import Crashed, State

from flows.build import build_dataset
from flows.local_server import local_server

DEPLOYMENT_NAME = "scheduled"
UNFINISHED = [StateType.PENDING, StateType.RUNNING, StateType.CANCELLING]


def schedule_of(cron: str, interval: float | None, timezone: str) -> Schedule:
    """Every `interval` seconds when given, else on the cron expression."""
    if interval is not None:
        return Interval(dt.timedelta(seconds=interval), timezone=timezone)
    return Cron(cron, timezone=timezone)


def build_deployment(schedule: Schedule, parameters: dict[str, Any]) -> Any:
    """The deployment `paperset serve` runs: the schedule, concurrency 1, CANCEL_NEW.

    The storage lock is the real guarantee against overlapping writers; the concurrency
    limit keeps Prefect from even starting a second run while one is going.
    """
    return build_dataset.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[schedule],
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        parameters=parameters,
        description="Build the paperset dataset from new raw dumps.",
        tags=["paperset"],
    )


def serve_builds(schedule: Schedule, parameters: dict[str, Any], server_home: Path) -> None:
    """Serve the scheduled deployment until interrupted, against a server that runs schedules.

    With no Prefect API configured, a server of our own is started under `server_home` and
    stopped on the way out; otherwise the configured one is used.
    """
    deployment = build_deployment(schedule, parameters)
    # SIGTERM (systemd, kill) stops `serve` the way Ctrl-C does, also while the server starts.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    configured = get_current_settings().api.url
    if configured:
        print(f"paperset: using the Prefect server at {configured}", flush=True)
        _serve(deployment, configured.removesuffix("/api"))
        return
    print(f"paperset: starting a Prefect server in {server_home}/ ...", flush=True)
    with local_server(server_home) as server:
        # The runner's flow-run processes inherit the environment: they report to this
        # server instead of each starting a temporary one.
        os.environ["PREFECT_API_URL"] = server.api_url
        try:
            with temporary_settings({PREFECT_API_URL: server.api_url}):
                crashed = _crash_leftover_runs()
                if crashed:
                    print(f"paperset: marked {crashed} run(s) left unfinished as Crashed")
                _serve(deployment, server.url)
        finally:
            print("paperset: stopping the Prefect server", flush=True)


def _serve(deployment: Any, ui_url: str) -> None:
    """Run the deployment's schedule until Ctrl-C or SIGTERM; pause it on the way out."""
    runner = Runner(pause_on_shutdown=True)
    runner.add_deployment(deployment)
    # The runner installs its own SIGTERM handler, which leaves a coroutine un-awaited and
    # prints tracebacks: keep ours, which goes through asyncio's SIGINT handling.
    runner.handle_sigterm = _interrupt  # type: ignore[method-assign]
    print(
        f"paperset: serving {deployment.flow_name}/{deployment.name}; "
        f"UI at {ui_url}; Ctrl-C to stop",
        flush=True,
    )
    with suppress(KeyboardInterrupt):
        asyncio.run(runner.start())


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into SIGINT: asyncio cancels the runner cleanly, else KeyboardInterrupt."""
    os.kill(os.getpid(), signal.SIGINT)


def _crash_leftover_runs() -> int:
    """Mark the deployment's runs left Pending or Running by a stopped `serve` as Crashed.

    Prefect keeps deployment concurrency leases in the server's memory but the slot count in
    its database: a run that never finished would hold the one slot across a restart of our
    server, and every later run would be cancelled. Only for our own server: no other runner
    serves its deployment.
    """
    with get_client(sync_client=True) as client:
        try:
            deployment_id = client.read_deployment_by_name(
                f"{build_dataset.name}/{DEPLOYMENT_NAME}"
            ).id
        except ObjectNotFound:
            return 0
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=UNFINISHED))
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
        for run in runs:
            stopped: State[Any] = Crashed(message="paperset serve stopped before this run finished")
            client.set_flow_run_state(run.id, stopped, force=True)
        return len(runs)
