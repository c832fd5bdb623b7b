"""Save a run's merge index (see `merge_index`): its segment of sightings and its band files
before the merge, then the index, the links and, last, the state file naming them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from paperset.dedup.merge import LINKS
from paperset.incremental.merge_index import MergeWork
from paperset.incremental.segments import STORED, segment_path
from paperset.incremental.state import INDEX, MAX_BAND_FILES, STATE_FILE, remove_unreferenced
from paperset.storage.fsio import (
    atomic_write_bytes,
    atomic_write_parquet,
    atomic_write_parquet_parts,
)
from paperset.storage.layout import META
from paperset.storage.spill import TextStore


def save_index(
    out_dir: Path,
    run_id: str,
    work: MergeWork,
    paper_ids: pl.Series,
    papers: pl.DataFrame,
    cut_links: pl.DataFrame,
    settings: dict[str, Any],
    dataset_run_id: str | None,
) -> pl.DataFrame:
    """Store the index, links and bands, then the state naming them (the segment is stored).

    `paper_ids` gives the paper of each of `work.sightings`; `papers` the new `date`,
    `topic` and title of each affected paper; `cut_links` the merge's links between
    papers. Returns the new index.
    """
    # Stored sightings stay in their segment; fresh ones are in this run's.
    remade = (
        work.sightings.with_columns(paper_id=paper_ids)
        .join(work.segments, on=["sighting_key", "source_file", "line"], how="left")
        .with_columns(pl.col("segment").fill_null(pl.lit(run_id)))
        .join(
            papers.select("paper_id", "month", "topic", titled=pl.col("title").is_not_null()),
            on="paper_id",
        )
    )
    index = pl.concat([work.kept, remade.select(INDEX.names()).cast(INDEX)]).sort(
        "source_file", "line"
    )
    names = {kind: f"{kind}-{run_id}.parquet" for kind in ("index", "links")}
    atomic_write_parquet(out_dir / META / names["index"], index)
    atomic_write_parquet(out_dir / META / names["links"], _kept_links(work, cut_links))
    band_files = list(work.band_files)
    state = {
        **names,
        "bands": band_files,
        "settings": settings,
        "dataset_run_id": dataset_run_id,
        "run_id": run_id,
    }
    atomic_write_bytes(out_dir / STATE_FILE, (json.dumps(state, indent=2) + "\n").encode())
    keep = {*names.values(), *band_files}
    remove_unreferenced(out_dir, keep, set(index["segment"].unique().to_list()))
    return index


def _save_bands(out_dir: Path, run_id: str, work: MergeWork) -> list[str]:
    """Append this run's new bands in a file of their own, or write them all in one."""
    path = out_dir / META / f"bands-{run_id}.parquet"
    if work.new_bands is None or len(work.band_files) >= MAX_BAND_FILES:
        atomic_write_parquet(path, _by_text(work.bands))
        return [path.name]
    if work.new_bands.is_empty():
        return list(work.band_files)
    atomic_write_parquet(path, _by_text(work.new_bands))
    return [*work.band_files, path.name]


def _by_text(bands: pl.DataFrame) -> pl.DataFrame:
    """Bands in `text_hash` order, each text's in the order they were made: a stable sort
    on one integer, skipped when `text_bands` made them in that order already."""
    if bands["text_hash"].is_sorted():
        return bands
    return bands.sort("text_hash", maintain_order=True)


def write_segment(out_dir: Path, run_id: str, work: MergeWork, texts: TextStore) -> tuple[str, ...]:
    """Write this run's segment of sightings, their abstracts read back from `texts`, and
    its band hashes; return the names of the band files.

    It reads nothing the merge writes and the merge reads nothing it writes, so it runs
    beside the merge (on a thread of its own); each part of the segment is built with its
    abstracts in memory. Files no state names yet are harmless: the next run that saves its
    state deletes them if they are not the current ones.
    """
    if not work.fresh.is_empty():
        rows = work.fresh.select(*[n for n in STORED.names() if n != "abstract"], "text_hash")
        parts = (part.select(STORED.names()).cast(STORED) for part in texts.joined(rows))
        written = atomic_write_parquet_parts(segment_path(out_dir, run_id), parts, STORED)
        if written != rows.height:
            raise RuntimeError(f"segment {run_id}: {written} of {rows.height} sightings written")
    return tuple(_save_bands(out_dir, run_id, work))


def segment_written(work: MergeWork, band_files: tuple[str, ...]) -> MergeWork:
    """`work` once its segment and band files are written (`write_segment`)."""
    return replace(work, fresh=work.fresh.clear(), new_bands=None, band_files=band_files)


def _kept_links(work: MergeWork, cut_links: pl.DataFrame) -> pl.DataFrame:
    """Links of the papers left alone, and those the merge just made among the rest."""
    remerged = work.sightings["text_hash"].drop_nulls().unique().implode()
    untouched = ~pl.col("text_a").is_in(remerged) & ~pl.col("text_b").is_in(remerged)
    kept = work.links.filter(untouched)
    return pl.concat([kept, cut_links.cast(LINKS)]).unique().sort("text_a", "text_b")
