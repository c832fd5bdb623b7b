"""Word 5-gram shingles of abstracts, hashed stably, computed on the UTF-8 bytes.

A word is a run of letters and digits of the lowercased text. ASCII punctuation and common
Unicode punctuation (dashes, curly quotes, ellipsis, no-break space) separate words and are
dropped, so case, punctuation and spacing variants of a text have the same shingles. Polars'
regex tokenisers cost ~12 µs per abstract; numpy passes over its bytes ~7 µs; one compiled
pass (`paperset.dedup.scan`) ~3 µs.

A word is identified by its byte length and its first and last 8 bytes (exact for words of
up to 16 bytes, i.e. nearly all), a shingle by a polynomial of its word hashes. Both are
plain integer arithmetic on the bytes, the same on every library version and machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from paperset.dedup import scan
from paperset.hashing import _string_buffers
from paperset.threads import parallel_map

SHINGLE_WORDS = 5
BATCH_DOCS = 2048  # ~3 MB of text: the byte arrays of a batch stay in cache
_SHINGLE_BITS = np.uint64(40)
_SHINGLE_MASK = np.uint64((1 << 40) - 1)
_PAIR_CHUNK = 1 << 13  # pairs counted by one task
_SEPARATORS = [0xA0, 0xAB, 0xB7, 0xBB, *range(0x2010, 0x2028), *range(0x2030, 0x203B), 0x2212]
# Each separator's UTF-8 bytes as a big-endian 3-byte code, to match at a lead byte.
_SEPARATOR_CODES = np.array(
    sorted(int.from_bytes(chr(c).encode().ljust(3, b"\0")) for c in _SEPARATORS), np.uint32
)
_SHINGLE_MULTIPLIER = np.uint64(0xD6E8FEB86659FD93)


def word_hashes(abstract: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return the hash of every word, concatenated, and the number of words of each text."""
    offsets, data = _string_buffers(abstract.str.to_lowercase())
    return scan.word_hashes(data, offsets, _SEPARATOR_CODES)


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Flag the first of each run of equal values in a sorted array."""
    flags = np.ones(len(ordered), dtype=np.bool_)
    flags[1:] = ordered[1:] != ordered[:-1]
    return flags


def group_ranks(sizes: np.ndarray) -> np.ndarray:
    """Number the items of consecutive groups of the given sizes 0, 1, ... within each."""
    return np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)


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


def doc_batches(docs: pl.DataFrame) -> list[pl.DataFrame]:
    """Slice the docs into batches small enough for their byte arrays to stay in cache."""
    return [docs.slice(start, BATCH_DOCS) for start in range(0, len(docs), BATCH_DOCS)]


@dataclass(frozen=True)
class ShingleSets:
    """The distinct shingles of each doc, sorted: doc `i` has `values[starts[i]:starts[i+1]]`."""

    nodes: np.ndarray
    starts: np.ndarray
    values: np.ndarray

    def positions(self, nodes: pl.Series) -> np.ndarray:
        """Return the position of each node's set, refusing nodes without one."""
        return positions_in(self.nodes, nodes)


def positions_in(ordered: np.ndarray, nodes: pl.Series) -> np.ndarray:
    """Return the position of each of `nodes` in the sorted `ordered`, refusing any not in it
    (compiled loops index with them unchecked)."""
    wanted = nodes.to_numpy()
    found = np.searchsorted(ordered, wanted)
    if not (found < len(ordered)).all() or (ordered[found] != wanted).any():
        raise ValueError("pairs name nodes that are not in docs")
    return found


def shingle_sets(docs: pl.DataFrame) -> ShingleSets:
    """Return the distinct shingles of each doc, keyed by 40 bits of their hash."""
    docs = docs.sort("node")
    parts = parallel_map(_batch_shingle_sets, doc_batches(docs))
    sizes = np.concatenate([np.zeros(0, np.intp)] + [counts for counts, _ in parts])
    values = np.concatenate([np.zeros(0, np.uint64)] + [keys for _, keys in parts])
    return ShingleSets(docs["node"].to_numpy(), np.append(0, np.cumsum(sizes)), values)


def _batch_shingle_sets(batch: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the number of distinct shingles of each doc and the shingles, doc by doc."""
    shingles, counts = shingle_hashes(*word_hashes(batch["abstract"]))
    text = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
    # 40 bits of shingle hash: two distinct shingles of a pair collide with odds 1e-8.
    keys = np.sort(text << _SHINGLE_BITS | shingles >> np.uint64(64 - 40))
    keys = keys[run_starts(keys)]  # np.unique is 100x slower
    texts = (keys >> _SHINGLE_BITS).astype(np.intp)
    return np.bincount(texts, minlength=len(counts)), keys & _SHINGLE_MASK


def jaccard(docs: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Return the exact Jaccard similarity of the shingle sets of each pair (`a`, `b`)."""
    ends = pl.concat([pairs["a"], pairs["b"]]).implode()
    sets = shingle_sets(docs.filter(pl.col("node").is_in(ends)))
    a, b = sets.positions(pairs["a"]), sets.positions(pairs["b"])
    chunks = [slice(lo, lo + _PAIR_CHUNK) for lo in range(0, len(pairs), _PAIR_CHUNK)]
    counts = parallel_map(
        lambda c: scan.shared_counts(a[c], b[c], sets.starts, sets.values), chunks
    )
    shared = np.concatenate([np.zeros(0, np.intp), *counts])
    sizes = np.diff(sets.starts)
    similarity = shared / np.maximum(sizes[a] + sizes[b] - shared, 1)
    return pairs.select("a", "b").with_columns(similarity=pl.Series(similarity))
