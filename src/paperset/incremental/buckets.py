"""LSH buckets a run changes: which buckets are too full to pair through, and the texts of
every bucket a run takes past the bucket limit or back under it (they must be re-merged)."""

from __future__ import annotations

import polars as pl

from paperset.dedup import minhash


def split_live(bands: pl.DataFrame, texts: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The bands of texts some live sighting has (a bucket's size counts those alone), and
    the others."""
    is_live = pl.col("text_hash").is_in(texts.drop_nulls().unique().implode())
    return bands.filter(is_live), bands.filter(~is_live)


def oversized(bands: pl.DataFrame, texts: pl.Series) -> pl.Series:
    """The buckets of `texts` that more texts share than a bucket may hold."""
    theirs = bands.filter(pl.col("text_hash").is_in(texts.drop_nulls().unique().implode()))
    sizes = bucket_sizes(bands, theirs["hash"].unique())
    return sizes.filter(pl.col("len") > minhash.MAX_BUCKET)["hash"]


def regrouped(bands: pl.DataFrame, added: pl.DataFrame, dropped: pl.DataFrame) -> pl.Series:
    """The texts of every bucket this run took past the bucket limit or back under it:
    `bands` are the live texts' after the run, `added` those of its new texts and `dropped`
    those of texts no sighting has any more.

    No pair is found through an oversized bucket, so such a bucket's members must be
    re-merged: their papers may split or join as a build of everything would make them.
    Only the buckets of added or dropped texts can change; their sizes before the run are
    those after it, less the texts added, plus the texts dropped.
    """
    grown = (
        pl.concat([added.select("hash", step=pl.lit(1)), dropped.select("hash", step=pl.lit(-1))])
        .group_by("hash")
        .agg(grown=pl.col("step").sum())
    )
    after = pl.col("len").fill_null(0).cast(pl.Int64)
    sizes = grown.join(bucket_sizes(bands, grown["hash"]), on="hash", how="left").select(
        "hash", after=after, before=after - pl.col("grown")
    )
    limit = minhash.MAX_BUCKET
    flipped = sizes.filter((pl.col("before") > limit) != (pl.col("after") > limit))["hash"]
    if flipped.is_empty():
        return pl.Series("text_hash", [], dtype=pl.UInt64)
    return bands.filter(pl.col("hash").is_in(flipped.implode()))["text_hash"].unique()


def bucket_sizes(bands: pl.DataFrame, buckets: pl.Series) -> pl.DataFrame:
    """How many texts share each of `buckets`: `hash`, `len`."""
    return bands.filter(pl.col("hash").is_in(buckets.implode())).group_by("hash").len()
