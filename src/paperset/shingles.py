"""Word 5-gram shingles of abstracts, hashed stably, computed on the UTF-8 bytes with numpy.

A word is a run of letters and digits of the lowercased text. ASCII punctuation and common
Unicode punctuation (dashes, curly quotes, ellipsis, no-break space) separate words and are
dropped, so case, punctuation and spacing variants of a text have the same shingles. Polars'
regex tokenisers cost ~12 µs per abstract; scanning the bytes with numpy costs ~1 µs.

A word is identified by its byte length and its first and last 8 bytes (exact for words of
up to 16 bytes, i.e. nearly all), a shingle by a polynomial of its word hashes. Both are
plain integer arithmetic on the bytes, the same on every library version and machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import polars as pl

from paperset.hashing import _finalise, _string_buffers

SHINGLE_WORDS = 5
BATCH_DOCS = 4096
_SHINGLE_BITS = np.uint64(40)
_SHINGLE_MASK = np.uint64((1 << 40) - 1)
_PAIR_CHUNK = 1 << 20  # pairs tagged at once: bounds memory, and fits the 24 tag bits
T = TypeVar("T")
_SEPARATORS = [0xA0, 0xAB, 0xB7, 0xBB, *range(0x2010, 0x2028), *range(0x2030, 0x203B), 0x2212]
# Each separator's UTF-8 bytes as a big-endian 3-byte code, to match at a lead byte.
_SEPARATOR_CODES = np.array(
    sorted(int.from_bytes(chr(c).encode().ljust(3, b"\0")) for c in _SEPARATORS), np.uint32
)
_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)
_WORD_MULTIPLIER = np.uint64(0x9E3779B97F4A7C14)  # even, so multiplier + 1 is odd
_SHINGLE_MULTIPLIER = np.uint64(0xD6E8FEB86659FD93)


def word_hashes(abstract: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return the hash of every word, concatenated, and the number of words of each text."""
    # The trailing space keeps the last word of a text from running into the next text.
    offsets, data = _string_buffers(abstract.str.to_lowercase() + " ")
    data = data[offsets[0] : offsets[-1]]
    in_word = np.zeros(len(data) + 2, dtype=np.bool_)
    in_word[1:-1] = _word_bytes(data)
    bounds = np.flatnonzero(in_word[1:] ^ in_word[:-1])
    starts, ends = bounds[0::2], bounds[1::2]
    counts = np.diff(np.searchsorted(starts, offsets - offsets[0]))
    return _hash_words(data, starts, ends), counts


def _word_bytes(data: np.ndarray) -> np.ndarray:
    """Flag the bytes of lowercased UTF-8 that belong to words."""
    in_word = (data - np.uint8(ord("a"))) < 26
    in_word |= (data - np.uint8(ord("0"))) < 10
    in_word |= data >= 0x80
    leads = np.flatnonzero(data >= 0xC2)  # first bytes of the non-ASCII characters
    padded = np.concatenate([data, np.zeros(2, np.uint8)]).astype(np.uint32)
    codes = padded[leads] << 16 | padded[leads + 1] << 8 | padded[leads + 2]
    two_bytes = padded[leads] < 0xE0
    codes[two_bytes] &= 0xFFFF00
    separators = leads[np.isin(codes, _SEPARATOR_CODES)]
    sizes = np.where(data[separators] < 0xE0, 2, 3)
    in_word[np.repeat(separators, sizes) + group_ranks(sizes)] = False
    return in_word


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Flag the first of each run of equal values in a sorted array."""
    flags = np.ones(len(ordered), dtype=np.bool_)
    flags[1:] = ordered[1:] != ordered[:-1]
    return flags


def group_ranks(sizes: np.ndarray) -> np.ndarray:
    """Number the items of consecutive groups of the given sizes 0, 1, ... within each."""
    return np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _hash_words(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    # Every byte offset read as a little-endian u64: one gather fetches a word's 8 bytes.
    eights = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    lengths = ends - starts
    first = eights[starts] & _LOW_BYTES[np.minimum(lengths, 8)]
    last = first.copy()
    long = np.flatnonzero(lengths > 8)
    last[long] = eights[ends[long] - 8]
    with np.errstate(over="ignore"):
        return _finalise(first * _WORD_MULTIPLIER + last + lengths.astype(np.uint64))


def shingle_hashes(words: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the hash of every word n-gram within a text, and the number of n-grams of each."""
    n = SHINGLE_WORDS
    windows = max(len(words) - n + 1, 0)
    combined = words[:windows].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            combined *= _SHINGLE_MULTIPLIER
            combined += words[k : k + windows]
    text = np.repeat(np.arange(len(counts)), counts)
    inside = text[:windows] == text[n - 1 :]
    return combined[inside], np.maximum(counts - n + 1, 0)


