"""The compiled scan finds exactly the terms the numpy definition of words finds."""

import numpy as np
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paperset.topics.assign import shipped_model
from paperset.topics.model import TopicModel, find_terms, slots
from paperset.topics.words import hash_terms, split_words

VOCABULARY = [
    "graph",
    "neural",
    "graph neural",
    "neural networks",
    "representationally",
    "representational learning",
    "4",
    "bit",
    "4 bit",
]
WORDS = ["Graph", "NEURAL", "networks", "representational", "representationally", "learning"]
WORDS += ["4", "bit", "kv", "Schrödinger", "x" * 17, "x" * 16 + "y"]
GLUE = [" ", "-", ", ", "é", "—", "\n", "", "  "]


def small_model(terms: list[str]) -> TopicModel:
    return TopicModel(
        topics=("a", "b"),
        terms=tuple(terms),
        hashes=hash_terms(terms),
        weights=np.zeros((len(terms), 2), dtype=np.float32),
        bias=np.zeros(2, dtype=np.float32),
        title_weight=2.0,
        info={},
    )


def reference(model: TopicModel, texts: pl.Series) -> list[np.ndarray]:
    """Words by the numpy definition, each word and pair looked up in the model's table."""
    words = split_words(texts)
    pair_rows, pair_hashes, _ = words.pairs()
    found = []
    for rows, hashes in ((words.row, words.hash), (pair_rows, pair_hashes)):
        ids = model.table[slots(hashes)]
        hit = np.flatnonzero(model.checks[ids] == hashes)
        found += [rows[hit], ids[hit].astype(np.int64)]
    return [*found, np.bincount(words.row, minlength=len(texts))]


def scanned(model: TopicModel, texts: pl.Series) -> list[np.ndarray]:
    hits, counts = find_terms(model, texts, 1.0)
    return [hits[0].row, hits[0].term, hits[1].row, hits[1].term, counts]


def assert_same(got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    for array, want in zip(got, expected, strict=True):
        assert array.dtype == want.dtype
        assert array.tolist() == want.tolist()


TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GLUE)), max_size=8).map(
            lambda parts: "".join(word + glue for word, glue in parts)
        ),
        st.text(alphabet="aZ9 -é\t", max_size=12),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=3))
@example(["4", "4", "4"], 0)  # as many words as bytes: the most a text can hold
def test_the_scan_finds_what_the_word_definition_finds(texts: list[str | None], cut: int) -> None:
    model = small_model(VOCABULARY)
    # A slice of a longer column: its buffers start part-way in.
    column = pl.Series(["graph neural"] * cut + texts, dtype=pl.String).slice(cut)
    assert_same(scanned(model, column), reference(model, column))


def test_the_scan_finds_the_shipped_vocabulary_in_its_own_terms() -> None:
    model = shipped_model()
    texts = pl.Series([" ".join(model.terms[i : i + 50]) for i in range(0, 2_000, 50)])
    got = scanned(model, texts)
    assert_same(got, reference(model, texts))
    assert len(got[0]) > 1_000 and len(got[2]) > 100
