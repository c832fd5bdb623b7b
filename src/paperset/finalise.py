"""Turn merged, classified papers into rows of the contract, and check them."""

from __future__ import annotations

import pandera.errors
import polars as pl

from paperset.errors import ContractViolation
from paperset.memory import sorted_by
from paperset.schema import Paper, polars_schema


def paper_date() -> list[pl.Expr]:
    """`date`, the paper's date (`published`, else `listed_on`), and `month`, its partition."""
    date = pl.coalesce("published", "listed_on")
    return [date.alias("date"), date.dt.strftime("%Y-%m").alias("month")]


def to_contract(papers: pl.DataFrame) -> pl.DataFrame:
    """Select the contract's columns, in order, typed, sorted by `paper_id` (the merge
    makes them in that order: then no row is copied)."""
    schema = polars_schema(Paper)
    contract = papers.with_columns(paper_date()).select(schema.names()).cast(schema)
    return sorted_by(contract, "paper_id")


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
