"""Every documented reader loads the committed rows, with `date` a date and `topic` a string."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal
from test_storage_frames import STATE_B, commit, frame

from paperset.schema import Paper, polars_schema
from paperset.storage.readers import (
    read_with_duckdb,
    read_with_pandas,
    read_with_polars,
    read_with_pyarrow,
    read_with_spark,
)

COMMITTED = frame(*STATE_B)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding the papers of COMMITTED."""
    out = tmp_path_factory.mktemp("dataset")
    commit(COMMITTED, out)
    return out


def as_committed(loaded: pl.DataFrame) -> pl.DataFrame:
    """Put a reader's result in Paper column and paper_id row order."""
    return loaded.select(polars_schema(Paper).names()).sort("paper_id")


def test_polars_reads_every_row_and_column_as_committed(dataset: Path) -> None:
    assert_frame_equal(as_committed(read_with_polars(dataset)), COMMITTED.sort("paper_id"))


def test_pyarrow_reads_every_row_and_column_as_committed(dataset: Path) -> None:
    loaded = pl.from_arrow(read_with_pyarrow(dataset))
    assert isinstance(loaded, pl.DataFrame)
    assert_frame_equal(as_committed(loaded), COMMITTED.sort("paper_id"))


def test_pandas_reads_every_row_and_column_as_committed(dataset: Path) -> None:
    loaded = pl.from_pandas(read_with_pandas(dataset))
    assert_frame_equal(as_committed(loaded), COMMITTED.sort("paper_id"))


def test_duckdb_reads_every_row_and_column_as_committed(dataset: Path) -> None:
    # DuckDB labels timestamps with its session time zone (here the host's): same instants.
    utc = pl.col("ingested_at").dt.convert_time_zone("UTC")
    loaded = read_with_duckdb(dataset).pl().with_columns(utc)
    assert_frame_equal(as_committed(loaded), COMMITTED.sort("paper_id"))


def test_polars_types_the_keys_date_and_string(dataset: Path) -> None:
    schema = read_with_polars(dataset).schema
    assert (schema["date"], schema["topic"]) == (pl.Date, pl.String)


def test_pyarrow_types_the_keys_date_and_string(dataset: Path) -> None:
    schema = read_with_pyarrow(dataset).schema
    assert (schema.field("date").type, schema.field("topic").type) == (pa.date32(), pa.string())


def test_pandas_types_the_keys_date_and_string(dataset: Path) -> None:
    dtypes = read_with_pandas(dataset).dtypes
    assert dtypes["date"] == pd.ArrowDtype(pa.date32())
    assert dtypes["topic"] == pd.ArrowDtype(pa.string())


def test_duckdb_types_the_keys_date_and_varchar(dataset: Path) -> None:
    relation = read_with_duckdb(dataset)
    types = dict(zip(relation.columns, map(str, relation.types), strict=True))
    assert (types["date"], types["topic"]) == ("DATE", "VARCHAR")


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """A local Spark session, when PySpark and Java are installed (they are not dependencies)."""
    sql = pytest.importorskip("pyspark.sql")
    session = sql.SparkSession.builder.master("local[1]").getOrCreate()
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_reads_every_row_with_the_keys_date_and_string(spark: object, dataset: Path) -> None:
    loaded = read_with_spark(spark, dataset)
    assert dict(loaded.dtypes)["date"] == "date"
    assert dict(loaded.dtypes)["topic"] == "string"
    rows = sorted((r.paper_id, r.date, r.topic) for r in loaded.collect())
    assert rows == sorted(COMMITTED.select("paper_id", "date", "topic").rows())
