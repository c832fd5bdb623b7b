"""The merge index on disk: its schema, the match keys it stores, and the state file that
names its current files and the settings they were built under (see `merge_index`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from paperset.dedup.keys import title_key
from paperset.dedup.minhash import BANDS, ROWS, SKETCHES, text_hash
from paperset.hashing import stable_hash
from paperset.incremental.segments import LEGACY, LEGACY_SIGHTINGS, SEGMENTS
from paperset.storage.layout import META, PARTITION_PATH
from paperset.storage.manifest import schema_version

STATE_VERSION = 2  # 2: papers placed by month, not date
STATE_FILE = META / "merge-state.json"
MAX_BAND_FILES = 32

KEYS = pl.Schema({"arxiv_id": pl.String(), "title_hash": pl.UInt64(), "text_hash": pl.UInt64()})
INDEX = pl.Schema(
    {
        "sighting_key": pl.UInt64(),
        "source_file": pl.String(),
        "line": pl.Int64(),
        "segment": pl.String(),
        "first_seen": pl.Datetime("us", "UTC"),
        **KEYS,
        "paper_id": pl.String(),
        "month": pl.String(),
        "topic": pl.String(),
        "titled": pl.Boolean(),
    }
)


# A sketch on disk: its 72 bytes as 9 UInt64 columns, which read ~10x faster than a
# fixed-size list of 72 UInt8 values.
SKETCH_WORDS = BANDS * ROWS // 8
STORED_SKETCHES = pl.Schema(
    {"text_hash": pl.UInt64(), **{f"sketch_{i}": pl.UInt64() for i in range(SKETCH_WORDS)}}
)


def sketches_to_store(sketches: pl.DataFrame) -> pl.DataFrame:
    """SKETCHES rows as they are stored (STORED_SKETCHES)."""
    words = np.ascontiguousarray(sketches["sketch"].to_numpy(), dtype=np.uint8).view(np.uint64)
    columns = {f"sketch_{i}": words[:, i] for i in range(SKETCH_WORDS)}
    return pl.DataFrame({"text_hash": sketches["text_hash"], **columns}, schema=STORED_SKETCHES)


def sketches_from_store(stored: pl.DataFrame) -> pl.DataFrame:
    """Stored sketches (STORED_SKETCHES) as SKETCHES rows."""
    words = np.empty((stored.height, SKETCH_WORDS), dtype=np.uint64)
    for i in range(SKETCH_WORDS):
        words[:, i] = stored[f"sketch_{i}"].to_numpy()
    sketch = pl.Series("sketch", words.view(np.uint8), dtype=SKETCHES["sketch"])
    return pl.DataFrame([stored["text_hash"], sketch], schema=SKETCHES)


def with_match_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the keys a sighting is matched on besides its arXiv id: stable hashes of its
    title key and abstract (null where there is none: `stable_hash` hashes a null as "")."""
    return with_title_hash(frame.with_columns(text_hash()))


def with_title_hash(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `title_hash`, a stable hash of the title key, null where there is none.

    The keys are hashed as one Series: as a `map_batches` expression in `with_columns`,
    the same took ~3x longer on a million titles.
    """
    keys = frame.select(title_key(pl.col("title"))).to_series()
    return frame.with_columns(title_hash=pl.when(keys.is_not_null()).then(stable_hash(keys)))


def state_settings(taxonomy: str, near_duplicates: bool) -> dict[str, Any]:
    """The settings an index is only valid under: change one and every paper is re-made
    (and validated: a run validates only the papers it re-makes, so a change of the
    contract's columns must re-make them all)."""
    return {
        "version": STATE_VERSION,
        "layout": PARTITION_PATH,
        "schema": schema_version(),
        "taxonomy": taxonomy,
        "near_duplicates": near_duplicates,
    }


def sighting_papers(out_dir: Path) -> pl.DataFrame:
    """The paper each live sighting belongs to: `source_file`, `line`, `paper_id`."""
    state = read_state(out_dir)
    if state is None:
        return pl.DataFrame(schema={k: INDEX[k] for k in ("source_file", "line", "paper_id")})
    return pl.read_parquet(
        out_dir / META / state["index"], columns=["source_file", "line", "paper_id"]
    )


def read_state(out_dir: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not {"index", "links", "bands"} <= state.keys():
        return None
    names = [state["index"], state["links"], *state["bands"], *state.get("sketches", [])]
    if not all((out_dir / META / str(name)).is_file() for name in names):
        return None
    return state


def legacy_index(out_dir: Path) -> pl.DataFrame:
    """An index over the one sightings file of datasets made before the index existed.

    The file becomes the segment `legacy`: the next run re-merges every sighting, stores
    them all in its own segment and drops the file.
    """
    path = out_dir / LEGACY_SIGHTINGS
    if not path.is_file():
        return pl.DataFrame(schema=INDEX)
    legacy = pl.read_parquet(path)
    return (
        with_match_keys(legacy)
        .with_columns(
            segment=pl.lit(LEGACY),
            paper_id="prior_paper_id",
            month=pl.lit(None, pl.String),
            topic=pl.lit(None, pl.String),
            titled=pl.lit(None, pl.Boolean),
        )
        .select(INDEX.names())
        .cast(INDEX)
    )


def remove_unreferenced(out_dir: Path, current: set[str], segments: set[str]) -> None:
    """Delete index, band and link files the state no longer names, and unused segments."""
    meta = out_dir / META
    kinds = ("index", "bands", "sketches", "links")
    for path in [path for kind in kinds for path in meta.glob(f"{kind}-*.parquet")]:
        if path.name not in current:
            path.unlink(missing_ok=True)
    for path in (out_dir / SEGMENTS).glob("*.parquet"):
        if path.stem not in segments:
            path.unlink(missing_ok=True)
    if LEGACY not in segments:
        (out_dir / LEGACY_SIGHTINGS).unlink(missing_ok=True)


def dataset_totals(index: pl.DataFrame) -> pl.DataFrame:
    """One row per paper of the dataset: `paper_id`, `topic`, `titled`, `n_sightings`."""
    return index.group_by("paper_id").agg(
        pl.col("topic").first(), pl.col("titled").first(), n_sightings=pl.len()
    )
