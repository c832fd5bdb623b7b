"""Explode decoded dumps into one row per line, with provenance, in one vectorised pass."""

from __future__ import annotations

import polars as pl


def explode_lines(dumps: pl.LazyFrame) -> pl.LazyFrame:
    """Split `text` on `\\n` only, numbering lines from `first_line` (1 when absent)
    within each `file_no`, with `start`: the byte offset of each line in its file's text."""
    first = pl.col("first_line") if "first_line" in dumps.collect_schema() else pl.lit(1)
    file_size = pl.col("text").str.len_bytes().cast(pl.Int64) + 1
    line_size = pl.col("line").str.len_bytes().cast(pl.Int64) + 1
    return (
        dumps.select(
            "file_no",
            pl.col("text").str.split("\n").alias("line"),
            first=first,
            base=file_size.cum_sum() - file_size,
        )
        .with_columns(line_no=pl.int_ranges("first", pl.col("first") + pl.col("line").list.len()))
        .drop("first")
        .explode("line", "line_no")
        # A file's lines and their `\n`s add up to its text and one byte more: offsets
        # counted over the whole batch, less the bytes of the files before.
        .with_columns(
            pl.col("line_no").cast(pl.Int64),
            start=line_size.cum_sum() - line_size - pl.col("base"),
        )
        .drop("base")
    )


def file_bytes(dumps: pl.LazyFrame) -> pl.LazyFrame:
    """Each file's text as bytes (`file_no`, `bytes`), for `text_between` to slice."""
    return dumps.select("file_no", bytes=pl.col("text").cast(pl.Binary))


def text_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The text of a file from byte `start` to byte `end`, given its `bytes` (`file_bytes`).

    Lines are contiguous in their file, so the lines from one to another joined with `\\n`
    are this slice of it: made without building the joined string line by line. Offsets at
    line starts and ends never cut a UTF-8 character.
    """
    return pl.col("bytes").bin.slice(start, end - start).cast(pl.String)


def is_blank(line: pl.Expr) -> pl.Expr:
    """A line that separates records: empty or whitespace only (form feeds, U+2028 too).

    Lines themselves are split on `\n` only, so such characters inside a line never
    split it; a line made of nothing else is as blank as an empty one.
    """
    return line.str.strip_chars() == ""


def paragraph_no(blank: pl.Expr) -> pl.Expr:
    """Number paragraphs: each blank line starts a new one.

    The count runs across files (no window per file, which is much slower): it is only
    ever used together with `file_no`, so a paragraph never spans two files.
    """
    return blank.cast(pl.UInt32).cum_sum()


def same_file_as_previous() -> pl.Expr:
    """True where the row before belongs to the same file."""
    return (pl.col("file_no").shift(1) == pl.col("file_no")).fill_null(False)
