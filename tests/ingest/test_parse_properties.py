"""Whatever the bytes, parsing never raises and every record lands in exactly one place."""

import datetime as dt

import polars as pl
from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parse_reference import (
    _classify_lines,
    _followed_in_file,
    _title_by_shape,
    _title_capable,
    explode_lines,
)

from paperset.errors import UnreadableDump
from paperset.ingest.arxiv_listing import parse_arxiv_listing
from paperset.ingest.decode import as_utf8, text_bytes
from paperset.ingest.lines import LineTable
from paperset.ingest.page_scan import titles
from paperset.ingest.parse import DecodedDump, parse_dumps

SEED_TEXTS = [path.read_text() for path in sorted(SAMPLE.iterdir())]
FRAGMENTS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\r\n",
        "arXiv:2407.00912",
        "Created: 2024-06-30",
        " Updated: 2024-01-01",
        "Apr 22",
        "new",
        "Subscribe",
        "\x0c",
        "\u2028",
        "arXiv:bad id",
        "Created: 2024-13-45",
        "é",
        '\\"o',
        " ",
    ]
)


def parse_text(text: str) -> tuple[int, int, list[str]]:
    parsed = parse_dumps(
        [DecodedDump("f.txt", text.encode(), 0.0)], None, 4096, dt.date(2026, 1, 1)
    )
    records = parsed.records
    accepted = records.filter(records["reason"].is_null()).height
    assert accepted + records.filter(records["reason"].is_not_null()).height == records.height
    assert records["line"].is_not_null().all()
    return records.height, accepted, list(parsed.unrecognised)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    try:
        text = as_utf8([text_bytes(data)])[0]
    except UnreadableDump:
        return
    parse_text(text.decode())


@st.composite
def mutated_dumps(draw: st.DrawFn) -> str:
    """A real seed dump with a few cuts and insertions of format-significant fragments."""
    text = draw(st.sampled_from(SEED_TEXTS))
    edits = st.tuples(st.integers(0, 200_000), st.integers(0, 300), FRAGMENTS)
    for position, cut, fragment in draw(st.lists(edits, max_size=8)):
        at = position % (len(text) + 1)
        text = text[:at] + fragment + text[at + cut :]
    return text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dumps())
def test_mutated_real_dumps_never_raise_and_every_record_is_placed(text: str) -> None:
    records, accepted, unrecognised = parse_text(text)
    assert accepted <= records
    assert unrecognised in ([], ["f.txt"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dumps())
def test_every_content_line_lands_in_exactly_one_record(text: str) -> None:
    parsed = parse_dumps(
        [DecodedDump("f.txt", text.encode(), 0.0)], None, 4096, dt.date(2026, 1, 1)
    )
    assert parsed.content_lines == parsed.lines_in_records


# Lines a listing's records are made of, and the whitespace that strips or separates them.
LISTING_FRAGMENTS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\n \n",
        "\r\n",
        "arXiv:2407.00912\n",
        "arXiv:2407.00912 showed",
        "Created: 2024-06-30\n",
        "Created: 2024-06-30",
        "Accepted at ICML 2025.",
        "We show that a long abstract ends with a full stop. " * 4,
        "word",
        " ",
        "\t",
        "\u2028",
        "\x0c",
        "é",
    ]
)


def _joined_line_by_line(text: str) -> list[tuple[str, str, str]]:
    """Each listing record's raw text, abstract and comments, made by joining its lines."""
    files = pl.DataFrame(
        {"file_no": [0], "text": [text]}, schema={"file_no": pl.UInt32, "text": pl.String}
    )
    classified = _classify_lines(explode_lines(files.lazy())).collect()
    grouped = classified.group_by("file_no", "record_no", maintain_order=True).agg(
        pl.col("line").str.join("\n").str.strip_chars().alias("raw"),
        pl.col("line").filter("is_abstract").str.join("\n").alias("abstract"),
        pl.col("line").filter("is_comment").str.strip_chars().str.join("; ").alias("comments"),
        pl.col("line_no").filter(~pl.col("blank")).first().alias("line"),
    )
    return grouped.drop_nulls("line").select("raw", "abstract", "comments").rows()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LISTING_FRAGMENTS, max_size=40))
def test_listing_texts_cut_from_the_file_equal_their_lines_joined(fragments: list[str]) -> None:
    text = "".join(fragments)
    files = pl.DataFrame(
        {"file_no": [0], "first_line": [1], "text": [text]},
        schema={"file_no": pl.UInt32, "first_line": pl.Int64, "text": pl.String},
    )
    parsed = parse_arxiv_listing(LineTable.of(files)).collect()
    cut = (
        parsed.sort("record_no").select("raw", "abstract", pl.col("comments").fill_null("")).rows()
    )
    assert cut == _joined_line_by_line(text)


def _titles_by_windows(paragraphs: pl.DataFrame) -> list[bool]:
    """Titles of a page's paragraphs, with a window per run: the definition, as polars
    windows, that `page_scan.titles` compiles."""
    capable = pl.col("capable")
    new_file = ~((pl.col("file_no").shift(1) == pl.col("file_no")).fill_null(False))
    run = (capable & (new_file | ~capable.shift(1).fill_null(False))).cast(pl.UInt32).cum_sum()
    position = capable.cast(pl.UInt32).cum_sum().over("run")
    length = capable.cast(pl.UInt32).sum().over("run")
    followed_by_abstract = pl.col("followed").filter(capable).last().over("run")
    pairs_up = (length % 2 == 1) == followed_by_abstract
    by_position = capable & (position % 2 == 1)
    title = pl.when(pairs_up).then(by_position).otherwise(_title_by_shape())
    framed = paragraphs.with_columns(run=run, followed=_followed_in_file())
    return framed.select(title.fill_null(False)).to_series().to_list()


PARAGRAPHS = st.sampled_from(
    ["A Title", "A Title Ending In A Period.", "Short. Abstract.", "Two\nlines", "x" * 301]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), PARAGRAPHS), max_size=30))
def test_titles_of_a_page_equal_their_formulation_by_windows(shapes: list[tuple[int, str]]) -> None:
    paragraphs = pl.DataFrame(
        {
            "file_no": sorted(file for file, _ in shapes),
            "text": [text for _, text in shapes],
            "n_lines": [text.count("\n") + 1 for _, text in shapes],
        },
        schema={"file_no": pl.UInt32, "text": pl.String, "n_lines": pl.UInt32},
    ).with_columns(capable=_title_capable())
    compiled = titles(
        paragraphs["file_no"].to_numpy(),
        paragraphs["capable"].to_numpy(),
        paragraphs["text"].str.strip_chars_end().str.ends_with(".").to_numpy(),
    )
    assert compiled.tolist() == _titles_by_windows(paragraphs)
