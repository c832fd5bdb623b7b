"""Parse arxiv-listing dumps: abstract, comment lines, `arXiv:` id line, `Created:` line."""

from __future__ import annotations

import polars as pl

from paperset.ingest.comments import abstract_like_paragraphs
from paperset.ingest.lines import is_blank, paragraph_no, same_file_as_previous
from paperset.ingest.listing_texts import SPAN_COLUMNS, spans, texts, with_irregular_texts
from paperset.ingest.records import ARXIV_LISTING
from paperset.schema import ARXIV_ID_PATTERN

ID_LINE = r"(?i)^\s*arxiv:"
DATES_LINE = r"^\s*Created:"
# What an id or dates line looks like on its own: one token (and a DOI), or dates only.
# A hard-wrapped abstract line that starts with `arXiv:2301.00001 showed ...` is text.
ID_LINE_SHAPE = r"(?i)^\s*arxiv:\s*\S+(?:\s+-\s+doi:\s*\S+)?\s*$"
DATES_LINE_SHAPE = r"^\s*Created:\s*\S+(?:\s+Updated:\s*\S+)?\s*$"
ID_FIELDS = r"(?i)^arxiv:\s*(?<id>\S+?)(?:v(?<version>\d+))?(?:\s+-\s+doi:\s*(?<doi>\S+))?\s*$"
DATE_FIELDS = r"^Created:\s*(?<created>\S+)(?:\s+Updated:\s*(?<updated>\S+))?\s*$"


def parse_arxiv_listing(lines: pl.LazyFrame, files: pl.LazyFrame) -> pl.LazyFrame:
    """Turn the lines of arxiv-listing files into one row per record, with a reason if bad.

    `files` holds each file's text as bytes (`lines.file_bytes`): a record's raw text, its
    abstract and its comments are slices of it (see `listing_texts`).
    """
    classified = _classify_lines(lines).collect(engine="in-memory")
    grouped = (
        classified.lazy()
        .group_by("file_no", "record_no")
        .agg(
            pl.col("line_no").filter(~pl.col("blank")).first().alias("line"),
            *spans(),
            pl.col("line").filter(pl.col("is_id")).first().alias("id_line"),
            pl.col("line").filter(pl.col("is_dates")).first().alias("dates_line"),
            pl.col("is_id").sum().alias("n_ids"),
            pl.col("is_dates").sum().alias("n_dates"),
        )
        .join(files, on="file_no", how="left")
        .with_columns(texts())
        .drop("bytes", *SPAN_COLUMNS)
        .collect(engine="in-memory")
    )
    return (
        with_irregular_texts(grouped, classified)
        .lazy()
        .filter(pl.col("line").is_not_null())
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
    """Mark each line's kind and number the records.

    A record ends with its dates line. A record also ends early — it was cut off — when a
    paragraph that looks like an abstract, not a comment (`comments.abstract_like_paragraphs`),
    follows other text, or any text follows its id line: that text starts the next record.
    Records are numbered across files (no per-file window, which is slow) and always
    grouped with `file_no`, so a record never spans two files.
    """
    kinds = (
        lines.with_row_index("row")
        .with_columns(
            blank=is_blank(pl.col("line")),
            is_id=_is_id_line(),
            is_dates=_is_dates_line(),
            end=pl.col("start") + pl.col("line").str.len_bytes(),
        )
        .with_columns(
            is_text=~(pl.col("blank") | pl.col("is_id") | pl.col("is_dates")),
            non_blank=~pl.col("blank"),
            paragraph=paragraph_no(pl.col("blank")),
        )
    )
    sizes = abstract_like_paragraphs(kinds.filter("is_text").select("paragraph", "line"))
    return (
        kinds.join(sizes, on="paragraph", how="left", maintain_order="left")
        .with_columns(_segment_starts())
        .with_columns(record_start=_starts_record())
        .with_columns(
            record_no=pl.col("record_start").cast(pl.UInt32).cum_sum(),
            is_abstract=_is_abstract(),
            non_blank_seen=pl.col("non_blank").cast(pl.UInt32).cum_sum(),
        )
        .with_columns(is_comment=pl.col("is_text") & ~pl.col("is_abstract"))
    )


def _is_id_line() -> pl.Expr:
    """An `arXiv:` line shaped like an id line, or any `arXiv:` line right before a dates line.

    The second case keeps a malformed id line an id line (quarantined with its reason).
    """
    line = pl.col("line")
    next_is_dates = (
        line.shift(-1).str.contains(DATES_LINE) & (pl.col("file_no").shift(-1) == pl.col("file_no"))
    ).fill_null(False)
    return line.str.contains(ID_LINE) & (line.str.contains(ID_LINE_SHAPE) | next_is_dates)


def _is_dates_line() -> pl.Expr:
    """A `Created:` line shaped like a dates line, or any `Created:` line after an `arXiv:` one."""
    line = pl.col("line")
    after_id = (line.shift(1).str.contains(ID_LINE) & same_file_as_previous()).fill_null(False)
    return line.str.contains(DATES_LINE) & (line.str.contains(DATES_LINE_SHAPE) | after_id)


def _segment_starts() -> pl.Expr:
    """Lines that open a segment: the first of a file, or the first after a dates line."""
    after_dates = pl.col("is_dates").shift(1).fill_null(False)
    return (after_dates | ~same_file_as_previous()).alias("segment_start")


def _seen_before_in_segment(flag: str) -> pl.Expr:
    """Whether a line marked `flag` came earlier in this line's segment."""
    count = pl.col(flag).cast(pl.UInt32)
    running = count.cum_sum()
    base = pl.when("segment_start").then(running - count).forward_fill()
    return (running - count - base) > 0


def _starts_record() -> pl.Expr:
    paragraph_start = pl.col("is_text") & (
        pl.col("blank").shift(1).fill_null(True) | pl.col("segment_start")
    )
    first_in_segment = pl.col("non_blank") & ~_seen_before_in_segment("non_blank")
    cut_off = paragraph_start & (
        (pl.col("abstract_like").fill_null(False) & _seen_before_in_segment("is_text"))
        | _seen_before_in_segment("is_id")
    )
    return (first_in_segment | cut_off).fill_null(False)


def _is_abstract() -> pl.Expr:
    """Text lines of their record's first text paragraph (records are runs of lines: the
    paragraph of a record's first text line holds until the next record's)."""
    text = pl.col("is_text").cast(pl.UInt32)
    texts_so_far = text.cum_sum()
    before_record = pl.when("record_start").then(texts_so_far - text).forward_fill()
    first_text = pl.col("is_text") & (texts_so_far - before_record == 1)
    first_paragraph = pl.when(first_text).then(pl.col("paragraph")).forward_fill()
    return pl.col("is_text") & (pl.col("paragraph") == first_paragraph)


def _id_fields() -> pl.Expr:
    return pl.col("id_line").str.strip_chars().str.extract_groups(ID_FIELDS).alias("id_fields")


def _date_fields() -> pl.Expr:
    fields = pl.col("dates_line").str.strip_chars().str.extract_groups(DATE_FIELDS)
    return fields.struct.rename_fields(["created", "updated_text"]).alias("date_fields")


def _reason() -> pl.Expr:
    created_text = pl.col("created")
    return (
        pl.when((pl.col("n_dates") == 0) & (pl.col("n_ids") > 0))
        .then(pl.lit("truncated listing: arXiv id line with no dates line"))
        .when(pl.col("n_dates") == 0)
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
