"""The compiled count of non-blank lines equals the polars expression that defines it."""

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paperset.ingest.whitespace import non_blank_lines

# Every White_Space character, and look-alikes that are not whitespace to polars.
SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_SPACES = "\x1c\x1f\u180e\u200b\u200d\u2060\ufeff\u2011\u1681\u3001"
TEXTS = st.lists(
    st.one_of(st.none(), st.text(alphabet=SPACES + NOT_SPACES + "ab é€𝔸", max_size=20)),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(0, 2))
@example(["a\n\n \u2028\nb\n", "\n", None, "\xa0\n\u200b"], 0)
def test_non_blank_lines_are_those_with_more_than_whitespace(
    texts: list[str | None], cut: int
) -> None:
    column = pl.Series("raw", ["x\ny"] * cut + texts, dtype=pl.String).slice(cut)
    lines = pl.select(pl.lit(column).str.split("\n").explode().str.strip_chars()).to_series()
    assert non_blank_lines(column) == int((lines.drop_nulls() != "").sum())
