"""Parse arxiv-listing dumps: abstract, comment lines, `arXiv:` id line, `Created:` line."""

from __future__ import annotations

import numpy as np
import polars as pl

from paperset.ingest.comments import abstract_like_paragraphs
from paperset.ingest.lines import BLANK, DATES_PREFIX, ID_PREFIX, LineTable, nulls_where
from paperset.ingest.listing_scan import (
    ABSTRACT_ROWS,
    COMMENT_ROWS,
    DATES,
    DATES_ROW,
    FIRST,
    ID_ROW,
    IDS,
    LAST,
    NON_BLANK,
    REGULAR,
    consulted_paragraphs,
    cut_records,
)
from paperset.ingest.listing_texts import SPAN_COLUMNS, texts, with_irregular_texts
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


def parse_arxiv_listing(table: LineTable) -> pl.LazyFrame:
    """Turn the lines of arxiv-listing files into one row per record, with a reason if bad.

    A segment runs from a file's first line, or from the line after a dates line, to the
    next dates line. A record starts at a segment's first non-blank line, so it ends with
    its dates line; it also ends early (it was cut off) where a text paragraph opens after
    other text of its segment and looks like an abstract, not a comment
    (`comments.abstract_like_paragraphs`), or opens after an id line of its segment: that
    paragraph starts the next record. A record's first text paragraph is its abstract, its
    other text lines its comments. Paragraphs are separated by blank lines; id and dates
    lines (`ID_LINE`, `DATES_LINE`, and their shapes) are not text.

    The lines are cut in compiled passes (`listing_scan`), and a record's raw text, its
    abstract and its comments are slices of its file (`listing_texts`).
    """
    lines = _ListingLines(table)
    record, part, rows, counts = cut_records(
        table.file, lines.blank, lines.is_id, lines.is_dates, lines.paragraph,
        _abstract_like(lines),
    )  # fmt: skip
    kept = rows[:, NON_BLANK] >= 0  # blank lines before a file's first record are none
    grouped = (
        lines.records(rows[kept], counts[kept], np.flatnonzero(kept))
        .with_columns(texts())
        .drop("bytes", *SPAN_COLUMNS)
    )
    irregular = lines.parts_of(record, part, counts[:, REGULAR] == 0)
    return with_fields(with_irregular_texts(grouped, irregular).lazy())


def with_fields(records: pl.LazyFrame) -> pl.LazyFrame:
    """Records (with their texts, id and dates lines and counts) with the fields read from
    their id and dates lines, and the reason a bad one is quarantined."""
    return (
        records.with_columns(_id_fields(), _date_fields())
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


class _ListingLines:
    """A listing's lines (`LineTable`) with what the record cutting reads of each: blank,
    id line, dates line, text, and paragraph (numbered by the blank lines before it)."""

    def __init__(self, table: LineTable) -> None:
        self.table = table
        self.blank = table.has(BLANK)
        self.is_id, self.is_dates = _id_and_dates_lines(table)
        self.paragraph = np.cumsum(self.blank, dtype=np.int64)
        self.is_text = ~(self.blank | self.is_id | self.is_dates)

    def records(self, rows: np.ndarray, counts: np.ndarray, record_no: np.ndarray) -> pl.DataFrame:
        """One row per record: its file, first line number, spans (`listing_texts`), id and
        dates lines, and counts, from `cut_records`' arrays."""
        table = self.table
        first = rows[:, FIRST]
        frame = pl.DataFrame(
            {
                "file_no": table.file_nos(first),
                "record_no": record_no,
                "line": table.line_numbers(rows[:, NON_BLANK]),
                "start": table.start[first],
                "end": table.end[rows[:, LAST]],
                "abstract_start": _at(table.start, rows[:, ABSTRACT_ROWS]),
                "abstract_end": _at(table.end, rows[:, ABSTRACT_ROWS + 1]),
                "comments_start": _at(table.start, rows[:, COMMENT_ROWS]),
                "comments_end": _at(table.end, rows[:, COMMENT_ROWS + 1]),
                "n_ids": counts[:, IDS],
                "n_dates": counts[:, DATES],
                "regular": counts[:, REGULAR] == 1,
                "bytes": table.contents.gather(table.file[first]),
            }
        )
        return frame.with_columns(
            id_line=self._texts_at(rows[:, ID_ROW]), dates_line=self._texts_at(rows[:, DATES_ROW])
        )

    def parts_of(self, record: np.ndarray, part: np.ndarray, irregular: np.ndarray) -> pl.DataFrame:
        """The abstract and comment lines (`record_no`, `part`, `line`) of the records
        marked `irregular`."""
        chosen = np.zeros(len(record), np.bool_)
        placed = record >= 0
        chosen[placed] = irregular[record[placed]]
        rows = np.flatnonzero(chosen & (part != 0))
        return pl.DataFrame(
            {"record_no": record[rows], "part": part[rows], "line": self.table.texts(rows)}
        )

    def _texts_at(self, rows: np.ndarray) -> pl.Series:
        """The text of the line at each row, null where a row is -1 (none)."""
        return nulls_where(self.table.texts(np.maximum(rows, 0)), rows < 0)


def _id_and_dates_lines(table: LineTable) -> tuple[np.ndarray, np.ndarray]:
    """Id lines: `arXiv:` lines shaped like one, or right before a `Created:` line (so a
    malformed id line is still one, and quarantined with its reason). Dates lines:
    `Created:` lines shaped like one, or right after an `arXiv:` line. Shapes are checked
    only on lines with either prefix. A hard-wrapped abstract line that starts with
    `arXiv:2301.00001 showed ...` is text."""
    id_prefix, dates_prefix = table.has(ID_PREFIX), table.has(DATES_PREFIX)
    candidates = np.flatnonzero(id_prefix | dates_prefix)
    text = pl.lit(table.texts(candidates))
    shaped = np.zeros(len(id_prefix), np.bool_)
    shaped[candidates] = (
        pl.select(
            pl.when(pl.lit(id_prefix[candidates]))
            .then(text.str.contains(ID_LINE_SHAPE))
            .otherwise(text.str.contains(DATES_LINE_SHAPE))
        )
        .to_series()
        .to_numpy()
    )
    same_file_next = table.same_file_as_next()
    dates_next = np.zeros_like(same_file_next)
    dates_next[:-1] = dates_prefix[1:]
    id_before = np.zeros_like(same_file_next)
    id_before[1:] = id_prefix[:-1] & same_file_next[:-1]
    return (
        id_prefix & (shaped | (dates_next & same_file_next)),
        dates_prefix & (shaped | id_before),
    )


def _abstract_like(lines: _ListingLines) -> np.ndarray:
    """Whether each paragraph looks like an abstract; measured only where it is consulted."""
    consulted = consulted_paragraphs(
        lines.table.file, lines.blank, lines.is_id, lines.is_dates, lines.paragraph
    )
    rows = np.flatnonzero(lines.is_text & consulted[lines.paragraph])
    text_lines = pl.DataFrame({"paragraph": lines.paragraph[rows], "line": lines.table.texts(rows)})
    found = abstract_like_paragraphs(text_lines.lazy()).collect().filter("abstract_like")
    looks = np.zeros(len(consulted), np.bool_)
    looks[found["paragraph"].to_numpy()] = True
    return looks


def _at(values: np.ndarray, rows: np.ndarray) -> pl.Series:
    """`values[rows]`, null where a row is -1 (none)."""
    return nulls_where(pl.Series(values[np.maximum(rows, 0)]), rows < 0)


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
