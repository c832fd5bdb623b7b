"""Turn merged, classified papers into rows of the contract, and check them."""

from __future__ import annotations

import pandera.errors
import polars as pl

from paperset.config import Granularity
from paperset.schema import Paper, polars_schema


class ContractViolation(Exception):
    """The dataset about to be committed breaks the contract: the run must fail."""


def partition_date(granularity: Granularity) -> pl.Expr:
    """The `date` key: `published`, else `listed_on`; the month's first day for `month`."""
    date = pl.coalesce("published", "listed_on")
    return (date.dt.truncate("1mo") if granularity == "month" else date).alias("date")


def to_contract(papers: pl.DataFrame, granularity: Granularity) -> pl.DataFrame:
    """Select the contract's columns, in order, typed, sorted by `paper_id`."""
    schema = polars_schema(Paper)
    return (
        papers.with_columns(partition_date(granularity))
        .select(schema.names())
        .cast(schema)
        .sort("paper_id")
    )


def validate_papers(papers: pl.DataFrame) -> pl.DataFrame:
    """Validate every row against the pandera model, reporting all failures at once."""
    try:
        return Paper.validate(papers, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        summary = ", ".join(
            f"{row['check']} on {row['column']}"
            for row in cases.unique(["check", "column"]).head(5).to_dicts()
        )
        raise ContractViolation(f"{cases.height} contract check failures: {summary}") from errors
