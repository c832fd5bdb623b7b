"""Load the dataset with each analytics tool, partition keys typed: the README's snippets.

Each function is the snippet the README (or, for pyarrow, docs/dataset.md) shows for its tool,
kept here so the tests prove it works. The partition key types are pinned, never inferred:
inference reads `month=2024-03` as a string in some tools and a date or a number in others;
`date` is a column inside the files, a date everywhere. DuckDB and pandas are dev dependencies
and PySpark no dependency at all, so each is imported where it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyspark.sql


def read_with_polars(out_dir: Path) -> pl.DataFrame:
    """Load the dataset with polars."""
    return pl.scan_parquet(
        out_dir / "papers",
        hive_partitioning=True,
        hive_schema={"month": pl.String, "topic": pl.String},
    ).collect()


def read_with_pyarrow(out_dir: Path) -> pa.Table:
    """Load the dataset with pyarrow."""
    partitioning = ds.partitioning(
        pa.schema([("month", pa.string()), ("topic", pa.string())]), flavor="hive"
    )
    return ds.dataset(out_dir / "papers", format="parquet", partitioning=partitioning).to_table()


def read_with_pandas(out_dir: Path) -> pd.DataFrame:
    """Load the dataset with pandas, through pyarrow, keeping Arrow types (dates stay dates)."""
    import pandas as pd

    partitioning = ds.partitioning(
        pa.schema([("month", pa.string()), ("topic", pa.string())]), flavor="hive"
    )
    return pd.read_parquet(
        out_dir / "papers", engine="pyarrow", partitioning=partitioning, dtype_backend="pyarrow"
    )


def read_with_duckdb(out_dir: Path) -> duckdb.DuckDBPyRelation:
    """Query the dataset with DuckDB."""
    import duckdb

    return duckdb.connect().sql(
        "SELECT * FROM read_parquet($files, hive_partitioning = true,"
        " hive_types = {'month': VARCHAR, 'topic': VARCHAR})",
        params={"files": str(out_dir / "papers" / "**" / "*.parquet")},
    )


def read_with_spark(spark: pyspark.sql.SparkSession, out_dir: Path) -> pyspark.sql.DataFrame:
    """Load the dataset with Spark: partition values kept as text (`month` is `YYYY-MM`)."""
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    return spark.read.parquet(str(out_dir / "papers"))
