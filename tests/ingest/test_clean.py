import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperset.ingest.clean import clean_frame, clean_records, clean_text, first_code_url


def cleaned(text: str) -> str:
    return pl.select(clean_text(pl.lit(text))).item()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"Nystr\"om", "Nyström"),
        (r"Schr\"{o}dinger and {\"u}ber", "Schrödinger and über"),
        (r"caf\'e na\"{\i}ve \c{c}a Erd\H{o}s", "café naïve ça Erdős"),
        (r"58\% of \$5 \& more", "58% of $5 & more"),
        (r"bound $O(10)$ and $\hat{x}\cdot\rho$", r"bound $O(10)$ and $\hat{x}\cdot\rho$"),
        ("a\t b  \n c\u2028d ", "a b c d"),
        ("Cafe\u0301", "Café"),
    ],
)
def test_cleaning_decodes_latex_normalises_and_collapses_whitespace(
    raw: str, expected: str
) -> None:
    assert cleaned(raw) == expected


def test_cleaned_text_is_in_nfc() -> None:
    assert cleaned("Cafe\u0301") == "Caf\u00e9"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab \t\n\\\"'`^~={}%$&_#cvHuoOlLsSei\u0301\u2028\x0c")),
        max_size=40,
    )
)
def test_cleaning_is_idempotent(text: str) -> None:
    once = cleaned(text)
    assert cleaned(once) == once


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Code is available at https://github.com/a/b.", "https://github.com/a/b"),
        ("See (https://gitlab.com/x/y), thanks", "https://gitlab.com/x/y"),
        (
            "Models: https://huggingface.co/org/model; code https://github.com/o/r",
            "https://huggingface.co/org/model",
        ),
        ("Project page https://site.github.io/p only", None),
    ],
)
def test_first_code_url_is_found_without_trailing_punctuation(text: str, url: str | None) -> None:
    assert pl.select(first_code_url(pl.lit(text))).item() == url


def test_the_fast_frame_path_equals_clean_text_on_every_row() -> None:
    texts = [r"plain ascii  text", r"Nystr\"om\n", "Cafe\u0301 au lait", "tab\there", r"58\%", "x"]
    records = pl.DataFrame(
        {
            "title": texts,
            "abstract": list(reversed(texts)),
            "comments": texts,
            "reason": [None] * 6,
        },
        schema_overrides={"reason": pl.String},
    )
    fast = clean_records(records.lazy()).collect()
    for field in ("title", "abstract", "comments"):
        assert fast[field].to_list() == records.select(clean_text(pl.col(field)))[field].to_list()


LATEX_ALPHABET = list("ab \t\n\\\"'`^~={}%$&_#cvHuoOlLsSeijkrAE.\u0301\u00e9\u2028\x0c")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.none() | st.text(alphabet=st.sampled_from(LATEX_ALPHABET), max_size=30),
        min_size=3,
        max_size=9,
    )
)
def test_records_skipped_by_the_latex_scan_or_the_normalisation_clean_as_clean_text_does(
    texts: list[str | None],
) -> None:
    # The frame path decodes LaTeX only where a pass's trigger is, with only the passes
    # whose triggers the frame holds, and normalises only non-ASCII text; every row must
    # still come out as clean_text makes it.
    rows = len(texts) // 3
    records = pl.DataFrame(
        {
            "title": texts[:rows],
            "abstract": texts[rows : 2 * rows],
            "comments": texts[2 * rows : 3 * rows],
            "reason": [None] * rows,
        },
        schema={field: pl.String for field in ("title", "abstract", "comments", "reason")},
    )
    fast = clean_frame(records)
    for field in ("title", "abstract"):
        assert fast[field].to_list() == records.select(clean_text(pl.col(field)))[field].to_list()
