"""The compiled word hashing and min-hashing equal their definitions, and never change."""

import numpy as np
import polars as pl
from helpers import MASK_64, splitmix_finalise
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paperset.dedup.minhash import _ADD, _MULTIPLY, band_hashes, text_signatures
from paperset.dedup.scan import agreeing, min_hashes, shared_counts
from paperset.dedup.shingles import _SEPARATORS, word_hashes


def defined_hashes(text: str) -> list[int]:
    """A word: a run of ASCII letters and digits and non-ASCII characters other than the
    separators, of the lowercased text; hashed from its length and first and last 8 bytes."""
    words, word = [], ""
    for char in text.lower() + " ":
        if (char.isascii() and char.isalnum()) or (
            not char.isascii() and ord(char) not in _SEPARATORS
        ):
            word += char
        elif word:
            words.append(word.encode())
            word = ""
    hashes = []
    for word_bytes in words:
        first = int.from_bytes(word_bytes[:8], "little")
        last = int.from_bytes(word_bytes[-8:], "little") if len(word_bytes) > 8 else first
        hashes.append(
            splitmix_finalise((first * 0x9E3779B97F4A7C14 + last + len(word_bytes)) & MASK_64)
        )
    return hashes


ALPHABET = "aZ9 .-'é\u00a0\u00ab\u2013\u2019\u2026\u2212\u00c9\u03a9\U0001d538"
# Characters that lead with the bytes of the separators (C2, E2) but are word characters.
ALPHABET += "\u00a9\u20ac\u2028\u00b5"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=30)), max_size=6),
    st.integers(min_value=0, max_value=2),
)
@example(["9", "9", "9"], 0)  # as many words as bytes: the most a text can hold
def test_word_hashes_follow_the_definition(texts: list[str | None], cut: int) -> None:
    column = pl.Series(["Lead in text"] * cut + texts, dtype=pl.String).slice(cut)
    hashes, counts = word_hashes(column)
    expected = [defined_hashes(text or "") for text in texts]
    assert counts.tolist() == [len(words) for words in expected]
    assert hashes.tolist() == [h for words in expected for h in words]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=40), min_size=1, max_size=6))
def test_min_hashes_are_each_texts_least_permuted_value(texts: list[list[int]]) -> None:
    """Each text's least permuted value; a text with none (no shingles) gets the maximum."""
    values = np.array([v for text in texts for v in text], dtype=np.uint32)
    counts = np.array([len(text) for text in texts], dtype=np.int64)
    got = min_hashes(values, counts, _MULTIPLY, _ADD)
    expected = [
        [
            min(((v * int(a) + int(b)) % 2**32 for v in text), default=2**32 - 1)
            for a, b in zip(_MULTIPLY, _ADD, strict=True)
        ]
        for text in texts
    ]
    assert got.tolist() == expected


PINNED_TEXT = (
    "We study low-rank adaptation of large language models and show that the rank each layer "
    "needs varies widely; an adaptive schedule allocates the budget where the residual error "
    "is largest and matches full fine-tuning with a tenth of the trainable parameters. "
    "Schrödinger’s naïve café — état-of-the–art."
)


def test_band_hashes_and_sketches_never_change() -> None:
    """Merge indexes store them: values from the numpy code that wrote the first indexes."""
    docs = pl.DataFrame({"node": pl.Series([7], dtype=pl.UInt32), "abstract": [PINNED_TEXT]})
    assert band_hashes(docs)["hash"].head(4).to_list() == [
        3186632857137419544,
        13443851630253624910,
        13705531694851703841,
        1730646453851355989,
    ]
    signature = text_signatures(pl.Series([PINNED_TEXT]), 0)[1]
    assert signature[0, :6].tolist() == [
        90616822,
        173536690,
        95258019,
        14327133,
        165189312,
        22508846,
    ]


SETS = st.lists(st.sets(st.integers(0, 60), max_size=25).map(sorted), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(SETS, st.data())
def test_shared_counts_are_set_intersections(sets: list[list[int]], data: st.DataObject) -> None:
    index = st.integers(0, len(sets) - 1)
    pairs = data.draw(st.lists(st.tuples(index, index), max_size=10))
    starts = np.cumsum([0] + [len(s) for s in sets])
    values = np.array([v for s in sets for v in s], dtype=np.uint64)
    a = np.array([p[0] for p in pairs], dtype=np.intp)
    b = np.array([p[1] for p in pairs], dtype=np.intp)
    got = shared_counts(a, b, starts, values)
    assert got.tolist() == [len(set(sets[i]) & set(sets[j])) for i, j in pairs]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(0, 8), st.data())
def test_sketches_agree_where_enough_positions_are_equal(
    n: int, least: int, data: st.DataObject
) -> None:
    rows = data.draw(
        st.lists(st.lists(st.integers(0, 2), min_size=8, max_size=8), min_size=n, max_size=n)
    )
    sketches = np.array(rows, dtype=np.uint8)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=8))
    a = np.array([p[0] for p in pairs], dtype=np.intp)
    b = np.array([p[1] for p in pairs], dtype=np.intp)
    got = agreeing(sketches, a, b, least)
    assert got.tolist() == [
        sum(x == y for x, y in zip(rows[i], rows[j], strict=True)) >= least for i, j in pairs
    ]
