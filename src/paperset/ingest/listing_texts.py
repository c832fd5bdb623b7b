"""A listing record's texts — its raw text, abstract and comments — as slices of its file.

The lines of a record, of its abstract and (blank lines aside) of its comments are
contiguous in the file, so each text is one slice of the file's bytes between the first
line's start and the last line's end: cheaper than joining the lines one by one. A
malformed record with an id or dates line among its text lines has its texts joined line
by line instead. `arxiv_listing` classifies the lines (`is_abstract`, `is_comment`, `row`,
`non_blank_seen`, `start`, `end`) and groups them into records with these.
"""

from __future__ import annotations

import polars as pl

from paperset.ingest.lines import text_between

SPAN_COLUMNS = ("start", "end", "abstract_start", "abstract_end", "comments_start", "comments_end")


def spans() -> list[pl.Expr]:
    """Within a record's group: where its text, abstract and comments start and end in the
    file, and whether the abstract's and comments' lines are contiguous (`regular`): no
    other line among the abstract's (one paragraph, so no blank line within), and only blank
    lines among the comments', so that the slice from their first to their last line holds
    them and nothing else."""
    abstract, comment = pl.col("is_abstract"), pl.col("is_comment")
    start, end, row, seen = pl.col("start"), pl.col("end"), pl.col("row"), pl.col("non_blank_seen")
    abstract_rows = row.filter(abstract).last() - row.filter(abstract).first() + 1
    comment_lines = seen.filter(comment).last() - seen.filter(comment).first() + 1
    return [
        start.first(),
        end.last(),
        start.filter(abstract).first().alias("abstract_start"),
        end.filter(abstract).last().alias("abstract_end"),
        start.filter(comment).first().alias("comments_start"),
        end.filter(comment).last().alias("comments_end"),
        (
            (abstract_rows.fill_null(0) == abstract.sum())
            & (comment_lines.fill_null(0) == comment.sum())
        ).alias("regular"),
    ]


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


def with_irregular_texts(grouped: pl.DataFrame, classified: pl.DataFrame) -> pl.DataFrame:
    """Records whose abstract or comment lines have an id line among them (a malformed
    record) get those texts by joining their lines one by one."""
    keys = ["file_no", "record_no"]
    if grouped["regular"].all():
        return grouped.drop("regular")
    joined = (
        classified.join(grouped.filter(~pl.col("regular")).select(keys), on=keys, how="semi")
        .group_by(keys)
        .agg(
            pl.col("line").filter("is_abstract").str.join("\n").alias("joined_abstract"),
            pl.col("line")
            .filter("is_comment")
            .str.strip_chars()
            .str.join("; ")
            .alias("joined_comments"),
        )
    )
    return (
        grouped.join(joined, on=keys, how="left")
        .with_columns(
            pl.coalesce("joined_abstract", "abstract").alias("abstract"),
            pl.coalesce("joined_comments", "comments").alias("comments"),
        )
        .drop("joined_abstract", "joined_comments", "regular")
    )
