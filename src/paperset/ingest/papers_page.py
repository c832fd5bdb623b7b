"""Parse hf-papers pages: a header, a `Mon DD` listing date, then title and abstract pairs."""

from __future__ import annotations

import polars as pl

from paperset.ingest.lines import is_blank, paragraph_no, same_file_as_previous, text_between
from paperset.ingest.records import HF_PAPERS

HEADER_LINES = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
)
MONTH_DAY = (
    r"^(?<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?<day>\d{1,2})$"
)
MAX_TITLE_CHARS = 300


def parse_hf_papers(lines: pl.LazyFrame, files: pl.LazyFrame) -> pl.LazyFrame:
    """Turn the lines of hf-papers files into one row per record, with a reason if bad.

    The result has `listing_month` and `listing_day` (the page date in force at the
    record) for the caller to resolve into `listed_on`, since the year is not in the page.
    `files` holds each file's text as bytes (`lines.file_bytes`): a paragraph's text is a
    slice of it.
    """
    paragraphs = _paragraphs(_classify_lines(lines), files)
    return (
        paragraphs.with_columns(capable=_title_capable())
        .with_columns(run_start=_run_starts(), followed=_followed_in_file())
        .with_columns(_is_title().alias("is_title"))
        .drop("capable", "run_start", "followed")
        .with_columns(record_no=_starts_record().cast(pl.UInt32).cum_sum())
        .group_by("file_no", "record_no")
        .agg(
            pl.col("line").first(),
            pl.col("text").first().alias("first"),
            pl.col("text").last().alias("last"),
            pl.len().alias("n_paragraphs"),
            pl.col("text").filter(pl.col("is_title")).first().alias("title"),
            pl.col("text").filter(~pl.col("is_title")).first().alias("abstract"),
            (~pl.col("is_title")).sum().alias("n_abstract_paragraphs"),
            pl.col("listing_month").first(),
            pl.col("listing_day").first(),
        )
        # A record is a title and its abstract, or one paragraph (`_starts_record`).
        .with_columns(
            pl.when(pl.col("n_paragraphs") == 2)
            .then(pl.concat_str("first", pl.lit("\n\n"), "last"))
            .otherwise("first")
            .alias("raw"),
            pl.col("abstract").fill_null(""),
        )
        .drop("first", "last", "n_paragraphs")
        .with_columns(pl.lit(HF_PAPERS).alias("format"), _reason().alias("reason"))
    )


def _classify_lines(lines: pl.LazyFrame) -> pl.LazyFrame:
    stripped = pl.col("line").str.strip_chars()
    date = stripped.str.extract_groups(MONTH_DAY)
    return (
        lines.with_columns(
            kind=pl.when(is_blank(pl.col("line")))
            .then(pl.lit("blank"))
            .when(stripped.is_in(HEADER_LINES))
            .then(pl.lit("header"))
            .when(date.struct.field("month").is_not_null())
            .then(pl.lit("date"))
            .otherwise(pl.lit("text")),
            listing_month=date.struct.field("month"),
            listing_day=date.struct.field("day").cast(pl.Int8, strict=False),
            date_file=pl.when(date.struct.field("month").is_not_null()).then(pl.col("file_no")),
        )
        .with_columns(
            pl.col("listing_month", "listing_day", "date_file").forward_fill(),
            paragraph=paragraph_no(pl.col("kind") != "text"),
        )
        .with_columns(
            # A page date only holds in its own file (a global fill is far faster than a window).
            pl.when(pl.col("date_file") == pl.col("file_no")).then(pl.col(name)).alias(name)
            for name in ("listing_month", "listing_day")
        )
    )


def _paragraphs(lines: pl.LazyFrame, files: pl.LazyFrame) -> pl.LazyFrame:
    """One row per paragraph of text lines: its lines are contiguous, so its text (its lines
    joined with `\\n`) is the slice of its file from its first line to its last."""
    return (
        lines.filter(pl.col("kind") == "text")
        .group_by("file_no", "paragraph")
        .agg(
            pl.col("line_no").first().alias("line"),
            pl.len().alias("n_lines"),
            pl.col("start").first(),
            (pl.col("start") + pl.col("line").str.len_bytes()).last().alias("end"),
            pl.col("listing_month").first(),
            pl.col("listing_day").first(),
        )
        .join(files, on="file_no", how="left")
        .with_columns(text=text_between(pl.col("start"), pl.col("end")))
        .drop("bytes", "start", "end")
        .sort("file_no", "line")
    )


