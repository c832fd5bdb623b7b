"""The compiled parser gives exactly what its polars definition (`parse_reference`) gives:
the same records, the same files set aside and the same line counts, for batches of
listings, papers pages and files of neither or both formats."""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from conftest import SAMPLE
from hypothesis import example, given, settings
from hypothesis import strategies as st
from parse_reference import parse_dumps as reference_parse_dumps
from parse_reference import parse_listing_files

from paperset.ingest.arxiv_listing import DATES_LINE, ID_LINE, parse_arxiv_listing
from paperset.ingest.lines import BLANK, DATES_PREFIX, ID_PREFIX, PAGE_PREFIX, LineTable
from paperset.ingest.papers_page import HEADER_LINES, MONTH_DAY
from paperset.ingest.parse import DecodedDump, parse_dumps

# Every White_Space character, and look-alikes that are not whitespace to polars.
SPACES = "\t\v\f\r \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_SPACES = "\x1c\u180e\u200b\u2060\ufeff"
ABSTRACT = "We show that a long abstract ends with a full stop. " * 4
LISTING = [
    "\n",
    "\n\n",
    "\n \n",
    "arXiv:2407.00912\n",
    "ARXIV:2407.00912v2 - doi:10.1000/x\n",
    "arXiv: 2407.00912 - doi: 10.1000/x",
    "arxiv:bad id\n",
    "arXiv:2407.00912 showed",
    "arx\u0130v:1\n",
    "Created: 2024-06-30\n",
    "Created: 2024-06-30 Updated: 2024-07-02\n",
    "Created: 2024-06-30 Updated:",
    "Created: 2031-02-30\n",
    "Created: x y\n",
    "created: 2024-06-30\n",
    "Accepted at ICML 2025.",
    "12 pages, 3 figures",
    ABSTRACT,
    ABSTRACT.upper(),
    "word",
    "é",
    "𝔸",
    *SPACES,
    *NOT_SPACES,
]
PAGE = [
    "\n",
    "\n\n",
    "\n\u3000\n",
    "new\n",
    "Get trending papers in your email inbox!\n",
    "  Subscribe \n",
    "byAK and the research community\n",
    "Apr 22\n",
    "September 3\n",
    "Feb 30\n",
    "Mayday 5\n",
    "Dec. 7 \n",
    "Jan 123\n",
    "A Title\n",
    "Marvellous Title Ending In A Period.\n",
    "Short. Abstract.\n",
    "Two\nlines\n",
    "x" * 301 + "\n",
    ABSTRACT + "\n",
    "Newer\n",
    "\u2028",
]
LISTING_TEXTS = st.lists(st.sampled_from(LISTING), max_size=30).map("".join)
PAGE_TEXTS = st.lists(st.sampled_from(PAGE), max_size=30).map("".join)
SEED_TEXTS = [path.read_text() for path in sorted(SAMPLE.iterdir())]


@st.composite
def seed_texts(draw: st.DrawFn) -> str:
    """A real sample dump, cut, with pieces of either format put in."""
    text = draw(st.sampled_from(SEED_TEXTS))
    edits = st.tuples(st.integers(0, 10**6), st.integers(0, 400), st.sampled_from(LISTING + PAGE))
    for position, cut, fragment in draw(st.lists(edits, max_size=6)):
        at = position % (len(text) + 1)
        text = text[:at] + fragment + text[at + cut :]
    return text


FILE_TEXTS = st.one_of(
    LISTING_TEXTS,
    PAGE_TEXTS,
    st.tuples(LISTING_TEXTS, PAGE_TEXTS).map("".join),
    seed_texts(),
)
NAMES = st.sampled_from(["a.txt", "papers_2025-04-22.txt", "b/20240101.txt", "listing.txt"])


@st.composite
def batches(draw: st.DrawFn) -> list[DecodedDump]:
    texts = draw(st.lists(FILE_TEXTS, min_size=1, max_size=4))
    return [
        DecodedDump(
            f"{k}/{draw(NAMES)}",
            text.encode(),
            draw(st.sampled_from([0.0, 1.7e9, 1.75e9])),
            draw(st.sampled_from([1, 1, 40])),
        )
        for k, text in enumerate(texts)
    ]


@settings(max_examples=50, deadline=None)
@given(batches(), st.sampled_from([None, 2024]))
def test_batches_parse_as_the_polars_definition(
    dumps: list[DecodedDump], listing_year: int | None
) -> None:
    arguments = (dumps, listing_year, 2000, dt.date(2026, 1, 1))
    compiled, reference = parse_dumps(*arguments), reference_parse_dumps(*arguments)
    assert compiled.records.equals(reference.records)
    assert compiled.unrecognised == reference.unrecognised
    assert compiled.content_lines == reference.content_lines
    assert compiled.lines_in_records == reference.lines_in_records


