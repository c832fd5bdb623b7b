"""Find a vocabulary's words and word pairs in a column of texts, in one compiled pass.

`paperset.topics.words` defines the words and their hashes in numpy passes; training reads
spellings from it. Classifying ~800k papers that way costs ~11 s of CPU: a dozen passes over
every byte and word, and a lookup of every word and pair in a 4M-slot table that does not
fit in cache. This module finds the same terms in one pass over the UTF-8 bytes, compiled
by numba: each byte is read once, a word is hashed as it ends, and a bitmap of the table's
occupied slots (512 KiB, in cache) turns away ~99% of lookups before they reach the table.
The result is the same arrays, in the same order (a property test holds them equal).
"""

from __future__ import annotations

import numpy as np

from paperset.compiled import kernel
from paperset.topics.words import (
    _FINAL_MIX,
    _LENGTH_MIX,
    _PAIR_MIX,
    _TAIL_MIX,
    WORD_BYTES,
    is_word_byte,
)

_WORD_BYTE = is_word_byte(np.arange(256, dtype=np.uint8))
_HALF = WORD_BYTES // 2


def occupied_slots(slots: np.ndarray, table_bits: int) -> np.ndarray:
    """A bitmap of the table's slots that hold a term, 64 slots a word."""
    bitmap = np.zeros(max(1, (1 << table_bits) // 64), dtype=np.uint64)
    words, bits = slots >> 6, (slots & 63).astype(np.uint64)
    np.bitwise_or.at(bitmap, words, np.uint64(1) << bits)
    return bitmap


@kernel
def _lookup(
    hashed: np.uint64,
    shift: np.uint64,
    bitmap: np.ndarray,
    table: np.ndarray,
    checks: np.ndarray,
) -> int:
    """The term index of a hash, or -1."""
    slot = hashed >> shift
    if not (bitmap[slot >> np.uint64(6)] >> (slot & np.uint64(63))) & np.uint64(1):
        return -1
    term = table[slot]
    return int(term) if checks[term] == hashed else -1


@kernel
def scan_terms(
    data: np.ndarray,
    offsets: np.ndarray,
    table: np.ndarray,
    checks: np.ndarray,
    bitmap: np.ndarray,
    table_bits: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the row and term of each word that is a term, of each pair that is one, and the
    number of words of each text; rows in order, and within a row the text's order."""
    n_texts = len(offsets) - 1
    capacity = (offsets[-1] - offsets[0]) // 2 + n_texts + 1  # (n + 1) // 2 words a text
    word_row = np.empty(capacity, np.int64)
    word_term = np.empty(capacity, np.int64)
    pair_row = np.empty(capacity, np.int64)
    pair_term = np.empty(capacity, np.int64)
    counts = np.zeros(n_texts, np.int64)
    shift = np.uint64(64 - table_bits)
    n_words = n_pairs = 0
    for row in range(n_texts):
        previous = np.uint64(0)
        length = 0
        head = tail = np.uint64(0)
        end = offsets[row + 1]
        for at in range(offsets[row], end + 1):
            byte = data[at] if at < end else np.uint8(0)
            if _WORD_BYTE[byte]:
                lower = np.uint64(byte | np.uint8(0x20))
                if length < _HALF:
                    head |= lower << np.uint64(8 * length)
                elif length < WORD_BYTES:
                    tail |= lower << np.uint64(8 * (length - _HALF))
                length += 1
                continue
            if length == 0:
                continue
            hashed = head * _TAIL_MIX
            hashed ^= tail
            hashed += np.uint64(length) * _LENGTH_MIX
            hashed *= _FINAL_MIX
            hashed ^= hashed >> np.uint64(29)
            hashed *= _TAIL_MIX
            term = _lookup(hashed, shift, bitmap, table, checks)
            if term >= 0:
                word_row[n_words], word_term[n_words] = row, term
                n_words += 1
            if counts[row] > 0:
                term = _lookup(previous * _PAIR_MIX ^ hashed, shift, bitmap, table, checks)
                if term >= 0:
                    pair_row[n_pairs], pair_term[n_pairs] = row, term
                    n_pairs += 1
            counts[row] += 1
            previous = hashed
            length = 0
            head = tail = np.uint64(0)
    return (
        word_row[:n_words].copy(),
        word_term[:n_words].copy(),
        pair_row[:n_pairs].copy(),
        pair_term[:n_pairs].copy(),
        counts,
    )
