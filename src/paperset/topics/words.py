"""Words and word pairs of a text column as stable 64-bit hashes, in numpy over Arrow buffers.

A word is a maximal run of ASCII letters and digits, lower-cased; everything else separates
words (so `KV-cache` is `kv`, `cache`, and `Schrödinger` is `schr`, `dinger`). A word hashes
from its length and its first 16 bytes, so two words longer than 16 bytes that share their
first 16 and their length hash alike: rare, and the vocabulary keeps one of them. A pair is
two consecutive words of one text. The hashes never change across versions or machines
(polars' own `hash` may), so a trained vocabulary stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from paperset.hashing import _string_buffers

WORD_BYTES = 16
# For a word of k bytes (k <= 16), _HEAD_MASKS[k] keeps those of its first 8 bytes, and
# _TAIL_MASKS[k] those of its next 8, of a little-endian 8-byte read.
_HEAD_MASKS = np.array([(1 << (8 * min(k, 8))) - 1 for k in range(17)], dtype=np.uint64)
_TAIL_MASKS = np.array([(1 << (8 * max(k - 8, 0))) - 1 for k in range(17)], dtype=np.uint64)
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)
_TAIL_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
_FINAL_MIX = np.uint64(0xBF58476D1CE4E5B9)
_PAIR_MIX = np.uint64(0xD6E8FEB86659FD93)


@dataclass(frozen=True)
class Words:
    """The words of a text column, in order: the row each is in, its hash, where it is."""

    row: np.ndarray  # int64, row of the text in its column
    hash: np.ndarray  # uint64
    start: np.ndarray  # int64, byte offset in `text`
    length: np.ndarray  # int64, bytes
    text: np.ndarray  # uint8, the column's bytes, lower-cased where they are words

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return row, hash and index of the first word of each pair of consecutive words."""
        first = np.flatnonzero(self.row[1:] == self.row[:-1])
        with np.errstate(over="ignore"):
            # Word hashes are mixed already; the odd multiplier keeps (a, b) and (b, a) apart.
            return self.row[first], self.hash[first] * _PAIR_MIX ^ self.hash[first + 1], first

    def spelling(self, index: int) -> str:
        """Return the lower-cased spelling of the word at `index` (for vocabularies)."""
        start, length = int(self.start[index]), int(self.length[index])
        return bytes(self.text[start : start + length]).decode("ascii")


def is_word_byte(data: np.ndarray) -> np.ndarray:
    """Mark the ASCII letters and digits of a byte array."""
    letter = ((data | np.uint8(0x20)) - np.uint8(97)) < 26
    return letter | ((data - np.uint8(48)) < 10)


def word_bounds(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the start and end offsets of every word; no word crosses a text's end."""
    n = len(data)
    word = np.zeros(n + 2, dtype=bool)
    word[1 : n + 1] = is_word_byte(data)
    inside, before, after = word[1 : n + 1], word[:n], word[2:]
    # A text ending in a word and the next starting with one join: cut them at the bound.
    # Flags at each text's first byte keep the offsets in order with no sort.
    bound = np.zeros(n + 1, dtype=bool)
    bound[offsets[1:-1] - offsets[0]] = True
    starts = np.flatnonzero(inside & (~before | bound[:n]))
    ends = np.flatnonzero(inside & (~after | bound[1:])) + 1
    return starts, ends


def _read_bytes(padded: np.ndarray, at: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Read 8 bytes from each of `at` as one little-endian word, keeping `masks`."""
    view = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    read = view[at]
    read &= masks
    return read


def hash_words(padded: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Hash each word from its length and its first 16 bytes, lower-cased.

    One multiply-xorshift round, not a full finaliser: the lookup table takes the top bits,
    and multiplying by odd constants carries every byte up to them.
    """
    capped = np.minimum(lengths, 16)
    head = _read_bytes(padded, starts, _HEAD_MASKS[capped])
    tail = _read_bytes(padded, starts + 8, _TAIL_MASKS[capped])
    with np.errstate(over="ignore"):
        head *= _TAIL_MIX
        head ^= tail
        head += lengths.astype(np.uint64) * _LENGTH_MIX
        head *= _FINAL_MIX
        head ^= head >> np.uint64(29)
        head *= _TAIL_MIX
    return head


def split_words(texts: pl.Series) -> Words:
    """Split every text of a column into words (null texts have none)."""
    offsets, data = _string_buffers(texts)
    base = int(offsets[0])
    body = data[base : int(offsets[-1])]
    starts, ends = word_bounds(body, offsets)
    # Lower-cased as it is copied: ASCII letters have 0x20 set in lower case, digits have it
    # already, and the other bytes are never read as part of a word.
    padded = np.zeros(len(body) + 2 * WORD_BYTES, dtype=np.uint8)
    np.bitwise_or(body, np.uint8(0x20), out=padded[: len(body)])
    lengths = ends - starts
    per_text = np.diff(np.searchsorted(starts, offsets - base))
    row = np.repeat(np.arange(len(per_text), dtype=np.int64), per_text)
    return Words(row, hash_words(padded, starts, lengths), starts, lengths, padded)


def hash_terms(terms: list[str]) -> np.ndarray:
    """Hash vocabulary terms (`word` or `word word`) as `split_words` and `pairs` hash them."""
    words = split_words(pl.Series(terms, dtype=pl.String))
    counts = np.bincount(words.row, minlength=len(terms))
    first = np.searchsorted(words.row, np.arange(len(terms)))
    hashes = np.zeros(len(terms), dtype=np.uint64)
    single = counts == 1
    hashes[single] = words.hash[first[single]]
    pair_rows, pair_hashes, _ = words.pairs()
    hashes[pair_rows] = pair_hashes
    return hashes
