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


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter, from <malloc.h>
MMAP_THRESHOLD_BYTES = 1 << 20


def return_freed_memory_promptly() -> bool:
    """Have glibc serve each allocation of 1 MB or more from a mapping of its own, given
    back to the system when freed. Tells whether it could (only where libc is glibc).

    numpy's arrays (MinHash, shingles, candidate pairs) come from glibc's malloc, whose
    threshold for that otherwise climbs to 32 MB as large blocks are freed: later arrays
    then land in its heaps, and what they free there is rarely given back. At 1M records
    that held ~600 MB of the peak RSS. The extra mappings make the MinHash ~2x slower when
    timed alone (~5 s at 1M); a threshold of 4 or 8 MB keeps its speed but ~550 MB more.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