def map_batches(docs: pl.DataFrame, step: Callable[[pl.DataFrame], T]) -> list[T]:
    """Apply `step` to slices of the docs small enough to stay in cache, on every core."""
    slices = [docs.slice(start, BATCH_DOCS) for start in range(0, len(docs), BATCH_DOCS)]
    # numpy and polars release the GIL, so threads share the work of the batches.
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        return list(pool.map(step, slices))


def _batch_shingle_sets(batch: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    shingles, counts = shingle_hashes(*word_hashes(batch["abstract"]))
    text = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
    # 40 bits of shingle hash: two distinct shingles of a pair collide with odds 1e-8.
    keys = np.sort(text << _SHINGLE_BITS | shingles >> np.uint64(64 - 40))
    keys = keys[run_starts(keys)]  # np.unique is 100x slower
    return np.bincount(keys >> _SHINGLE_BITS, minlength=len(counts)), keys & _SHINGLE_MASK


def jaccard(docs: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Return the exact Jaccard similarity of the shingle sets of each pair (`a`, `b`)."""
    ends = pl.concat([pairs["a"], pairs["b"]]).implode()
    involved = docs.filter(pl.col("node").is_in(ends)).sort("node")
    parts = map_batches(involved, _batch_shingle_sets)
    sizes = np.concatenate([np.zeros(0, np.intp)] + [counts for counts, _ in parts])
    values = np.concatenate([np.zeros(0, np.uint64)] + [keys for _, keys in parts])
    starts = np.concatenate([[0], np.cumsum(sizes)])
    nodes = involved["node"].to_numpy()
    a = np.searchsorted(nodes, pairs["a"].to_numpy())
    b = np.searchsorted(nodes, pairs["b"].to_numpy())
    shared = np.zeros(len(pairs), dtype=np.intp)
    for lo in range(0, len(pairs), _PAIR_CHUNK):
        chunk = slice(lo, lo + _PAIR_CHUNK)
        shared[chunk] = _shared_counts(a[chunk], b[chunk], starts, values)
    union = sizes[a] + sizes[b] - shared
    similarity = shared / np.maximum(union, 1)
    return pairs.select("a", "b").with_columns(similarity=pl.Series(similarity))


def _shared_counts(
    a: np.ndarray, b: np.ndarray, starts: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Count the shingles each pair shares, merging the two sides tagged with their pair."""
    pair = np.arange(len(a), dtype=np.uint64) << _SHINGLE_BITS
    left, right = _tagged(a, pair, starts, values), _tagged(b, pair, starts, values)
    if len(left) == 0:
        return np.zeros(len(a), dtype=np.intp)
    # Each side is sorted (by pair, then shingle), so searchsorted is a linear merge.
    found = left[np.minimum(np.searchsorted(left, right), len(left) - 1)]
    shared = right[found == right] >> _SHINGLE_BITS
    return np.bincount(shared.astype(np.intp), minlength=len(a))


def _tagged(
    texts: np.ndarray, pair: np.ndarray, starts: np.ndarray, values: np.ndarray
) -> np.ndarray:
    sizes = starts[texts + 1] - starts[texts]
    positions = np.repeat(starts[texts], sizes) + group_ranks(sizes)
    return np.repeat(pair, sizes) | values[positions]
