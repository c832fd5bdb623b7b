"""Keeping a run's memory to the data it still needs.

polars stores strings as views into shared buffers: filtering or slicing a frame keeps the
buffers of every row it came from. A few rejected records kept from a batch would hold the
whole batch's text (its raw records included) until the run ends.
"""

from __future__ import annotations

import ctypes

import polars as pl


def compacted(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy of `frame` that owns just its own rows' data, so the buffers it was cut from
    can be freed."""
    copied = pl.from_arrow(frame.to_arrow())
    assert isinstance(copied, pl.DataFrame)
    return copied.cast(frame.schema)


def sorted_by(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`frame` sorted by `column`, a unique key: as it is when it already is, since a sort
    gathers every column anew (the papers' abstracts alone are ~700 MB at 1M)."""
    if frame[column].is_sorted():
        return frame
    return frame.sort(column)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter, from <malloc.h>
PROMPT_THRESHOLD_BYTES = 1 << 20
REUSE_THRESHOLD_BYTES = 32 << 20  # the most glibc's own sliding threshold climbs to


def reuse_freed_memory() -> bool:
    """Have glibc keep the memory numpy frees for its next arrays, below 32 MB. Tells
    whether it could (only where libc is glibc).

    For the ingest: its MinHash makes and frees arrays of a few MB per batch of texts.
    Each one mapped anew costs page faults; reused, the clean stage took 19.7-20.7 s at
    1M records on tmpfs, against 24.5-26.1 s. Call `return_freed_memory_promptly` after.
    """
    return _set_mmap_threshold(REUSE_THRESHOLD_BYTES)


def return_freed_memory_promptly() -> bool:
    """Give back what glibc holds free now, and from now on serve each allocation of
    1 MB or more from a mapping of its own, returned to the system when freed. Tells
    whether it could (only where libc is glibc).

    numpy's arrays (MinHash, shingles, candidate pairs) come from glibc's malloc. Freed
    inside its heaps they are rarely given back, and at 1M records that held ~600 MB of
    the peak RSS. With a threshold of 4 or 8 MB for the whole run, the peak was ~550 MB
    higher.
    """
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        return False
    return _set_mmap_threshold(PROMPT_THRESHOLD_BYTES)


def _set_mmap_threshold(size: int) -> bool:
    try:
        return bool(_libc().mallopt(M_MMAP_THRESHOLD, size))
    except (OSError, AttributeError):
        return False


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6")
