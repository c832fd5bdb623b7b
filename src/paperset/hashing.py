"""Stable 64-bit string hashes, computed over Arrow buffers with numpy and numba.

Polars' own `hash` may change between versions; persisted ids and band hashes must not.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pyarrow as pa

from paperset.compiled import kernel
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


@kernel(inline=True)
def finalise_one(value: np.uint64) -> np.uint64:
    """`_finalise` of one value, for compiled loops."""
    value ^= value >> np.uint64(30)
    value *= _MIX_1
    value ^= value >> np.uint64(27)
    value *= _MIX_2
    return value ^ (value >> np.uint64(31))


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


CHUNK_BYTES = 1 << 22  # strings are hashed in pieces of about this size, on every core


def stable_hash(strings: pl.Series, seed: int = 0) -> pl.Series:
    """Hash each string to a UInt64 that never changes across versions or machines.

    A polynomial hash of the UTF-8 bytes, mixed with the length and a seed, then
    finalised; null hashes like the empty string.
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


@kernel
def _polynomial_sums(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Sum byte * multiplier**(position in its string), modulo 2**64, per string of those
    `offsets` delimit: one compiled pass over the bytes."""
    sums = np.zeros(len(offsets) - 1, dtype=np.uint64)
    for row in range(len(sums)):
        total, power = np.uint64(0), np.uint64(1)
        for at in range(offsets[row], offsets[row + 1]):
            total += np.uint64(data[at]) * power
            power *= _MULTIPLIER
        sums[row] = total
    return sums


def hex_digest(hashes: pl.Series) -> pl.Series:
    """Format UInt64 hashes as 16 lowercase hex digits."""
    big_endian = hashes.to_numpy().astype(">u8")
    binary = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(8), len(big_endian), [None, pa.py_buffer(big_endian.tobytes())]
    )
    return pl.Series(hashes.name, binary).cast(pl.Binary).bin.encode("hex")
