"""The readers' side of `make bench`: queries on the built dataset against a single-file copy.

Analysts read the dataset with DuckDB and polars. Each query runs on the month × topic
folder and on one Parquet file holding the same rows (sorted the same way), best of
`REPEAT`, in this process; the ratio is partitioned time over single-file time. Sizes are
bytes on disk, and the shape of the files (rows and row groups) says what readers get.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow.parquet as pq

REPEAT = 3
HIVE = "hive_partitioning = true, hive_types = {'month': VARCHAR, 'topic': VARCHAR}"


def reader_benchmark(out: Path, work: Path) -> dict[str, Any]:
    """Time the README's kind of queries on `out/papers` and on a single-file copy."""
    papers = out / "papers"
    files = sorted(papers.rglob("*.parquet"))
    if not files:
        return {}
    single = work / "single.parquet"
    frame = pl.scan_parquet(
        papers, hive_partitioning=True, hive_schema={"month": pl.String, "topic": pl.String}
    )
    frame.sort("date", "paper_id").sink_parquet(single, compression="zstd")
    quarter, topic = _quarter_and_topic(single)
    partitioned = f"read_parquet('{papers}/**/*.parquet', {HIVE})"
    flat = f"read_parquet('{single}')"
    window = f"date >= DATE '{quarter[0]}' AND date < DATE '{quarter[1]}' AND topic = '{topic}'"
    months = f"month >= '{quarter[0][:7]}' AND month < '{quarter[1][:7]}' AND "
    queries: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "duckdb count by topic": (
            _sql(f"SELECT topic, count(*) FROM {partitioned} GROUP BY topic"),
            _sql(f"SELECT topic, count(*) FROM {flat} GROUP BY topic"),
        ),
        "duckdb one quarter, one topic": (
            _sql(f"SELECT count(*) FROM {partitioned} WHERE {months}{window}"),
            _sql(f"SELECT count(*) FROM {flat} WHERE {window}"),
        ),
        "duckdb abstract ILIKE '%diffusion%'": (
            _sql(f"SELECT count(*) FROM {partitioned} WHERE abstract ILIKE '%diffusion%'"),
            _sql(f"SELECT count(*) FROM {flat} WHERE abstract ILIKE '%diffusion%'"),
        ),
        "polars count by topic": (
            lambda: frame.group_by("topic").len().collect(),
            lambda: pl.scan_parquet(single).group_by("topic").len().collect(),
        ),
    }
    timed = {name: [_best(run) for run in pair] for name, pair in queries.items()}
    size = sum(f.stat().st_size for f in files)
    return {
        "queries": {
            name: {
                "partitioned_s": a,
                "single_file_s": b,
                "ratio": round(a / b, 2) if b else None,
            }
            for name, (a, b) in timed.items()
        },
        "bytes_partitioned": size,
        "bytes_single_file": single.stat().st_size,
        "size_ratio": round(size / single.stat().st_size, 3),
        "files": _file_shape(files),
        "quarter": list(quarter),
        "topic": topic,
    }


def _sql(query: str) -> Callable[[], object]:
    return lambda: duckdb.execute(query).fetchall()


def _best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return round(min(times), 4)


def _quarter_and_topic(single: Path) -> tuple[tuple[str, str], str]:
    """The quarter of the latest month, as [start, end), and the commonest topic."""
    facts = (
        pl.scan_parquet(single)
        .select(pl.col("date").max(), pl.col("topic").mode().sort().first())
        .collect()
        .row(0)
    )
    latest, topic = facts
    first_month = (latest.month - 1) // 3 * 3 + 1
    start = latest.replace(month=first_month, day=1)
    end_month = first_month + 3
    end = start.replace(year=start.year + (end_month > 12), month=(end_month - 1) % 12 + 1)
    return (start.isoformat(), end.isoformat()), str(topic)


def _file_shape(files: list[Path]) -> dict[str, Any]:
    """Files, rows per file and per row group, bytes per file: median and largest."""
    metadata = [pq.read_metadata(f) for f in files]
    rows = pl.Series([m.num_rows for m in metadata])
    groups = pl.Series([m.num_row_groups for m in metadata])
    sizes = pl.Series([f.stat().st_size for f in files])
    per_group = pl.Series(
        [m.row_group(i).num_rows for m in metadata for i in range(m.num_row_groups)]
    )
    return {
        "count": len(files),
        "rows_median": rows.median(),
        "rows_max": rows.max(),
        "row_groups_max": groups.max(),
        "rows_per_row_group_median": per_group.median(),
        "bytes_median": sizes.median(),
        "bytes_max": sizes.max(),
    }


def reader_table(result: dict[str, Any]) -> str:
    """The reader benchmark as lines for the console."""
    lines = [
        f"{'query':<38}{'partitioned s':>14}{'single file s':>15}{'ratio':>7}",
        *(
            f"{name:<38}{q['partitioned_s']:>14}{q['single_file_s']:>15}{q['ratio']:>7}"
            for name, q in result["queries"].items()
        ),
        f"bytes on disk: {result['bytes_partitioned']:,} partitioned, "
        f"{result['bytes_single_file']:,} single file ({result['size_ratio']}x)",
        f"files: {result['files']}",
    ]
    return "\n".join(lines)
