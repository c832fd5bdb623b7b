"""Serve `build-dataset` on a cron schedule: one run at a time, no work pool needed."""

from __future__ import annotations

from typing import Any

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.schedules import Cron

from flows.build import build_dataset

DEPLOYMENT_NAME = "scheduled"


def build_deployment(cron: str, timezone: str, parameters: dict[str, Any]) -> Any:
    """The deployment `paperset serve` runs: cron schedule, concurrency 1, CANCEL_NEW.

    The storage lock is the real guarantee against overlapping writers; the concurrency
    limit keeps Prefect from even starting a second run while one is going.
    """
    return build_dataset.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        parameters=parameters,
        description="Build the paperset dataset from new raw dumps.",
        tags=["paperset"],
    )


def serve_builds(cron: str, timezone: str, parameters: dict[str, Any]) -> None:
    """Serve the scheduled deployment until interrupted."""
    serve(build_deployment(cron, timezone, parameters))
