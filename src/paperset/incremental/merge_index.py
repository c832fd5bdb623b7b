"""The merge index: what a run needs of past sightings to merge new ones without reading them.

Kept under `out/_meta/`:

- `sightings/<run_id>.parquet`: the sightings each run stored first (append-only segments);
- `index-<run_id>.parquet`: one row per live sighting: where it is, its match keys (arXiv
  id, title-key hash, abstract hash) and the paper and partition it now belongs to;
- `bands-<run_id>.parquet`: the LSH band hashes of every distinct long abstract, in files
  each run appends (at most MAX_BAND_FILES; a run that re-merges everything compacts them);
- `sketches-<run_id>.parquet`: the b-bit sketch of each of those abstracts, in files made
  beside the band files: a run screens the near duplicates of its new abstracts among the
  stored ones without reading or hashing the stored abstracts (a state from before them
  has none: the sketches it lacks are computed);
- `links-<run_id>.parquet`: near-identical abstracts that a guard left in different papers;
- `merge-state.json`, written last: which of those files are current, the settings they
  were built under, and the manifest they match.

A run re-merges only the sightings its new and removed sightings can reach (`affected`):
the papers outside that closed set are exactly what a full re-merge would make of them.
When the state is missing, stale (a run died between the commit and this state, or during
the commit) or built under other settings (partitioning, the contract's columns, taxonomy,
near-duplicate matching), every sighting is affected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from paperset.dedup.merge import LINKS
from paperset.dedup.minhash import SKETCHES, TEXT_BANDS, text_bands
from paperset.dedup.sightings import HELD_SIGHTING
from paperset.incremental import buckets
from paperset.incremental.affected import affected_sightings
from paperset.incremental.segments import KEYED_SIGHTING, read_stored, read_texts
from paperset.incremental.state import (
    INDEX,
    STORED_SKETCHES,
    legacy_index,
    read_state,
    sketches_from_store,
    with_title_hash,
)
from paperset.storage.commit import commit_unfinished
from paperset.storage.layout import META
from paperset.storage.spill import RunTexts


@dataclass(frozen=True)
class MergeIndex:
    """The live sightings' index and the band hashes of their texts, as last committed.

    `current` is False when they cannot be trusted to describe the dataset on disk (or
    were built under other settings): the run must then re-merge every sighting.
    """

    index: pl.DataFrame
    bands: pl.DataFrame
    sketches: pl.DataFrame
    links: pl.DataFrame
    current: bool
    band_files: tuple[str, ...] = ()
    sketch_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeWork:
    """What one run re-merges: the affected sightings, in store order, and their context."""

    sightings: pl.DataFrame  # KEYED_SIGHTING rows of every affected sighting, sorted
    placed: pl.DataFrame  # paper_id, date, topic of the affected papers before this run
    kept: pl.DataFrame  # INDEX rows of the sightings left as they are
    segments: pl.DataFrame  # sighting_key, source_file, line, segment of the affected stored
    fresh: pl.DataFrame  # KEYED_SIGHTING rows to keep in this run's segment, with their texts
    bands: pl.DataFrame  # bands of every live text (TEXT_BANDS)
    new_bands: pl.DataFrame | None  # bands to append, None to rewrite them all
    sketches: pl.DataFrame  # sketches of the texts known (SKETCHES), stored or made now
    band_files: tuple[str, ...]  # the band files appended to so far; once stored, this run's
    oversized: pl.Series  # band hashes shared by more than MAX_BUCKET texts
    links: pl.DataFrame  # the stored cut links (LINKS)
    everything: bool  # True when every sighting is affected
    new_sketches: pl.DataFrame | None = None  # as new_bands, for the sketches
    sketch_files: tuple[str, ...] = ()  # as band_files, for the sketches


def load_index(out_dir: Path, settings: dict[str, Any], dataset_run_id: str | None) -> MergeIndex:
    """Read the current index; say whether it matches the dataset and the settings."""
    state = read_state(out_dir)
    if state is None:
        no_links, no_sketches = pl.DataFrame(schema=LINKS), pl.DataFrame(schema=SKETCHES)
        no_bands = pl.DataFrame(schema=TEXT_BANDS)
        return MergeIndex(legacy_index(out_dir), no_bands, no_sketches, no_links, current=False)
    index = pl.read_parquet(out_dir / META / state["index"]).cast(INDEX)
    band_files, sketch_files = tuple(state["bands"]), tuple(state.get("sketches", []))
    bands = _read_all(out_dir, band_files, TEXT_BANDS)
    sketches = sketches_from_store(_read_all(out_dir, sketch_files, STORED_SKETCHES))
    links = pl.read_parquet(out_dir / META / state["links"]).cast(LINKS)
    current = state.get("settings") == settings and state.get("dataset_run_id") == dataset_run_id
    # A commit that died part-way may have left partitions holding rows no index describes.
    current = current and not commit_unfinished(out_dir)
    return MergeIndex(index, bands, sketches, links, current, band_files, sketch_files)


def _read_all(out_dir: Path, names: tuple[str, ...], schema: pl.Schema) -> pl.DataFrame:
    files = [pl.read_parquet(out_dir / META / name).cast(schema) for name in names]
    return pl.concat([pl.DataFrame(schema=schema), *files])


def plan_merge(
    out_dir: Path,
    stored: MergeIndex,
    fresh: pl.DataFrame,
    read_files: list[str],
    texts: RunTexts,
) -> MergeWork:
    """Find the sightings this run must re-merge and read them, with everything they need.

    `fresh` holds this run's accepted sightings (`key_sightings`); the stored sightings of
    `read_files` are replaced by them. `texts` holds their abstracts: the abstracts of the
    stored sightings read here are added to it.
    """
    replaced = pl.col("source_file").is_in(pl.Series(read_files, dtype=pl.String).implode())
    live, removed = stored.index.filter(~replaced), stored.index.filter(replaced)
    fresh = with_title_hash(fresh)
    known = stored.bands["text_hash"].unique().implode()
    new_bands = texts.bands.filter(~pl.col("text_hash").is_in(known))
    bands, dropped = pl.concat([stored.bands, new_bands]), stored.bands.clear()
    sketched = stored.sketches["text_hash"].implode()
    new_sketches = texts.sketches.filter(~pl.col("text_hash").is_in(sketched))
    sketches = pl.concat([stored.sketches, new_sketches])
    rewrite = not stored.current or not removed.is_empty()
    if not removed.is_empty():
        bands, dropped = buckets.split_live(
            bands, pl.concat([live["text_hash"], fresh["text_hash"]])
        )
    if stored.current:
        affected = affected_sightings(
            live,
            fresh,
            removed,
            bands,
            buckets.oversized(bands, fresh["text_hash"]),
            buckets.regrouped(bands, new_bands, dropped),
            stored.links,
            lambda rows: read_texts(out_dir, rows),
            texts.store,
            sketches,
        )
    else:
        affected = pl.Series(values=[True] * live.height, dtype=pl.Boolean)
    touched = live.filter(affected)
    read, unbanded = read_stored(out_dir, touched, texts.store, known)
    # Only sightings stored before band files existed have texts without bands.
    old_bands, old_sketches = text_bands(unbanded)
    new_bands = pl.concat([new_bands, old_bands])
    bands = pl.concat([bands, old_bands])
    new_sketches = pl.concat([new_sketches, old_sketches])
    sketches = pl.concat([sketches, old_sketches])
    if not removed.is_empty():
        sketches = sketches.filter(pl.col("text_hash").is_in(bands["text_hash"].implode()))
    sightings = pl.concat([read, fresh.cast(KEYED_SIGHTING)]).sort("source_file", "line")
    # Re-merging everything reads every segment anyway: write them back as one, compacted.
    # It also sees every text, so the merge counts each bucket's size itself.
    stays = touched if stored.current else touched.clear()
    oversized = buckets.oversized(bands, sightings["text_hash"]) if stored.current else pl.Series()
    return MergeWork(
        sightings=sightings,
        placed=pl.concat([touched, removed]).select("paper_id", "month", "topic").unique(),
        kept=live.filter(~affected),
        segments=stays.select("sighting_key", "source_file", "line", "segment"),
        fresh=(fresh.cast(KEYED_SIGHTING) if stored.current else sightings),
        bands=bands,
        new_bands=None if rewrite else new_bands,
        sketches=sketches,
        band_files=stored.band_files,
        oversized=oversized.cast(pl.UInt64),
        links=stored.links if stored.current else stored.links.clear(),
        everything=not stored.current,
        new_sketches=None if rewrite else new_sketches,
        sketch_files=stored.sketch_files,
    )


def key_sightings(
    accepted: pl.DataFrame, stored: MergeIndex, run_time: dt.datetime
) -> pl.DataFrame:
    """Give this run's accepted records (keyed, as `Ingested` holds them) their history.

    A record seen before keeps when it was first seen and the paper it belonged to.
    """
    before = stored.index.select(
        "sighting_key", "first_seen", pl.col("paper_id").alias("prior_paper_id")
    ).unique("sighting_key", keep="first")
    return (
        accepted.join(before, on="sighting_key", how="left")
        .with_columns(pl.col("first_seen").fill_null(pl.lit(run_time, pl.Datetime("us", "UTC"))))
        .select(HELD_SIGHTING.names())
        .cast(HELD_SIGHTING)
    )


def without_bands(work: MergeWork) -> MergeWork:
    """`work` once its near duplicates are found: no bands or sketches, so they are freed
    before the papers are built."""
    return replace(work, bands=work.bands.clear(), sketches=work.sketches.clear())


def after_merge(work: MergeWork) -> MergeWork:
    """`work` once merged: only the keys the index needs of its sightings, so the rest is
    freed before topics and the commit."""
    keys = [name for name in INDEX.names() if name in work.sightings.columns]
    return replace(work, sightings=work.sightings.select(keys))
