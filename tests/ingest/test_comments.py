"""Telling a comment paragraph from the next record's abstract."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from paperset.ingest.comments import (
    ABSTRACT_CHARS,
    COMMENT_MARKERS,
    MARKER_WINDOW,
    SENTENCE_END,
    abstract_like_paragraphs,
)


def by_group(text_lines: pl.DataFrame) -> pl.DataFrame:
    """The test as its definition reads: each paragraph's lines gathered, then measured."""
    line = pl.col("line")
    chars = line.str.len_chars().sum() + line.len() - 1
    head = line.head(4).str.join(" ").str.strip_chars_start().str.slice(0, MARKER_WINDOW)
    tail = line.last().str.strip_chars_end()
    looks = (
        (chars >= ABSTRACT_CHARS)
        & tail.str.contains(SENTENCE_END)
        & ~head.str.contains(COMMENT_MARKERS)
    )
    return text_lines.group_by("paragraph", maintain_order=True).agg(abstract_like=looks)


def test_a_long_plain_paragraph_ending_a_sentence_is_an_abstract() -> None:
    comment = ["Accepted at ICML 2025.", "x" * 200 + "."]
    lines = pl.DataFrame({"paragraph": [1, 1, 2], "line": [*comment, "We " * 70 + "."]})
    found = abstract_like_paragraphs(lines.lazy()).collect()
    assert found.to_dict(as_series=False) == {"paragraph": [1, 2], "abstract_like": [False, True]}


PIECES = st.sampled_from(
    ["We study", "x" * 60, " ", "\u00a0", "\t", ".", "?)", "accepted", "12 pages", "é", "v2"]
)
LINES = st.lists(PIECES, min_size=1, max_size=8).map("".join).filter(lambda s: s.strip() != "")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(LINES, min_size=1, max_size=7), min_size=1, max_size=6))
def test_the_passes_over_lines_equal_the_grouped_definition(paragraphs: list[list[str]]) -> None:
    # Text lines only (never blank), paragraphs numbered in file order, gaps between them.
    rows = [(3 * number, line) for number, lines in enumerate(paragraphs) for line in lines]
    lines = pl.DataFrame(rows, schema={"paragraph": pl.UInt32, "line": pl.String}, orient="row")
    assert abstract_like_paragraphs(lines.lazy()).collect().equals(by_group(lines))
