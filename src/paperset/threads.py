"""Work spread over every core by threads: numpy and polars release the GIL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import polars as pl

T = TypeVar("T")
U = TypeVar("U")


def parallel_map(step: Callable[[T], U], items: Iterable[T]) -> list[U]:
    """Apply `step` to each item on every core, the results in the items' order."""
    with ThreadPoolExecutor(max_workers=pl.thread_pool_size()) as pool:
        return list(pool.map(step, items))


@contextmanager
def failing_first(earlier: Future[Any] | None) -> Iterator[None]:
    """Run the block beside `earlier` work; should both fail, raise the earlier failure (the
    block's as its context): a run fails for the first thing that went wrong."""
    try:
        yield
    except BaseException:
        if earlier is not None:
            earlier.result()
        raise
