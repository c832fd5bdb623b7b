"""Parse a batch of decoded dumps into raw records, detecting each file's format by content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from paperset.ingest.arxiv_listing import parse_arxiv_listing
from paperset.ingest.lines import BLANK, DATES_PREFIX, ID_PREFIX, PAGE_PREFIX, LineTable
from paperset.ingest.listing_dates import date_in_file_name, resolve_listed_on
from paperset.ingest.papers_page import PageLines, parse_hf_papers
from paperset.ingest.records import ARXIV_LISTING, HF_PAPERS, conform
from paperset.ingest.whitespace import non_blank_lines
from paperset.schema import EARLIEST_DATE

MIXED = "mixed"
_HF_MARKERS = ("Get trending papers in your email inbox!", "byAK and the research community")


@dataclass(frozen=True)
class DecodedDump:
    """A raw file's text (UTF-8, `\\n` line ends: `decode`), ready to parse."""

    name: str
    text: bytes
    mtime: float
    first_line: int = 1  # the number of its first line in the file (a part of a big file)


@dataclass(frozen=True)
class ParsedBatch:
    """Every record of the batch (`reason` set on bad ones), and files that cannot be parsed.

    `unrecognised` maps each such file to why: no known format, or both formats at once.
    """

    records: pl.DataFrame
    unrecognised: dict[str, str]
    content_lines: int = 0
    lines_in_records: int = 0


def parse_dumps(
    dumps: list[DecodedDump], listing_year: int | None, max_record_bytes: int, today: dt.date
) -> ParsedBatch:
    """Parse every dump of the batch: one table of its lines (`lines.LineTable`), each
    file's format named from it, then each format's parser on its files' lines."""
    files = _files_frame(dumps, listing_year)
    table = LineTable.of(files)
    formats = _detect_formats(table)
    listings = table.where(_files_in(formats, ARXIV_LISTING)[table.file])
    pages = PageLines(table.where(_files_in(formats, HF_PAPERS)[table.file]))
    file_facts = files.lazy().drop("text")
    hf = resolve_listed_on(
        parse_hf_papers(pages).join(file_facts, on="file_no", maintain_order="left")
    ).with_columns(pl.coalesce("reason", _listing_date_reason()).alias("reason"))
    arxiv = parse_arxiv_listing(listings).join(file_facts, on="file_no", maintain_order="left")
    records = pl.concat([conform(hf), conform(arxiv)]).pipe(_finish, max_record_bytes, today)
    # The in-memory engine runs these plans ~10% faster than the streaming one, and a
    # batch is bounded anyway (BATCH_BYTES of dumps).
    records_frame, unplaced_frame = pl.collect_all(
        [records.sort("source_file", "line"), _unplaced_files(files.lazy(), formats.lazy())],
        engine="in-memory",
    )
    return ParsedBatch(
        records_frame,
        dict(unplaced_frame.sort("source_file").iter_rows()),
        # The lines that must each land in exactly one record: every non-blank line of a
        # parsed file, but a papers page's header and date lines. Checked against the
        # records' own lines, this proves no text was dropped or doubled by the grouping,
        # independently of how records were cut.
        content_lines=int((~listings.has(BLANK)).sum() + pages.is_text.sum()),
        lines_in_records=non_blank_lines(records_frame["raw"]),
    )


def _unplaced_files(files: pl.LazyFrame, formats: pl.LazyFrame) -> pl.LazyFrame:
    """Files in no known format, or in both at once (quarantined whole, never guessed)."""
    return (
        files.join(formats, on="file_no", how="left")
        .filter(pl.col("format").is_null() | (pl.col("format") == MIXED))
        .select(
            "source_file",
            reason=pl.when(pl.col("format") == MIXED)
            .then(pl.lit("mixed formats: a papers-page header and arXiv id/dates lines"))
            .otherwise(pl.lit("unrecognised format")),
        )
    )


def _files_frame(dumps: list[DecodedDump], listing_year: int | None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file_no": range(len(dumps)),
            "first_line": [d.first_line for d in dumps],
            "source_file": [d.name for d in dumps],
            "text": pl.Series([d.text for d in dumps], dtype=pl.Binary).cast(pl.String),
            "name_date": [date_in_file_name(d.name.rsplit("/", 1)[-1]) for d in dumps],
            "mtime_date": [dt.datetime.fromtimestamp(d.mtime, dt.UTC).date() for d in dumps],
        },
        schema={
            "file_no": pl.UInt32,
            "first_line": pl.Int64,
            "source_file": pl.String,
            "text": pl.String,
            "name_date": pl.Date,
            "mtime_date": pl.Date,
        },
    ).with_columns(given_year=pl.lit(listing_year, dtype=pl.Int32))


def _detect_formats(table: LineTable) -> pl.DataFrame:
    """Name each file's format from what its lines look like, never from its name: a
    papers page has one of its header lines, a listing `arXiv:` and `Created:` lines."""
    files = table.files.height
    candidates = np.flatnonzero(table.has(PAGE_PREFIX))
    marked = table.texts(candidates).str.strip_chars().is_in(_HF_MARKERS).to_numpy()
    page, ids, dates = (np.zeros(files, np.bool_) for _ in range(3))
    page[table.file[candidates[marked]]] = True
    ids[table.file[table.has(ID_PREFIX)]] = True
    dates[table.file[table.has(DATES_PREFIX)]] = True
    names = (None, HF_PAPERS, ARXIV_LISTING, MIXED)
    codes = page + 2 * (ids & dates)
    return pl.DataFrame(
        {"file_no": table.files["file_no"], "format": [names[code] for code in codes]},
        schema={"file_no": pl.UInt32, "format": pl.String},
    )


def _files_in(formats: pl.DataFrame, name: str) -> np.ndarray:
    """Whether each file of the batch (by row) is in the format `name`."""
    return formats["format"].eq_missing(name).to_numpy()


def _finish(records: pl.LazyFrame, max_record_bytes: int, today: dt.date) -> pl.LazyFrame:
    """Add the checks every format shares, keeping the first reason found."""
    return records.with_columns(
        pl.coalesce(
            _size_reason(max_record_bytes), pl.col("reason"), _implausible_date_reason(today)
        ).alias("reason")
    )


def _size_reason(max_record_bytes: int) -> pl.Expr:
    size = pl.col("raw").str.len_bytes()
    return pl.when(size > max_record_bytes).then(
        pl.format("record over the size limit: {} bytes > {}", size, pl.lit(max_record_bytes))
    )


def _listing_date_reason() -> pl.Expr:
    if_missing = pl.col("listing_month").is_not_null() & pl.col("listed_on").is_null()
    text = pl.format("impossible listing date: {} {}", "listing_month", "listing_day")
    return pl.when(if_missing).then(text)


def _implausible_date_reason(today: dt.date) -> pl.Expr:
    checks = []
    for name in ("published", "updated", "listed_on"):
        column = pl.col(name)
        out_of_range = (column < EARLIEST_DATE) | (column > today)
        reason = pl.format(f"implausible {name} date: {{}}", column)
        checks.append(pl.when(out_of_range).then(reason))
    return pl.coalesce(checks)
