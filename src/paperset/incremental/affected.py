"""Which stored sightings a run must re-merge: all that its new and removed sightings reach.

The merge links two sightings only when they share an arXiv id, a title key or an abstract,
or when their abstracts are near-identical (a shared LSH bucket, verified). So the papers a
run can change are found by growing a set from its new sightings and the papers that lost
one, adding each round the stored sightings that share a key with it, every sighting of
their papers, and the abstracts the index records as linked to its own but left in another
paper by a guard. Near-identical abstracts of a new sighting are looked up once, in the band
buckets, screened by their stored sketches and verified by their Jaccard as the merge would
(only the abstracts of the pairs the screen leaves are read); links among stored sightings are
already in their papers or in the recorded links. The one exception is a bucket the run
takes past the bucket limit (MAX_BUCKET texts) or back under it: pairs are found through
it no more, or again, so all its texts are re-merged.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from paperset.dedup.minhash import THRESHOLD
from paperset.dedup.pairs import verified_pairs
from paperset.storage.spill import Texts

TextReader = Callable[[pl.DataFrame], pl.DataFrame]


def affected_sightings(
    live: pl.DataFrame,
    fresh: pl.DataFrame,
    removed: pl.DataFrame,
    bands: pl.DataFrame,
    oversized: pl.Series,
    regrouped: pl.Series,
    links: pl.DataFrame,
    read_texts: TextReader,
    fresh_texts: Texts,
    sketches: pl.DataFrame,
) -> pl.Series:
    """Mark each `live` index row the run must re-merge.

    `fresh` are the new sightings with their keys, `removed` the index rows of replaced
    ones; `regrouped` the texts of buckets that the run took past the bucket limit or back
    under it; `read_texts` reads the abstracts of index rows (`text_hash`, `abstract`), and
    `fresh_texts` those of the new sightings; `sketches` (SKETCHES) those known of their
    texts (the others are computed).
    """
    near = _near_stored_texts(
        live, fresh, bands, oversized, _Either(fresh_texts, live, read_texts), sketches
    )
    near = pl.concat([near, regrouped.cast(pl.UInt64)])
    reached = pl.Series(values=[False] * live.height, dtype=pl.Boolean)
    new = fresh.select(_KEYS[:-1]).with_columns(paper_id=pl.lit(None, pl.String))
    frontier = pl.concat([new, removed.select(_KEYS)])
    texts, papers = pl.concat([frontier["text_hash"], near]), removed["paper_id"]
    while True:
        texts = pl.concat([texts, _linked(texts, links)])
        hit = ~reached & (
            _in(live, "arxiv_id", frontier["arxiv_id"])
            | _in(live, "title_hash", frontier["title_hash"])
            | _in(live, "text_hash", texts)
            | _in(live, "paper_id", papers)
        )
        if not hit.any():
            return reached
        reached = reached | hit
        frontier = live.filter(hit).select(_KEYS)
        texts, papers = frontier["text_hash"], frontier["paper_id"]


_KEYS = ["arxiv_id", "title_hash", "text_hash", "paper_id"]


def _in(frame: pl.DataFrame, column: str, values: pl.Series) -> pl.Series:
    wanted = values.drop_nulls().unique().implode()
    return frame.select(pl.col(column).is_in(wanted).fill_null(False)).to_series()


def _linked(texts: pl.Series, links: pl.DataFrame) -> pl.Series:
    """The texts recorded as near-identical to one of `texts` but in another paper."""
    wanted = texts.drop_nulls().unique().implode()
    return pl.concat(
        [
            links.filter(pl.col("text_a").is_in(wanted))["text_b"],
            links.filter(pl.col("text_b").is_in(wanted))["text_a"],
        ]
    )


def _near_stored_texts(
    live: pl.DataFrame,
    fresh: pl.DataFrame,
    bands: pl.DataFrame,
    oversized: pl.Series,
    texts: Texts,
    sketches: pl.DataFrame,
) -> pl.Series:
    """Stored abstracts whose Jaccard with a new one reaches the merge's threshold."""
    new_texts = fresh.select("text_hash").drop_nulls().unique()
    new_bands = bands.join(new_texts, on="text_hash")
    usable = new_bands.filter(~pl.col("hash").is_in(oversized.implode()))
    pairs = (
        bands.join(usable, on="hash", suffix="_new")
        .filter(~pl.col("text_hash").is_in(new_texts["text_hash"].implode()))
        .select(old="text_hash", new="text_hash_new")
        .unique()
        .filter(pl.col("old").is_in(live["text_hash"].drop_nulls().unique().implode()))
    )
    if pairs.is_empty():
        return pl.Series("text_hash", [], dtype=pl.UInt64)
    ends = pl.concat([pairs["new"].unique(), pairs["old"].unique()]).unique(maintain_order=True)
    docs = ends.to_frame("text_hash").with_row_index("node")
    numbered = pairs.join(docs.rename({"node": "a"}), left_on="old", right_on="text_hash").join(
        docs.rename({"node": "b"}), left_on="new", right_on="text_hash"
    )
    similar = verified_pairs(docs, numbered.select("a", "b"), THRESHOLD, sketches, texts)
    return docs.filter(pl.col("node").is_in(similar["a"].implode()))["text_hash"]


class _Either:
    """The abstracts of the run's texts, else of the live stored sightings' (read from their
    segments): only those of the pairs left to verify are read."""

    def __init__(self, fresh: Texts, live: pl.DataFrame, read_texts: TextReader) -> None:
        self.fresh, self.live, self.read_texts = fresh, live, read_texts

    def read(self, hashes: pl.Series) -> pl.DataFrame:
        found = self.fresh.read(hashes)
        rest = hashes.filter(~hashes.is_in(found["text_hash"].implode()))
        wanted = pl.col("text_hash").is_in(rest.drop_nulls().unique().implode())
        stored = self.read_texts(self.live.filter(wanted).unique("text_hash", keep="first"))
        return pl.concat([found, stored.select(found.columns)])
