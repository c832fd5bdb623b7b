"""Save a run's merge index (see `merge_index`): its segment of sightings, its band and
sketch files before the merge, then the index, the links and, last, the state file naming
them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from paperset.dedup.merge import LINKS
from paperset.incremental.merge_index import MergeWork
from paperset.incremental.segments import STORED, segment_path
from paperset.incremental.state import (
    INDEX,
    MAX_BAND_FILES,
    STATE_FILE,
    remove_unreferenced,
    sketches_to_store,
)
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
    band_files, sketch_files = list(work.band_files), list(work.sketch_files)
    state = {
        **names,
        "bands": band_files,
        "sketches": sketch_files,
        "settings": settings,
        "dataset_run_id": dataset_run_id,
        "run_id": run_id,
    }
    atomic_write_bytes(out_dir / STATE_FILE, (json.dumps(state, indent=2) + "\n").encode())
    keep = {*names.values(), *band_files, *sketch_files}
    remove_unreferenced(out_dir, keep, set(index["segment"].unique().to_list()))
    return index


def _save_known(
    path: Path,
    every: pl.DataFrame,
    new: pl.DataFrame,
    files: tuple[str, ...],
    stored: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    rewrite: bool,
) -> tuple[str, ...]:
    """Append the `new` rows of a kind (bands, sketches) in a file of their own after
    `files`, or, to `rewrite`, write `every` one in one file, each as `stored` puts them;
    return the kind's files."""
    if rewrite:
        atomic_write_parquet(path, stored(every))
        return (path.name,)
    if new.is_empty():
        return files
    atomic_write_parquet(path, stored(new))
    return (*files, path.name)


def _by_text(rows: pl.DataFrame) -> pl.DataFrame:
    """Bands (or sketches) in `text_hash` order, each text's in the order they were made: a
    stable sort on one integer, skipped when `text_bands` made them in that order already."""
    if rows["text_hash"].is_sorted():
        return rows
    return rows.sort("text_hash", maintain_order=True)


def write_segment(
    out_dir: Path, run_id: str, work: MergeWork, texts: TextStore
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write this run's segment of sightings, their abstracts read back from `texts`, and
    its band hashes and sketches; return the names of the band files and sketch files.

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
    # Bands and sketches are appended, or rewritten, together.
    rewrite = work.new_bands is None or work.new_sketches is None
    rewrite = rewrite or len(work.band_files) >= MAX_BAND_FILES
    new_bands = work.bands.clear() if work.new_bands is None else work.new_bands
    new_sketches = work.sketches.clear() if work.new_sketches is None else work.new_sketches
    meta = out_dir / META
    bands = _save_known(
        meta / f"bands-{run_id}.parquet",
        work.bands,
        new_bands,
        work.band_files,
        _by_text,
        rewrite=rewrite,
    )
    sketches = _save_known(
        meta / f"sketches-{run_id}.parquet",
        work.sketches,
        new_sketches,
        work.sketch_files,
        lambda rows: sketches_to_store(_by_text(rows)),
        rewrite=rewrite,
    )
    return bands, sketches


def segment_written(work: MergeWork, files: tuple[tuple[str, ...], tuple[str, ...]]) -> MergeWork:
    """`work` once its segment, band and sketch files are written (`write_segment`)."""
    bands, sketches = files
    return replace(
        work,
        fresh=work.fresh.clear(),
        new_bands=None,
        new_sketches=None,
        band_files=bands,
        sketch_files=sketches,
    )


def _kept_links(work: MergeWork, cut_links: pl.DataFrame) -> pl.DataFrame:
    """Links of the papers left alone, and those the merge just made among the rest."""
    remerged = work.sightings["text_hash"].drop_nulls().unique().implode()
    untouched = ~pl.col("text_a").is_in(remerged) & ~pl.col("text_b").is_in(remerged)
    kept = work.links.filter(untouched)
    return pl.concat([kept, cut_links.cast(LINKS)]).unique().sort("text_a", "text_b")
