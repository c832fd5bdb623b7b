"""Parse arxiv-listing dumps: abstract, comment lines, `arXiv:` id line, `Created:` line."""

from __future__ import annotations

import polars as pl

from paperset.lines import is_blank, paragraph_no
from paperset.records import ARXIV_LISTING
from paperset.schema import ARXIV_ID_PATTERN

ID_LINE = r"(?i)^arxiv:"
DATES_LINE = r"^Created:"
ID_FIELDS = r"(?i)^arxiv:\s*(?<id>\S+?)(?:v(?<version>\d+))?(?:\s+-\s+doi:\s*(?<doi>\S+))?\s*$"
DATE_FIELDS = r"^Created:\s*(?<created>\S+)(?:\s+Updated:\s*(?<updated>\S+))?\s*$"


def parse_arxiv_listing(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Turn the lines of arxiv-listing files into one row per record, with a reason if bad."""
    grouped = (
        _classify_lines(lines)
        .group_by("file_no", "record_no")
        .agg(
            pl.col("line_no").filter(~pl.col("blank")).first().alias("line"),
            pl.col("line").str.join("\n").str.strip_chars().alias("raw"),
            pl.col("line").filter(_is_abstract()).str.join("\n").alias("abstract"),
            pl.col("line")
            .filter(pl.col("is_text") & ~_is_abstract())
            .str.strip_chars()
            .str.join("; ")
            .alias("comments"),
            pl.col("line").filter(pl.col("is_id")).first().alias("id_line"),
            pl.col("line").filter(pl.col("is_dates")).first().alias("dates_line"),
            pl.col("is_id").sum().alias("n_ids"),
            pl.col("is_dates").sum().alias("n_dates"),
        )
    )
    return (
        grouped.filter(pl.col("line").is_not_null())
        .with_columns(_id_fields(), _date_fields())
        .unnest("id_fields", "date_fields")
        .rename({"id": "arxiv_id"})
        .with_columns(
            pl.col("version").cast(pl.Int64),
            pl.col("created").str.to_date("%Y-%m-%d", strict=False).alias("published"),
            pl.col("updated_text").str.to_date("%Y-%m-%d", strict=False).alias("updated"),
            pl.when(pl.col("comments") != "").then(pl.col("comments")).alias("comments"),
            pl.lit(ARXIV_LISTING).alias("format"),
        )
        .with_columns(_reason().alias("reason"))
    )


def _classify_lines(lines: pl.LazyFrame) -> pl.LazyFrame:
    dates = pl.col("line").str.contains(DATES_LINE)
    classified = lines.with_columns(
        blank=is_blank(pl.col("line")),
        is_id=pl.col("line").str.contains(ID_LINE),
        is_dates=dates,
        # A record ends with its dates line: the next line starts the next record. Like
        # paragraphs, records are numbered across files and always grouped with `file_no`.
        record_no=dates.cast(pl.UInt32).cum_sum() - dates.cast(pl.UInt32),
    )
    return classified.with_columns(
        is_text=~(pl.col("blank") | pl.col("is_id") | pl.col("is_dates")),
        paragraph=paragraph_no(pl.col("blank")),
    )


def _is_abstract() -> pl.Expr:
    """Within a record's group: text lines of its first text paragraph."""
    first = pl.col("paragraph").filter(pl.col("is_text")).min()
    return pl.col("is_text") & (pl.col("paragraph") == first)


def _id_fields() -> pl.Expr:
    return pl.col("id_line").str.strip_chars().str.extract_groups(ID_FIELDS).alias("id_fields")


def _date_fields() -> pl.Expr:
    fields = pl.col("dates_line").str.strip_chars().str.extract_groups(DATE_FIELDS)
    return fields.struct.rename_fields(["created", "updated_text"]).alias("date_fields")


def _reason() -> pl.Expr:
    created_text = pl.col("created")
    return (
        pl.when(pl.col("n_dates") == 0)
        .then(pl.lit("truncated listing: abstract with no id/dates lines"))
        .when(pl.col("n_ids") == 0)
        .then(pl.lit("no arXiv id line"))
        .when(pl.col("n_ids") > 1)
        .then(pl.lit("several arXiv id lines in one record"))
        .when(pl.col("arxiv_id").is_null() | ~pl.col("arxiv_id").str.contains(ARXIV_ID_PATTERN))
        .then(pl.format("malformed arXiv id line: {}", pl.col("id_line").str.slice(0, 80)))
        .when(created_text.is_null())
        .then(pl.format("malformed dates line: {}", pl.col("dates_line").str.slice(0, 80)))
        .when(pl.col("published").is_null())
        .then(pl.format("impossible date: {}", created_text))
        .when(pl.col("updated_text").is_not_null() & pl.col("updated").is_null())
        .then(pl.format("impossible date: {}", pl.col("updated_text")))
        .when(pl.col("updated") < pl.col("published"))
        .then(pl.lit("Updated before Created"))
        .when(pl.col("abstract").str.strip_chars() == "")
        .then(pl.lit("empty abstract"))
    )
