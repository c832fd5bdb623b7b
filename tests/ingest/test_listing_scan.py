"""The compiled listing parser gives exactly the records of its polars definition."""

import numpy as np
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from listing_reference import parse_listing_files

from paperset.hashing import _string_buffers
from paperset.ingest.arxiv_listing import DATES_LINE, ID_LINE, parse_arxiv_listing
from paperset.ingest.listing_scan import BLANK, DATES_PREFIX, ID_PREFIX, line_table

# Every White_Space character, and look-alikes that are not whitespace to polars.
SPACES = "\t\v\f\r \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_SPACES = "\x1c\u180e\u200b\u2060\ufeff"
ABSTRACT = "We show that a long abstract ends with a full stop. " * 4
FRAGMENTS = st.sampled_from(
    [
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
)
TEXTS = st.lists(FRAGMENTS, max_size=30).map("".join)


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


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4), st.lists(st.integers(1, 10**6), max_size=4))
@example(["A plain first paragraph.\n\nArXiv:1 showed\nCreated: 2024-01-01\n", "\n\nw"], [1])
@example([ABSTRACT + "\narXiv:2407.00912", "Created: 2024-06-30\n" + ABSTRACT], [7, 1])
def test_compiled_records_equal_the_polars_definition(
    texts: list[str], first_lines: list[int]
) -> None:
    files = _files(texts, first_lines)
    compiled = parse_arxiv_listing(files).collect()
    reference = parse_listing_files(files)
    assert sorted(compiled.columns) == sorted(reference.columns)
    assert _records(compiled).equals(_records(reference))


LINE_PIECES = st.sampled_from(["arxiv:", "ArXiV:", "Created:", "created:", "x", "\t", *SPACES])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(LINE_PIECES, max_size=6).map("".join), min_size=1, max_size=12))
def test_line_kinds_are_the_regular_expressions(lines: list[str]) -> None:
    _, _, _, _, kind = line_table(*reversed(_string_buffers(pl.Series(["\n".join(lines)]))))
    column = pl.Series(lines)
    assert ((kind & BLANK) != 0).tolist() == (column.str.strip_chars() == "").to_list()
    assert ((kind & ID_PREFIX) != 0).tolist() == column.str.contains(ID_LINE).to_list()
    assert ((kind & DATES_PREFIX) != 0).tolist() == column.str.contains(DATES_LINE).to_list()


def test_only_ascii_letters_match_arxiv_whatever_their_case() -> None:
    # Unicode case folding maps a few other characters to ASCII letters (K, ſ): none of
    # them to a letter of `arxiv`, which the kernel compares byte by byte.
    characters = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and c != 0x0A]
    for position in range(5):
        lines = ["arxiv:"[:position] + c + "arxiv:"[position + 1 :] for c in characters]
        texts = pl.Series(["\n".join(lines)])
        *_, kind = line_table(*reversed(_string_buffers(texts)))
        found = np.flatnonzero(kind & ID_PREFIX)
        expected = np.flatnonzero(pl.Series(lines).str.contains(ID_LINE).to_numpy())
        assert found.tolist() == expected.tolist()
        assert len(found) == 2  # the letter in either case
