"""Stable hashes: persisted in the merge index, so their values must never change."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import MASK_64, splitmix_finalise
from hypothesis import given, settings
from hypothesis import strategies as st

from paperset.hashing import stable_hash

TEXTS = ["", None, "a", "Attention is all you need", "é" * 1000, "naïve résumé"]


def test_stable_hashes_keep_their_values() -> None:
    # Text and title keys of stored datasets were made with these: a change here would
    # make every stored sighting look new.
    assert stable_hash(pl.Series(TEXTS)).to_list() == [
        0,
        0,
        6754272901643539897,
        15383383526946042575,
        4475334387354450013,
        17458550566346279909,
    ]
    assert stable_hash(pl.Series(TEXTS), seed=7).to_list()[2] == 7195931394362825746


@pytest.mark.parametrize("chunk_bytes", [1, 7, 1000])
def test_a_hash_does_not_depend_on_the_strings_around_it(
    monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    strings = pl.Series([*TEXTS, "x" * 5000, "tail"] * 3)
    whole = stable_hash(strings)
    monkeypatch.setattr("paperset.hashing.CHUNK_BYTES", chunk_bytes)
    assert stable_hash(strings).to_list() == whole.to_list()
    assert stable_hash(strings.slice(5, 9)).to_list() == whole.slice(5, 9).to_list()
    assert stable_hash(pl.concat([strings.head(4), strings.tail(4)], rechunk=False)).to_list() == [
        *whole.head(4).to_list(),
        *whole.tail(4).to_list(),
    ]


def defined_hash(text: str | None, seed: int) -> int:
    """The definition: the polynomial of the UTF-8 bytes, mixed with the length, finalised."""
    data = (text or "").encode()
    polynomial = sum(byte * pow(0x100000001B3, i, 1 << 64) for i, byte in enumerate(data)) & MASK_64
    return splitmix_finalise(polynomial ^ splitmix_finalise(len(data) + seed & MASK_64))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40)), max_size=8), st.integers(0, 99))
def test_stable_hashes_follow_their_definition(texts: list[str | None], seed: int) -> None:
    got = stable_hash(pl.Series(texts, dtype=pl.String), seed=seed).to_list()
    assert got == [defined_hash(text, seed) for text in texts]
