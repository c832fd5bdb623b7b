"""The per-byte and per-shingle loops of the MinHash, compiled by numba.

`paperset.dedup.shingles` defines a word and its hash; here the same hashes come from one pass
over the lowercased UTF-8 bytes instead of a dozen numpy passes (byte flags, separator
lookups, bounds, gathers), and each text's min-hashes from its own shingles, which stay in
cache across the permutations, instead of one pass over a whole batch per permutation.
Property tests hold both equal to their numpy definitions.
"""

from __future__ import annotations

import numpy as np

from paperset.compiled import kernel
from paperset.hashing import finalise_one

_WORD_MULTIPLIER = np.uint64(0x9E3779B97F4A7C14)


# What a byte of lowercased UTF-8 is: 0 not in a word, 1 in a word, 2 in a word unless it
# leads a separator (only the leads of the separators' characters need the lookup).
_KIND = np.zeros(256, dtype=np.uint8)
_KIND[ord("a") : ord("z") + 1] = _KIND[ord("0") : ord("9") + 1] = _KIND[0x80:] = 1
_KIND[[0xC2, 0xE2]] = 2


@kernel(inline=True)
def _separator_size(data: np.ndarray, at: int, end: int, separators: np.ndarray) -> int:
    """The byte length of the separator character at `at`, or 0 if none starts there."""
    lead = data[at]
    second = np.uint32(data[at + 1]) if at + 1 < end else np.uint32(0)
    code = np.uint32(lead) << np.uint32(16) | second << np.uint32(8)
    if lead >= 0xE0 and at + 2 < end:
        code |= np.uint32(data[at + 2])
    found = np.searchsorted(separators, code)
    if found < len(separators) and separators[found] == code:
        return 2 if lead < 0xE0 else 3
    return 0


@kernel(inline=True)
def _word_hash(data: np.ndarray, start: int, end: int) -> np.uint64:
    """Hash the word `data[start:end]` from its length and its first and last 8 bytes."""
    length = end - start
    first = np.uint64(0)
    for k in range(min(length, 8)):
        first |= np.uint64(data[start + k]) << np.uint64(8 * k)
    last = first
    if length > 8:
        last = np.uint64(0)
        for k in range(8):
            last |= np.uint64(data[end - 8 + k]) << np.uint64(8 * k)
    return finalise_one(first * _WORD_MULTIPLIER + last + np.uint64(length))


@kernel
def word_hashes(
    data: np.ndarray, offsets: np.ndarray, separators: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every word of each lowercased text (from its byte length and its first and last
    8 bytes) and count each text's words. A word is a run of ASCII letters and digits and
    non-ASCII characters other than the `separators` (UTF-8 codes, sorted)."""
    n_texts = len(offsets) - 1
    # A text of n bytes holds at most (n + 1) // 2 words.
    hashes = np.empty((offsets[-1] - offsets[0]) // 2 + n_texts + 1, np.uint64)
    counts = np.zeros(n_texts, np.int64)
    n_words = 0
    for row in range(n_texts):
        at, end = offsets[row], offsets[row + 1]
        before = n_words
        start = -1
        while at < end:
            kind = _KIND[data[at]]
            size = 1
            if kind == 2:
                size = max(_separator_size(data, at, end, separators), 1)
                kind = 1 if size == 1 else 0
            if kind == 1:
                if start < 0:
                    start = at
            elif start >= 0:
                hashes[n_words] = _word_hash(data, start, at)
                n_words += 1
                start = -1
            at += size
        if start >= 0:
            hashes[n_words] = _word_hash(data, start, end)
            n_words += 1
        counts[row] = n_words - before
    return hashes[:n_words].copy(), counts


@kernel
def min_hashes(
    values: np.ndarray, counts: np.ndarray, multiply: np.ndarray, add: np.ndarray
) -> np.ndarray:
    """Return each text's minimum of `multiply * value + add` (u32) over its values, for each
    permutation; a text with no values gets the maximum. The permutations are the inner
    loop, so each value is read once and the compiler runs them in SIMD lanes."""
    signatures = np.empty((len(counts), len(multiply)), dtype=np.uint32)
    lowest = np.empty(len(multiply), dtype=np.uint32)
    start = 0
    for row in range(len(counts)):
        lowest[:] = np.uint32(0xFFFFFFFF)
        for at in range(start, start + counts[row]):
            value = values[at]
            for k in range(len(multiply)):
                permuted = np.uint32(value * multiply[k] + add[k])
                if permuted < lowest[k]:  # noqa: PLR1730 (min() on numba u32 is 2x slower)
                    lowest[k] = permuted
        signatures[row] = lowest
        start += counts[row]
    return signatures


@kernel
def shared_counts(
    a: np.ndarray, b: np.ndarray, starts: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Count the values each pair of sets (`a[i]`, `b[i]`) shares. Set `k` is
    `values[starts[k]:starts[k + 1]]`, sorted and distinct: one merge walk a pair."""
    counts = np.zeros(len(a), dtype=np.intp)
    for pair in range(len(a)):
        i, i_end = starts[a[pair]], starts[a[pair] + 1]
        j, j_end = starts[b[pair]], starts[b[pair] + 1]
        shared = 0
        while i < i_end and j < j_end:
            left, right = values[i], values[j]
            shared += left == right
            i += left <= right
            j += right <= left
        counts[pair] = shared
    return counts


@kernel
def agreeing(sketches: np.ndarray, a: np.ndarray, b: np.ndarray, least: int) -> np.ndarray:
    """Whether the sketches of each pair (rows `a[i]`, `b[i]`) agree at `least` positions."""
    keep = np.zeros(len(a), dtype=np.bool_)
    for pair in range(len(a)):
        left, right = sketches[a[pair]], sketches[b[pair]]
        same = 0
        for k in range(sketches.shape[1]):
            same += left[k] == right[k]
        keep[pair] = same >= least
    return keep
