"""Stable 64-bit string hashes, vectorised with numpy over Arrow buffers.

Polars' own `hash` may change between versions; persisted ids and band hashes must not.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pyarrow as pa

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


CHUNK_BYTES = 1 << 23


def stable_hash(strings: pl.Series, seed: int = 0) -> pl.Series:
    """Hash each string to a UInt64 that never changes across versions or machines.

    A polynomial hash of the UTF-8 bytes, mixed with the length and a seed, then
    finalised; null hashes like the empty string. Works through the strings in chunks
    of about 8 MiB, so memory stays bounded however long the column is.
    """
    offsets, data = _string_buffers(strings)
    lengths = np.diff(offsets)
    sums = np.zeros(len(lengths), dtype=np.uint64)
    powers = _powers(int(lengths.max()) if len(lengths) else 1)
    bounds = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], CHUNK_BYTES), side="right")
    edges = np.unique(np.concatenate([[0], np.maximum(bounds - 1, 0), [len(lengths)]]))
    for first, last in itertools.pairwise(edges):
        sums[first:last] = _polynomial_sums(offsets[first : last + 1], data, powers)
    mixed = sums ^ _finalise(lengths.astype(np.uint64) + np.uint64(seed))
    return pl.Series(strings.name, _finalise(mixed), dtype=pl.UInt64)


def _polynomial_sums(offsets: np.ndarray, data: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Sum byte * multiplier**position per string, for the strings `offsets` delimit."""
    lengths = np.diff(offsets)
    sums = np.zeros(len(lengths), dtype=np.uint64)
    n_bytes = int(offsets[-1] - offsets[0])
    if n_bytes == 0:
        return sums
    position = np.arange(n_bytes, dtype=np.int64) - np.repeat(offsets[:-1] - offsets[0], lengths)
    terms = data[offsets[0] : offsets[-1]].astype(np.uint64) * powers[position]
    nonempty = lengths > 0
    sums[nonempty] = np.add.reduceat(terms, offsets[:-1][nonempty] - offsets[0])
    return sums


def _powers(n: int) -> np.ndarray:
    powers = np.full(max(n, 1), _MULTIPLIER, dtype=np.uint64)
    powers[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(powers, dtype=np.uint64)


def hex_digest(hashes: pl.Series) -> pl.Series:
    """Format UInt64 hashes as 16 lowercase hex digits."""
    big_endian = hashes.to_numpy().astype(">u8")
    binary = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(8), len(big_endian), [None, pa.py_buffer(big_endian.tobytes())]
    )
    return pl.Series(hashes.name, binary).cast(pl.Binary).bin.encode("hex")