def _is_title() -> pl.Expr:
    """Titles by position where the page's order allows it, by shape where it does not.

    A paragraph of several lines, over MAX_TITLE_CHARS or of several sentences is an
    abstract; any other may be a title or a short abstract (real one-line abstracts with
    no final period exist). A run of k such paragraphs followed by an abstract pairs up
    exactly when k is odd (k even when the run ends the file): title, abstract, title,
    ..., and the titles are the odd positions. A run of the other parity holds a cut-off
    record, and only there do shapes decide (`_title_by_shape`).
    """
    capable = pl.col("capable")
    # Within a run of title-capable paragraphs: where each stands, how long the run is, and
    # whether an abstract follows its last paragraph in the same file. Runs are consecutive
    # rows: counts since the run's start, and the values at its end filled back (the
    # paragraphs after a run, not capable, are no title whatever they get).
    so_far = capable.cast(pl.UInt32).cum_sum()
    position = so_far - pl.when("run_start").then(so_far - 1).forward_fill()
    goes_on = capable.shift(-1).fill_null(False) & ~pl.col("run_start").shift(-1).fill_null(True)
    run_end = capable & ~goes_on
    length = pl.when(run_end).then(position).backward_fill()
    followed_by_abstract = pl.when(run_end).then(pl.col("followed")).backward_fill()
    pairs_up = (length % 2 == 1) == followed_by_abstract
    by_position = capable & (position % 2 == 1)
    return pl.when(pairs_up).then(by_position).otherwise(_title_by_shape())


def _run_starts() -> pl.Expr:
    """The first paragraph of each run of consecutive title-capable paragraphs of a file."""
    capable = pl.col("capable")
    new_file = ~same_file_as_previous()
    return capable & (new_file | ~capable.shift(1).fill_null(False))


def _followed_in_file() -> pl.Expr:
    return (pl.col("file_no").shift(-1) == pl.col("file_no")).fill_null(False)


def _title_capable() -> pl.Expr:
    """One short line that is not several sentences: a title or a short abstract."""
    text = pl.col("text").str.strip_chars_end()
    short_line = (pl.col("n_lines") == 1) & (text.str.len_chars() <= MAX_TITLE_CHARS)
    sentences = text.str.ends_with(".") & text.str.contains(". ", literal=True)
    return short_line & ~sentences


def _title_by_shape() -> pl.Expr:
    """A title is one short line that is not prose.

    Titles do not end with a period; a short one-line abstract does. So a short line of
    several sentences is an abstract, and so is one ending in a period straight after a
    title-like line (that title's abstract); a lone `Title Ending In A Period.` elsewhere
    is still a title.
    """
    text = pl.col("text").str.strip_chars_end()
    sentence_end = text.str.ends_with(".")
    title_like = pl.col("capable") & ~sentence_end
    after_title_like = title_like.shift(1).fill_null(False) & same_file_as_previous()
    return pl.col("capable") & ~(after_title_like & sentence_end)


def _starts_record() -> pl.Expr:
    """A title starts a record; so does a paragraph that follows no title (an orphan).

    One abstract paragraph belongs to a title; a second one in a row has lost its title
    and becomes a record of its own, rejected, instead of being glued to its neighbour.
    """
    after_title = pl.col("is_title").shift(1).fill_null(False) & same_file_as_previous()
    return pl.col("is_title") | ~after_title


def _reason() -> pl.Expr:
    return (
        pl.when(pl.col("title").is_null())
        .then(pl.lit("abstract with no title"))
        .when(pl.col("n_abstract_paragraphs") == 0)
        .then(pl.lit("truncated page: title with no abstract"))
        .when(pl.col("listing_month").is_null())
        .then(pl.lit("papers page with no listing date"))
    )
