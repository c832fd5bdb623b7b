"""Stable 64-bit string hashes, vectorised with numpy over Arrow buffers.

Polars' own `hash` may change between versions; persisted ids and band hashes must not.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pyarrow as pa

from paperset.threads import parallel_map

_MULTIPLIER = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def _finalise(values: np.ndarray) -> np.ndarray:
    """Scramble all bits of each value (the splitmix64 finaliser)."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX_1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX_2
    return values ^ (values >> np.uint64(31))


def _string_buffers(strings: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    array = strings.cast(pl.String).fill_null("").to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    _, offsets, data = array.buffers()
    start = array.offset
    offset_view = np.frombuffer(offsets, dtype=np.int64)[start : start + len(array) + 1]
    data_view = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return offset_view, data_view


CHUNK_BYTES = 1 << 20


def stable_hash(strings: pl.Series, seed: int = 0) -> pl.Series:
    """Hash each string to a UInt64 that never changes across versions or machines.

    A polynomial hash of the UTF-8 bytes, mixed with the length and a seed, then
    finalised; null hashes like the empty string. Works through the strings in chunks
    of about 1 MiB, so memory stays bounded however long the column is.
    """
    offsets, data = _string_buffers(strings)
    lengths = np.diff(offsets)
    bounds = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], CHUNK_BYTES), side="right")
    edges = np.unique(np.concatenate([[0], np.maximum(bounds - 1, 0), [len(lengths)]]))
    chunks = parallel_map(
        lambda ends: _polynomial_sums(offsets[ends[0] : ends[1] + 1], data),
        itertools.pairwise(edges),
    )
    sums = np.concatenate([np.zeros(0, dtype=np.uint64), *chunks])
    mixed = sums ^ _finalise(lengths.astype(np.uint64) + np.uint64(seed))
    return pl.Series(strings.name, _finalise(mixed), dtype=pl.UInt64)


def _polynomial_sums(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Sum byte * multiplier**(position in its string) per string, for the strings
    `offsets` delimit.

    In one pass over the bytes: prefix sums of byte * multiplier**(position in the chunk);
    each string's difference of two of them is brought back to its own first byte by the
    inverse power (the multiplier is odd, so invertible modulo 2**64).
    """
    starts = offsets[:-1] - offsets[0]
    n_bytes = int(offsets[-1] - offsets[0])
    if n_bytes == 0:
        return np.zeros(len(starts), dtype=np.uint64)
    prefix = np.zeros(n_bytes + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.multiply(data[offsets[0] : offsets[-1]], _POWERS.up_to(n_bytes), out=prefix[1:])
        np.cumsum(prefix, out=prefix)
        between = prefix[offsets[1:] - offsets[0]] - prefix[starts]
        return between * _INVERSE_POWERS.up_to(n_bytes + 1)[starts]


class _PowerTable:
    """base**0, base**1, ... modulo 2**64, computed once and grown when a longer run asks."""

    def __init__(self, base: np.uint64) -> None:
        self.base = base
        self.powers = np.ones(1, dtype=np.uint64)

    def up_to(self, n: int) -> np.ndarray:
        """The first `n` powers."""
        powers = self.powers  # read once: another thread may grow the table meanwhile
        if len(powers) < n:
            steps = np.full(max(n, CHUNK_BYTES + 1), self.base, dtype=np.uint64)
            steps[0] = 1
            with np.errstate(over="ignore"):
                powers = np.cumprod(steps, dtype=np.uint64)
            self.powers = powers
        return powers[:n]


_POWERS = _PowerTable(_MULTIPLIER)
_INVERSE_POWERS = _PowerTable(np.uint64(pow(int(_MULTIPLIER), -1, 1 << 64)))


def hex_digest(hashes: pl.Series) -> pl.Series:
    """Format UInt64 hashes as 16 lowercase hex digits."""
    big_endian = hashes.to_numpy().astype(">u8")
    binary = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(8), len(big_endian), [None, pa.py_buffer(big_endian.tobytes())]
    )
    return pl.Series(hashes.name, binary).cast(pl.Binary).bin.encode("hex")
