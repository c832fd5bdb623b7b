"""Saving a run's merge: its segment of sightings keeps every sighting's abstract."""

from pathlib import Path

import polars as pl
import pytest

from paperset.dedup.minhash import SKETCHES, TEXT_BANDS
from paperset.incremental.merge_index import MergeWork
from paperset.incremental.save import write_segment
from paperset.incremental.segments import KEYED_SIGHTING
from paperset.storage.spill import TEXTS, TextStore


def texts(*pairs: tuple[int | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"text_hash": [h for h, _ in pairs], "abstract": [a for _, a in pairs]}, schema=TEXTS
    )


def test_a_segment_is_refused_when_a_sightings_text_is_missing_from_the_store(
    tmp_path: Path,
) -> None:
    # Every stored sighting must keep its abstract: the segment's row count is checked.
    store = TextStore(tmp_path / "texts")
    store.add(texts((1, "a kept text")))
    fresh = pl.DataFrame(
        [{"sighting_key": 7, "source_file": "a.txt", "line": 1, "text_hash": 2}],
        schema=KEYED_SIGHTING,
    )
    no_bands = pl.DataFrame(schema=TEXT_BANDS)
    work = MergeWork(
        sightings=fresh,
        placed=pl.DataFrame(),
        kept=pl.DataFrame(),
        segments=pl.DataFrame(),
        fresh=fresh,
        bands=no_bands,
        new_bands=no_bands,
        sketches=pl.DataFrame(schema=SKETCHES),
        band_files=(),
        oversized=pl.Series([], dtype=pl.UInt64),
        links=pl.DataFrame(),
        everything=False,
    )
    (tmp_path / "_meta" / "sightings").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="0 of 1 sightings written"):
        write_segment(tmp_path, "run-1", work, store)
