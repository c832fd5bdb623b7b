"""Parse hf-papers pages: a header, a `Mon DD` listing date, then title and abstract pairs."""

from __future__ import annotations

import numpy as np
import polars as pl

from paperset.ingest.lines import BLANK, PAGE_PREFIX, LineTable, nulls_where, slices
from paperset.ingest.page_scan import titles
from paperset.ingest.records import HF_PAPERS

HEADER_LINES = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
)
MONTH_DAY = (
    r"^(?<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?<day>[0-9]{1,2})$"
)
MAX_TITLE_CHARS = 300


def parse_hf_papers(lines: PageLines) -> pl.LazyFrame:
    """Turn the lines of hf-papers files into one row per record, with a reason if bad.

    The result has `listing_month` and `listing_day` (the page date in force at the
    record) for the caller to resolve into `listed_on`, since the year is not in the page.
    """
    paragraphs = lines.paragraphs()
    return (
        _records(paragraphs, _titles(paragraphs))
        .lazy()
        .select(
            "file_no",
            "record_no",
            "line",
            "listing_month",
            "listing_day",
            raw=pl.when(pl.col("last").is_not_null())
            .then(pl.concat_str("first", pl.lit("\n\n"), "last"))
            .otherwise("first"),
            title=pl.when("is_title").then("first"),
            abstract=pl.when("is_title").then(pl.col("last")).otherwise("first").fill_null(""),
            n_abstract_paragraphs=pl.when("is_title")
            .then(pl.col("last").is_not_null())
            .otherwise(True)
            .cast(pl.UInt32),
            format=pl.lit(HF_PAPERS),
        )
        .with_columns(_reason().alias("reason"))
    )


def _titles(paragraphs: pl.DataFrame) -> np.ndarray:
    """Titles by position where the page's order allows it, by shape where it does not.

    A paragraph of several lines, over MAX_TITLE_CHARS or of several sentences is an
    abstract; any other (title-capable) may be a title or a short abstract (real one-line
    abstracts with no final period exist). A run of k such paragraphs followed by an
    abstract pairs up exactly when k is odd (k even when the run ends the file): title,
    abstract, title, ..., and the titles are the odd positions. A run of the other parity
    holds a cut-off record, and only there do shapes decide: titles do not end with a
    period and a short one-line abstract does, so one ending in a period straight after a
    title-like line is that title's abstract, while a lone `Title Ending In A Period.`
    elsewhere is still a title. The runs are walked in one compiled pass (`page_scan`).
    """
    text = paragraphs["text"].str.strip_chars_end()
    short_line = (paragraphs["n_lines"] == 1) & (text.str.len_chars() <= MAX_TITLE_CHARS)
    sentence_end = text.str.ends_with(".")
    capable = short_line & ~(sentence_end & text.str.contains(". ", literal=True))
    return titles(paragraphs["file_no"].to_numpy(), capable.to_numpy(), sentence_end.to_numpy())


def _records(paragraphs: pl.DataFrame, is_title: np.ndarray) -> pl.DataFrame:
    """One row per record, with its `first` paragraph's text and the `last` one's (null for
    a record of one paragraph).

    A title starts a record; so does a paragraph that follows no title (an orphan). One
    abstract paragraph belongs to a title; a second one in a row has lost its title and
    becomes a record of its own, rejected, instead of being glued to its neighbour.
    """
    file = paragraphs["file_no"].to_numpy()
    after_title = np.zeros(len(file), np.bool_)
    after_title[1:] = is_title[:-1] & (file[1:] == file[:-1])
    first = np.flatnonzero(is_title | ~after_title)
    second = first + 1  # the abstract after a title, where there is one
    paired = np.append(after_title & ~is_title, False)[second]
    return (
        paragraphs.select("file_no", "line", "listing_month", "listing_day", first="text")
        .gather(first)
        .with_columns(
            last=_at(paragraphs["text"], second, paired),
            is_title=pl.lit(is_title[first]),
            record_no=pl.lit(np.arange(len(first))),
        )
    )


def _at(values: pl.Series, rows: np.ndarray, where: np.ndarray) -> pl.Series:
    """`values[rows]` where `where` holds, else null."""
    return nulls_where(values.gather(np.where(where, rows, 0)), ~where)


class PageLines:
    """The lines of papers pages (`LineTable`), each blank, a header line, a date line
    (`Apr 22`, with its month and day) or text. Only lines that open like a header or a
    month (`lines.PAGE_PREFIX`) are read with the regular expressions."""

    def __init__(self, table: LineTable) -> None:
        self.table = table
        candidates = np.flatnonzero(table.has(PAGE_PREFIX))
        stripped = table.texts(candidates).str.strip_chars()
        date = stripped.str.extract_groups(MONTH_DAY)
        is_header = stripped.is_in(HEADER_LINES).to_numpy()
        is_date = ~is_header & date.struct.field("month").is_not_null().to_numpy()
        furniture = np.zeros(len(table.file), np.bool_)
        furniture[candidates[is_header | is_date]] = True
        self.is_text = ~(table.has(BLANK) | furniture)
        self.date_rows = candidates[is_date]
        self.dates = date.filter(pl.Series(is_date)).struct.unnest()

    def paragraphs(self) -> pl.DataFrame:
        """One row per paragraph: a run of text lines in one file, with its first line's
        number, its number of lines, its text (a slice of its file: its lines are
        contiguous) and the page date in force (the last date line before it in its file)."""
        table, text = self.table, self.is_text
        same_next = table.same_file_as_next()
        text_next, text_before = np.zeros_like(text), np.zeros_like(text)
        text_next[:-1] = text[1:] & same_next[:-1]
        text_before[1:] = text[:-1] & same_next[:-1]
        first = np.flatnonzero(text & ~text_before)
        last = np.flatnonzero(text & ~text_next)
        file = table.file[first]
        return pl.DataFrame(
            {
                "file_no": table.file_nos(first),
                "line": table.line_numbers(first),
                "n_lines": (last - first + 1).astype(np.uint32),
                "text": slices(table.contents, file, table.start[first], table.end[last]),
            }
        ).with_columns(self._dates_in_force(first))

    def _dates_in_force(self, rows: np.ndarray) -> list[pl.Series]:
        """`listing_month` and `listing_day` of the date line in force at each row."""
        file = self.table.file
        latest = np.full(len(file), -1, np.int64)
        latest[self.date_rows] = np.arange(len(self.date_rows))
        latest = np.maximum.accumulate(latest)[rows]
        found = latest >= 0
        found[found] = file[self.date_rows[latest[found]]] == file[rows[found]]
        index = pl.Series(latest).scatter(np.flatnonzero(~found), None)
        return [
            self.dates["month"].gather(index).alias("listing_month"),
            self.dates["day"].cast(pl.Int8, strict=False).gather(index).alias("listing_day"),
        ]


def _reason() -> pl.Expr:
    return (
        pl.when(pl.col("title").is_null())
        .then(pl.lit("abstract with no title"))
        .when(pl.col("n_abstract_paragraphs") == 0)
        .then(pl.lit("truncated page: title with no abstract"))
        .when(pl.col("listing_month").is_null())
        .then(pl.lit("papers page with no listing date"))
    )