@pytest.mark.parametrize("name", sorted(path.name for path in SAMPLE.iterdir()))
def test_the_sample_dumps_parse_as_the_polars_definition(name: str) -> None:
    dumps = [DecodedDump(name, (SAMPLE / name).read_bytes(), 1.7e9)]
    compiled = parse_dumps(dumps, None, 20_000, dt.date(2026, 1, 1))
    reference = reference_parse_dumps(dumps, None, 20_000, dt.date(2026, 1, 1))
    assert compiled.records.height > 0
    assert compiled.records.equals(reference.records)


def _files(texts: list[str], first_lines: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file_no": [3 * k + 1 for k in range(len(texts))],
            "first_line": first_lines[: len(texts)] + [1] * (len(texts) - len(first_lines)),
            "text": texts,
        },
        schema={"file_no": pl.UInt32, "first_line": pl.Int64, "text": pl.String},
    )


def _records(parsed: pl.DataFrame) -> pl.DataFrame:
    """Records in file order, their columns by name (records are numbered differently)."""
    columns = sorted(set(parsed.columns) - {"record_no"})
    return parsed.sort("file_no", "line").select(columns)


@settings(max_examples=80, deadline=None)
@given(st.lists(LISTING_TEXTS, min_size=1, max_size=4), st.lists(st.integers(1, 10**6), max_size=4))
@example(["A plain first paragraph.\n\nArXiv:1 showed\nCreated: 2024-01-01\n", "\n\nw"], [1])
@example([ABSTRACT + "\narXiv:2407.00912", "Created: 2024-06-30\n" + ABSTRACT], [7, 1])
def test_listing_records_equal_the_polars_definition(
    texts: list[str], first_lines: list[int]
) -> None:
    files = _files(texts, first_lines)
    compiled = parse_arxiv_listing(LineTable.of(files)).collect()
    reference = parse_listing_files(files)
    assert sorted(compiled.columns) == sorted(reference.columns)
    assert _records(compiled).equals(_records(reference))


PIECES = ["arxiv:", "ArXiV:", "Created:", "created:", "Apr", "new", "Subscribe", "x", "\t"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES + list(SPACES)), max_size=6), max_size=12))
def test_line_kinds_are_the_regular_expressions(pieces: list[list[str]]) -> None:
    lines = ["".join(line) for line in pieces] or [""]
    kind = LineTable.of(_files(["\n".join(lines)], [1])).kind
    column = pl.Series(lines)
    stripped = column.str.strip_chars()
    furniture = stripped.is_in(HEADER_LINES) | stripped.str.contains(MONTH_DAY)
    assert ((kind & BLANK) != 0).tolist() == (stripped == "").to_list()
    assert ((kind & ID_PREFIX) != 0).tolist() == column.str.contains(ID_LINE).to_list()
    assert ((kind & DATES_PREFIX) != 0).tolist() == column.str.contains(DATES_LINE).to_list()
    # Every header or date line is a candidate (some candidates are neither).
    assert not (furniture.to_numpy() & ((kind & PAGE_PREFIX) == 0)).any()


def test_only_ascii_letters_match_arxiv_whatever_their_case() -> None:
    # Unicode case folding maps a few other characters to ASCII letters (K, ſ): none of
    # them to a letter of `arxiv`, which the kernel compares byte by byte.
    characters = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and c != 0x0A]
    for position in range(5):
        lines = ["arxiv:"[:position] + c + "arxiv:"[position + 1 :] for c in characters]
        kind = LineTable.of(_files(["\n".join(lines)], [1])).kind
        found = np.flatnonzero(kind & ID_PREFIX)
        expected = np.flatnonzero(pl.Series(lines).str.contains(ID_LINE).to_numpy())
        assert found.tolist() == expected.tolist()
        assert len(found) == 2  # the letter in either case


def test_a_line_table_spans_each_line_of_each_file() -> None:
    files = _files(["a\n\nbé\n", "", "x"], [1, 5, 1])
    table = LineTable.of(files)
    assert table.file.tolist() == [0, 0, 0, 0, 1, 2]
    assert table.line_numbers(np.arange(6)).tolist() == [1, 2, 3, 4, 5, 1]
    assert table.texts(np.arange(6)).to_list() == ["a", "", "bé", "", "", "x"]
    size = sum(len(text.encode()) for text in files["text"])
    assert (table.end - table.start).sum() + 3 == size  # and the three line breaks
