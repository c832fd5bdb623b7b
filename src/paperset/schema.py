"""The data contract as pandera models: one place for every column, type and check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pandera.polars as pa
import polars as pl

from paperset.taxonomy import TOPIC_SLUGS

NEW_STYLE_ID = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
OLD_STYLE_ID = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}"
ARXIV_ID_PATTERN = rf"^(?:{NEW_STYLE_ID}|{OLD_STYLE_ID})$"
SLUG_PATTERN = r"^[a-z][a-z0-9-]{0,63}$"
EARLIEST_DATE = dt.date(1991, 1, 1)
PARTITION_KEYS = ("month", "topic")
MONTH_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])$"

UtcTimestamp = Annotated[pl.Datetime, "us", "UTC"]


def _not_in_future(column: pl.Expr) -> pl.Expr:
    # UTC, like the parser's check: a local date behind UTC would reject what it accepted.
    return column.is_null() | (column <= dt.datetime.now(dt.UTC).date())


def _not_before_arxiv(column: pl.Expr) -> pl.Expr:
    return column.is_null() | (column >= EARLIEST_DATE)


class Paper(pa.DataFrameModel):
    """One row per paper: the dataset's columns, in the order they are written."""

    paper_id: str = pa.Field(
        unique=True,
        str_matches=r"^(?:arxiv:\S+|title:[0-9a-f]{16})$",
        description="Stable id: `arxiv:<id>` when any sighting carries an arXiv id, "
        "else `title:<hash>`, a hash of the normalised title; unique",
    )
    arxiv_id: str = pa.Field(
        nullable=True,
        str_matches=ARXIV_ID_PATTERN,
        description="arXiv id, normalised: no `arXiv:` prefix, no version suffix",
    )
    doi: str = pa.Field(nullable=True, description="DOI as given in the arXiv listing")
    title: str = pa.Field(
        nullable=True,
        str_length={"min_value": 1},
        description="Title; null only when no sighting had one (arXiv-only papers)",
    )
    abstract: str = pa.Field(
        str_length={"min_value": 1},
        description="Abstract, cleaned: NFC, whitespace collapsed, LaTeX accents decoded",
    )
    comments: str = pa.Field(
        nullable=True, description="arXiv comment lines, cleaned, joined with `; `"
    )
    published: pl.Date = pa.Field(nullable=True, description="arXiv `Created` date")
    updated: pl.Date = pa.Field(nullable=True, description="Latest arXiv `Updated` date seen")
    listed_on: pl.Date = pa.Field(
        nullable=True, description="Earliest papers-page listing date seen"
    )
    code_url: str = pa.Field(
        nullable=True,
        str_matches=r"^https?://\S+$",
        description="First code repository URL in the abstract or comments",
    )
    sources: list[str] = pa.Field(
        description="Raw file names (relative to the raw folder) the paper was seen in, "
        "sorted, unique"
    )
    n_sightings: pl.Int64 = pa.Field(
        ge=1, description="How many accepted raw records were merged into this paper"
    )
    aliases: list[str] = pa.Field(description="Former `paper_id`s of this paper; empty if none")
    ingested_at: UtcTimestamp = pa.Field(
        description="When the paper first entered the dataset (UTC)"
    )
    topic_score: pl.Float64 = pa.Field(
        ge=0, description="The topic model's probability of the primary topic"
    )
    secondary_topics: list[str] = pa.Field(
        description="Up to two further topics of probability 0.2 or more, most probable first"
    )
    secondary_topic_scores: list[float] = pa.Field(
        description="Probabilities of `secondary_topics`, in the same order"
    )
    topic_evidence: list[str] = pa.Field(
        description="The words or word pairs of title and abstract that weighed most for "
        "`topic` in the model, heaviest first (up to three; `paperset explain` shows weights)"
    )
    date: pl.Date = pa.Field(
        description="The paper's date: `published`, else `listed_on` (inside the files)"
    )
    month: str = pa.Field(
        str_matches=MONTH_PATTERN, description="Partition key: `YYYY-MM` of `date`"
    )
    topic: str = pa.Field(isin=list(TOPIC_SLUGS), description="Partition key: primary topic slug")

    class Config:
        strict = True
        ordered = True

    @pa.dataframe_check(error="updated is before published")
    @classmethod
    def updated_not_before_published(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("updated").is_null()
            | pl.col("published").is_null()
            | (pl.col("updated") >= pl.col("published"))
        )

    @pa.dataframe_check(error="a date is before 1991 or in the future")
    @classmethod
    def dates_are_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        columns = [pl.col(name) for name in ("published", "updated", "listed_on", "date")]
        return data.lazyframe.select(
            pl.all_horizontal(*[_not_before_arxiv(c) & _not_in_future(c) for c in columns])
        )

    @pa.dataframe_check(error="date is neither published nor listed_on")
    @classmethod
    def date_has_a_source(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("date") == pl.coalesce("published", "listed_on"))

    @pa.dataframe_check(error="month is not the month of date")
    @classmethod
    def month_is_the_month_of_date(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("month") == pl.col("date").dt.strftime("%Y-%m"))


class QuarantineEntry(pa.DataFrameModel):
    """A rejected record or file, with the reason and enough raw text to fix it."""

    source_file: str = pa.Field(description="Raw file, relative to the raw folder")
    line: pl.Int64 = pa.Field(
        nullable=True, ge=1, description="First line of the record (null for files)"
    )
    level: str = pa.Field(isin=["record", "file"], description="`record` or `file`")
    reason: str = pa.Field(description="Why it was rejected")
    raw: str = pa.Field(description="The raw text, capped")
    run_id: str = pa.Field(description="The run that rejected it")
    quarantined_at: UtcTimestamp = pa.Field(description="When it was rejected (UTC)")

    class Config:
        strict = True
        ordered = True


def polars_schema(model: type[pa.DataFrameModel]) -> pl.Schema:
    """Return the polars schema a model describes, in column order."""
    columns = model.to_schema().columns
    return pl.Schema({name: column.dtype.type for name, column in columns.items()})


def column_docs(model: type[pa.DataFrameModel]) -> list[tuple[str, str, bool, str]]:
    """Return (name, type, nullable, description) per column, for docs and cards."""
    return [
        (name, str(column.dtype), column.nullable, column.description or "")
        for name, column in model.to_schema().columns.items()
    ]


def column_table_markdown(model: type[pa.DataFrameModel] = Paper) -> str:
    """Render the model's columns as the markdown table the README and dataset card show."""
    rows = ["| column | type | nullable | meaning |", "|---|---|---|---|"]
    for (name, _, nullable, description), dtype in zip(
        column_docs(model), polars_schema(model).dtypes(), strict=True
    ):
        rows.append(
            f"| `{name}` | {type_name(dtype)} | {'yes' if nullable else 'no'} | {description} |"
        )
    return "\n".join(rows)


def type_name(dtype: object) -> str:
    """Name a polars type the way the Arrow/Parquet world spells it."""
    if isinstance(dtype, pl.List):
        return f"list<{type_name(dtype.inner)}>"
    if isinstance(dtype, pl.Datetime):
        return f"timestamp[{dtype.time_unit}, {dtype.time_zone}]"
    names: dict[object, str] = {
        pl.String: "string",
        pl.Date: "date",
        pl.Int64: "int64",
        pl.Float64: "float64",
    }
    return names.get(type(dtype), str(dtype))
