import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from paperset.topics.words import hash_terms, split_words


def spellings(*texts: str | None) -> list[tuple[int, str]]:
    words = split_words(pl.Series(texts, dtype=pl.String))
    return [(int(words.row[i]), words.spelling(i)) for i in range(len(words.row))]


def test_words_are_runs_of_ascii_letters_and_digits_lower_cased() -> None:
    assert spellings("KV-Cache, 4-bit LLMs!") == [
        (0, "kv"),
        (0, "cache"),
        (0, "4"),
        (0, "bit"),
        (0, "llms"),
    ]


def test_no_word_runs_across_two_texts_and_null_or_empty_texts_have_none() -> None:
    assert spellings("deep", None, "", "learning") == [(0, "deep"), (3, "learning")]


def test_the_same_word_hashes_alike_whatever_its_case_or_text() -> None:
    words = split_words(pl.Series(["Diffusion model", "a DIFFUSION"]))
    assert words.hash[0] == words.hash[3]
    assert len(set(words.hash.tolist())) == 3


def test_words_differing_after_sixteen_bytes_hash_apart_when_their_lengths_differ() -> None:
    words = split_words(pl.Series(["representational representationally"]))
    assert words.hash[0] != words.hash[1]


def test_a_pair_is_two_consecutive_words_of_one_text() -> None:
    words = split_words(pl.Series(["language model", "language", "model"]))
    rows, hashes, first = words.pairs()
    assert rows.tolist() == [0] and first.tolist() == [0]
    assert hashes.tolist() == hash_terms(["language model"]).tolist()


def test_terms_hash_as_the_words_of_a_text_do() -> None:
    words = split_words(pl.Series(["Graph neural networks"]))
    _, pairs, _ = words.pairs()
    assert hash_terms(["graph", "neural networks"]).tolist() == [words.hash[0], pairs[1]]


@given(st.lists(st.text(alphabet="ab -Z9é", max_size=12), max_size=6))
def test_words_match_a_regex_split_of_the_lower_cased_texts(texts: list[str]) -> None:
    words = split_words(pl.Series(texts, dtype=pl.String))
    found = [(int(r), words.spelling(i)) for i, r in enumerate(words.row)]
    expected = pl.Series(texts, dtype=pl.String).str.to_lowercase().str.extract_all("[a-z0-9]+")
    assert found == [(row, w) for row, ws in enumerate(expected.to_list()) for w in ws]
    assert words.hash.dtype == np.uint64
