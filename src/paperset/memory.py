"""Keeping a run's memory to the data it still needs.

polars stores strings as views into shared buffers: filtering or slicing a frame keeps the
buffers of every row it came from. A few rejected records kept from a batch would hold the
whole batch's text (its raw records included) until the run ends.
"""

from __future__ import annotations

import polars as pl


def compacted(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy of `frame` that owns just its own rows' data, so the buffers it was cut from
    can be freed."""
    copied = pl.from_arrow(frame.to_arrow())
    assert isinstance(copied, pl.DataFrame)
    return copied.cast(frame.schema)
