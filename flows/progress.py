"""A progress display for long builds run by hand in a terminal; silent anywhere else."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.runtime import deployment
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STAGES_AFTER_INGEST = ("merge", "topics", "validate", "commit")


class RunProgress:
    """Steps of a build: one per batch of raw files, then one per later stage."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("reading raw files", total=total) if progress else None

    def step(self, label: str) -> None:
        """Mark one step done and say what comes next."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, description=label)


def interactive() -> bool:
    """A person is watching: a terminal, not CI, not a deployment's scheduled run."""
    return deployment.id is None and not os.environ.get("CI") and sys.stderr.isatty()


@contextmanager
def run_progress(batches: int) -> Iterator[RunProgress]:
    """Show a progress bar over the run's batches and stages when a person is watching."""
    total = batches + len(STAGES_AFTER_INGEST)
    if not interactive():
        yield RunProgress(None, total)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), transient=True) as progress:
        yield RunProgress(progress, total)
