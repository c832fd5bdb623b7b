"""How a build tells its progress: one step per batch of raw files, then one per stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Progress(Protocol):
    """Told each step of a run: one per batch of raw files, then one per later stage."""

    def step(self, label: str) -> None: ...


class _Silent:
    def step(self, label: str) -> None:
        """Say nothing."""


@contextmanager
def silent(batches: int) -> Iterator[Progress]:
    """No progress display (the default away from a terminal)."""
    yield _Silent()


# Given the number of batches, a context in which the run reports its steps.
ProgressFactory = Callable[[int], AbstractContextManager[Progress]]
