"""The listing parser as polars passes over a frame of every line: the definition that
`paperset.ingest.listing_scan`'s compiled passes replaced, kept to hold them equal to it
(`test_listing_scan.py`)."""

import polars as pl

from paperset.ingest.arxiv_listing import (
    DATES_LINE,
    DATES_LINE_SHAPE,
    ID_LINE,
    ID_LINE_SHAPE,
    _date_fields,
    _id_fields,
    _reason,
)
from paperset.ingest.comments import abstract_like_paragraphs
from paperset.ingest.lines import (
    explode_lines,
    file_bytes,
    is_blank,
    paragraph_no,
    same_file_as_previous,
)
from paperset.ingest.listing_texts import SPAN_COLUMNS, texts
from paperset.ingest.records import ARXIV_LISTING


def parse_listing_files(files: pl.DataFrame) -> pl.DataFrame:
    """The reference parser's records for files (`file_no`, `first_line`, `text`)."""
    return parse_arxiv_listing(explode_lines(files.lazy()), file_bytes(files.lazy())).collect()


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
        _with_irregular_texts(grouped, classified)
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


def _with_irregular_texts(grouped: pl.DataFrame, classified: pl.DataFrame) -> pl.DataFrame:
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
