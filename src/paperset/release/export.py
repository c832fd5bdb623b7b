"""The flat export: every column inside the files, sorted, split into shards of sensible size.

Dataset hubs ignore hive paths, so `date` and `topic` are ordinary columns here. Rows are sorted
by date, topic and id, which keeps row-group statistics tight for date and topic filters.
Shard names follow the hub convention `train-00000-of-00003.parquet`, so a `train-*` glob
finds them and the split is named by the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.schema import Paper, polars_schema
from paperset.storage.fsio import parquet_bytes, write_durable

DATA_DIR = "data"
SPLIT = "train"
DATA_GLOB = f"{DATA_DIR}/{SPLIT}-*.parquet"
SORT_KEYS = ("date", "topic", "paper_id")


@dataclass(frozen=True)
class DataFile:
    """One exported shard: its path inside the release and its row count."""

    name: str
    rows: int


def flat_papers(papers: pl.DataFrame) -> pl.DataFrame:
    """Return the papers in contract column order and types, sorted for export."""
    schema = polars_schema(Paper)
    return papers.select(schema.names()).cast(schema).sort(SORT_KEYS)


def shard_count(papers: pl.DataFrame, max_shard_bytes: int) -> int:
    """Return how many shards keep each one under `max_shard_bytes` in memory (never empty)."""
    wanted = math.ceil(papers.estimated_size() / max_shard_bytes)
    return max(1, min(wanted, papers.height))


def shard_name(index: int, count: int) -> str:
    """Name shard `index` of `count`, the way the Hugging Face hub names them."""
    return f"{DATA_DIR}/{SPLIT}-{index:05d}-of-{count:05d}.parquet"


def export_papers(papers: pl.DataFrame, release_dir: Path, max_shard_bytes: int) -> list[DataFile]:
    """Write the sorted papers as Parquet shards under `release_dir/data/`."""
    flat = flat_papers(papers)
    count = shard_count(flat, max_shard_bytes)
    per_shard = math.ceil(flat.height / count)
    (release_dir / DATA_DIR).mkdir(parents=True, exist_ok=True)
    files = []
    for index in range(count):
        shard = flat.slice(index * per_shard, per_shard)
        name = shard_name(index, count)
        write_durable(release_dir / name, parquet_bytes(shard))
        files.append(DataFile(name, shard.height))
    return files
