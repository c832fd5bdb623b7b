"""The parser as polars passes over a frame of every line of a batch: the definition that
the compiled passes (`lines`, `listing_scan`, `page_scan`) replaced, kept to hold them
equal to it (`test_parse_scan.py`). It is the code of commit 90fc957, unchanged but for
names made unique in one module."""

import datetime as dt

import polars as pl

from paperset.ingest.arxiv_listing import (
    DATES_LINE,
    DATES_LINE_SHAPE,
    ID_LINE,
    ID_LINE_SHAPE,
    with_fields,
)
from paperset.ingest.comments import abstract_like_paragraphs
from paperset.ingest.listing_dates import _MONTHS, _date, _nearest_to
from paperset.ingest.listing_texts import SPAN_COLUMNS, texts
from paperset.ingest.papers_page import HEADER_LINES, MAX_TITLE_CHARS, MONTH_DAY
from paperset.ingest.papers_page import _reason as _reason_of_page
from paperset.ingest.parse import (
    _HF_MARKERS,
    MIXED,
    DecodedDump,
    ParsedBatch,
    _files_frame,
    _finish,
    _listing_date_reason,
    _unplaced_files,
)
from paperset.ingest.records import ARXIV_LISTING, HF_PAPERS, conform
from paperset.ingest.whitespace import non_blank_lines


def parse_dumps(
    dumps: list[DecodedDump], listing_year: int | None, max_record_bytes: int, today: dt.date
) -> ParsedBatch:
    """Parse every dump of the batch in one vectorised pass per format."""
    files = _files_frame(dumps, listing_year)
    exploded = explode_lines(files.lazy())
    found = _detect_formats(exploded)
    placed = exploded.join(
        found.filter(pl.col("format").is_in([HF_PAPERS, ARXIV_LISTING])),
        on="file_no",
        maintain_order="left",
    )
    # Collected once here: each format's parser and the line count read them.
    lines_frame, formats_frame = pl.collect_all([placed, found], engine="in-memory")
    lines, formats = lines_frame.lazy(), formats_frame.lazy()
    file_facts = files.lazy().drop("text")
    hf = resolve_listed_on(
        _parse_hf_papers(
            lines.filter(pl.col("format") == HF_PAPERS), file_bytes(files.lazy())
        ).join(file_facts, on="file_no", maintain_order="left")
    ).with_columns(pl.coalesce("reason", _listing_date_reason()).alias("reason"))
    arxiv = parse_arxiv_listing(
        lines.filter(pl.col("format") == ARXIV_LISTING), file_bytes(files.lazy())
    ).join(file_facts, on="file_no", maintain_order="left")
    records = pl.concat([conform(hf), conform(arxiv)]).pipe(_finish, max_record_bytes, today)
    unplaced = _unplaced_files(files.lazy(), formats)
    # The in-memory engine runs these plans ~10% faster than the streaming one, and a
    # batch is bounded anyway (BATCH_BYTES of dumps).
    records_frame, unplaced_frame, content = pl.collect_all(
        [records.sort("source_file", "line"), unplaced, _content_lines(lines)], engine="in-memory"
    )
    return ParsedBatch(
        records_frame,
        dict(unplaced_frame.sort("source_file").iter_rows()),
        content_lines=content.item(),
        lines_in_records=non_blank_lines(records_frame["raw"]),
    )


def _content_lines(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Count the lines that must each land in exactly one record.

    That is every non-blank line of a parsed file, but a papers page's header and date
    lines. Checked against the records' own lines, it proves no text was dropped or
    doubled by the grouping, independently of how records were cut.
    """
    stripped = pl.col("line").str.strip_chars()
    furniture = (pl.col("format") == HF_PAPERS) & (
        stripped.is_in(HEADER_LINES) | stripped.str.contains(MONTH_DAY)
    )
    return lines.filter((stripped != "") & ~furniture).select(pl.len())


def _detect_formats(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Name each file's format from what its lines look like, never from its name."""
    line = pl.col("line")
    return (
        lines.group_by("file_no")
        .agg(
            line.str.strip_chars().is_in(_HF_MARKERS).any().alias("hf"),
            (line.str.contains(ID_LINE).any() & line.str.contains(DATES_LINE).any()).alias("ax"),
        )
        .select(
            "file_no",
            format=pl.when(pl.col("hf") & pl.col("ax"))
            .then(pl.lit(MIXED))
            .when("hf")
            .then(pl.lit(HF_PAPERS))
            .when("ax")
            .then(pl.lit(ARXIV_LISTING)),
        )
        .drop_nulls("format")
    )


def resolve_listed_on(records: pl.LazyFrame) -> pl.LazyFrame:
    """Add `listed_on` from `listing_month`/`listing_day` and the file's year evidence.

    Expects per record `name_date` (date in the file name), `given_year` (the user's)
    and `mtime_date`. Order: the name's date picks the nearest year to it; else the
    given year; else the latest such date not after the file's modification time.
    """
    month = pl.col("listing_month").replace_strict(
        list(_MONTHS), list(range(1, 13)), default=None, return_dtype=pl.Int32
    )
    candidates = [_date(pl.col("reference").dt.year() + shift, month) for shift in (-1, 0, 1)]
    nearest = _nearest_to(pl.col("reference"), candidates)
    latest_not_after = pl.coalesce(
        [pl.when(c <= pl.col("reference")).then(c) for c in reversed(candidates)]
    )
    return records.with_columns(
        reference=pl.coalesce("name_date", "mtime_date"),
    ).with_columns(
        listed_on=pl.when(pl.col("name_date").is_not_null())
        .then(nearest)
        .when(pl.col("given_year").is_not_null())
        .then(_date(pl.col("given_year"), month))
        .otherwise(latest_not_after)
    )


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


def _parse_hf_papers(lines: pl.LazyFrame, files: pl.LazyFrame) -> pl.LazyFrame:
    """Turn the lines of hf-papers files into one row per record, with a reason if bad.

    The result has `listing_month` and `listing_day` (the page date in force at the
    record) for the caller to resolve into `listed_on`, since the year is not in the page.
    `files` holds each file's text as bytes (`lines.file_bytes`): a paragraph's text is a
    slice of it.
    """
    paragraphs = _paragraphs(_classify_page_lines(lines), files)
    return (
        paragraphs.with_columns(capable=_title_capable())
        .with_columns(run_start=_run_starts(), followed=_followed_in_file())
        .with_columns(_is_title().alias("is_title"))
        .drop("capable", "run_start", "followed")
        .with_columns(record_no=_page_starts_record().cast(pl.UInt32).cum_sum())
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
        .with_columns(pl.lit(HF_PAPERS).alias("format"), _reason_of_page().alias("reason"))
    )


def _classify_page_lines(lines: pl.LazyFrame) -> pl.LazyFrame:
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


def _page_starts_record() -> pl.Expr:
    """A title starts a record; so does a paragraph that follows no title (an orphan).

    One abstract paragraph belongs to a title; a second one in a row has lost its title
    and becomes a record of its own, rejected, instead of being glued to its neighbour.
    """
    after_title = pl.col("is_title").shift(1).fill_null(False) & same_file_as_previous()
    return pl.col("is_title") | ~after_title


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
    return with_fields(
        _with_irregular_texts(grouped, classified).lazy().filter(pl.col("line").is_not_null())
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
