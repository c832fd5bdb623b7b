"""The sightings each run stored (append-only segments under `_meta/sightings/`), read back a
segment at a time for the sightings a run re-merges."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from paperset.dedup.sightings import HELD_SIGHTING, SIGHTING
from paperset.storage.layout import META
from paperset.storage.spill import TEXTS, TextStore

SEGMENTS = META / "sightings"
LEGACY_SIGHTINGS = META / "sightings.parquet"
LEGACY = "legacy"
STORED = pl.Schema({k: v for k, v in SIGHTING.items() if k != "prior_paper_id"})
KEYED_SIGHTING = pl.Schema({**HELD_SIGHTING, "title_hash": pl.UInt64()})


def read_stored(
    out_dir: Path, touched: pl.DataFrame, store: TextStore, known: pl.Series
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read the affected sightings from their segments, with their keys and former paper.

    Their abstracts go to `store`, a segment at a time. Also returns the texts it added
    that are not among the `known` (imploded) texts with bands (TEXTS rows).
    """
    parts, unbanded = [pl.DataFrame(schema=KEYED_SIGHTING)], [pl.DataFrame(schema=TEXTS)]
    for found in stored_rows(out_dir, touched):
        added = store.add(found.select("text_hash", "abstract"))
        unbanded.append(added.filter(~pl.col("text_hash").is_in(known)))
        parts.append(found.select(KEYED_SIGHTING.names()).cast(KEYED_SIGHTING))
    return pl.concat(parts), pl.concat(unbanded)


def read_texts(out_dir: Path, rows: pl.DataFrame) -> pl.DataFrame:
    """The abstracts of index rows, read from their segments (`text_hash`, `abstract`)."""
    parts = [pl.DataFrame(schema=TEXTS)]
    for found in stored_rows(out_dir, rows):
        parts.append(found.select(TEXTS.names()).cast(TEXTS))
    return pl.concat(parts)


def stored_rows(out_dir: Path, touched: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The stored rows of index rows, a segment at a time, with their keys and former
    paper."""
    for (segment,), rows in touched.group_by(["segment"], maintain_order=True):
        wanted = rows.select(
            "sighting_key",
            "source_file",
            "line",
            "title_hash",
            "text_hash",
            prior_paper_id="paper_id",
        )
        found = (
            pl.scan_parquet(segment_path(out_dir, str(segment)))
            .select(STORED.names())
            .filter(pl.col("sighting_key").is_in(wanted["sighting_key"].implode()))
            .collect()
            .join(wanted, on=["sighting_key", "source_file", "line"], how="inner")
        )
        yield found


def segment_path(out_dir: Path, segment: str) -> Path:
    if segment == LEGACY:
        return out_dir / LEGACY_SIGHTINGS
    return out_dir / SEGMENTS / f"{segment}.parquet"
