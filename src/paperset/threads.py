"""Work spread over every core by threads: numpy and polars release the GIL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import polars as pl

T = TypeVar("T")
U = TypeVar("U")


def parallel_map(step: Callable[[T], U], items: Iterable[T]) -> list[U]:
    """Apply `step` to each item on every core, the results in the items' order."""
    with ThreadPoolExecutor(max_workers=pl.thread_pool_size()) as pool:
        return list(pool.map(step, items))
