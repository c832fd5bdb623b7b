"""A listing record's texts — its raw text, abstract and comments — as slices of its file.

The lines of a record, of its abstract and (blank lines aside) of its comments are
contiguous in the file, so each text is one slice of the file's bytes between the first
line's start and the last line's end: cheaper than joining the lines one by one. A
malformed record with an id or dates line among its text lines has its texts joined line
by line instead. `listing_scan.cut_records` finds each record's spans (`SPAN_COLUMNS`) and
whether they are regular.
"""

from __future__ import annotations

import polars as pl

from paperset.ingest.lines import text_between

SPAN_COLUMNS = ("start", "end", "abstract_start", "abstract_end", "comments_start", "comments_end")


def texts() -> list[pl.Expr]:
    """A record's raw text (its lines joined and stripped), its abstract (the lines of its
    first text paragraph) and its comments (its other text lines, each stripped, joined with
    `; `), as slices of its file; "" where there are none."""
    comments = text_between(pl.col("comments_start"), pl.col("comments_end"))
    return [
        text_between(pl.col("start"), pl.col("end")).str.strip_chars().alias("raw"),
        text_between(pl.col("abstract_start"), pl.col("abstract_end"))
        .fill_null("")
        .alias("abstract"),
        comments.str.strip_chars()
        .str.replace_all(r"\s*\n\s*", "; ")
        .fill_null("")
        .alias("comments"),
    ]


def with_irregular_texts(grouped: pl.DataFrame, parts: pl.DataFrame) -> pl.DataFrame:
    """Records whose abstract or comment lines have other lines among them (`regular`
    false: a malformed record) get those texts by joining their lines one by one, from
    `parts` (`record_no`, `part`: 1 abstract, 2 comment, `line`)."""
    if grouped["regular"].all():
        return grouped.drop("regular")
    joined = parts.group_by("record_no").agg(
        pl.col("line").filter(pl.col("part") == 1).str.join("\n").alias("joined_abstract"),
        pl.col("line")
        .filter(pl.col("part") == 2)
        .str.strip_chars()
        .str.join("; ")
        .alias("joined_comments"),
    )
    return (
        grouped.join(joined, on="record_no", how="left")
        .with_columns(
            pl.coalesce("joined_abstract", "abstract").alias("abstract"),
            pl.coalesce("joined_comments", "comments").alias("comments"),
        )
        .drop("joined_abstract", "joined_comments", "regular")
    )
