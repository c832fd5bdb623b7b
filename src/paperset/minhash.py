"""Near-duplicate abstracts: MinHash LSH over word 5-gram shingles, verified by exact Jaccard.

Parameters, and why:

- Shingles are word 5-grams of the lowercased text with punctuation removed (the anchor of
  text-dedup and datatrove), so case, punctuation and spacing variants have Jaccard 1. On a
  150-word abstract (146 shingles) one edited word replaces up to 5 shingles: Jaccard 0.93
  for one word, 0.81 for three; a rewritten 25-word sentence replaces ~29: Jaccard 0.67
  (0.54 on a 100-word abstract). Distinct papers, even on one topic, share a few stock
  phrases at most: Jaccard below 0.05.
- Verification threshold: Jaccard >= 0.5, not the field's 0.8. Web dedup at 0.8 removes
  templated pages; here a revised sentence is the same paper and must merge. The gap between
  0.05 and 0.5 leaves a wide margin against false merges.
- 16 bands of 2 rows (32 MinHash permutations). A pair is a candidate with probability
  1 - (1 - J^2)^16: 0.15 at J=0.1, 0.48 at 0.2, 0.94 at 0.4, 0.990 at 0.5, 0.9992 at 0.6,
  0.99998 at 0.7, >0.999999 at 0.8. Recall is set by the 0.5 verification, not by the
  banding; false candidates only cost verification time.
- Abstracts under 30 words get no band hashes and never pair: below that one revised clause
  already moves Jaccard past any threshold, and such texts are mostly formulaic notices
  ("This paper has been withdrawn...") that are alike across different papers.
- A bucket (band, hash) holding more than 100 texts is boilerplate; it is dropped rather than
  expanded into ~5,000 candidate pairs. True near duplicates share other bands.

Identical abstracts are collapsed first (Jaccard 1 needs no estimate), so the MinHash and the
verification work on distinct texts only. Permutation constants come from a fixed splitmix64
seed and every hash is plain integer arithmetic, so band hashes are the same on every run and
every machine and can be persisted; the pairs do not depend on the order of the rows.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import polars as pl

from paperset.hashing import _finalise
from paperset.shingles import (
    SHINGLE_WORDS,
    group_ranks,
    jaccard,
    map_batches,
    run_starts,
    shingle_hashes,
    word_hashes,
)

BANDS = 24
ROWS = 3
THRESHOLD = 0.5
MIN_WORDS = 30
MAX_BUCKET = 100
_SEED = 0x5EED_D0C5
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
PAIR_SCHEMA = pl.Schema({"a": pl.UInt32, "b": pl.UInt32, "similarity": pl.Float64})
BAND_SCHEMA = pl.Schema({"node": pl.UInt32, "band": pl.UInt8, "hash": pl.UInt64})


def _constants(count: int, stream: int) -> np.ndarray:
    """Draw `count` fixed pseudo-random u64 (a splitmix64 sequence, same on every numpy)."""
    steps = np.arange(1, count + 1, dtype=np.uint64) + np.uint64(stream << 32)
    with np.errstate(over="ignore"):
        return _finalise(steps * _GOLDEN + np.uint64(_SEED))


_MULTIPLY = (_constants(BANDS * ROWS, 1) | np.uint64(1)).astype(np.uint32)
_ADD = _constants(BANDS * ROWS, 2).astype(np.uint32)
_BAND_SALT = _constants(BANDS, 3)


def _signatures(shingles: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the min-hash of each text under each permutation, shape (texts, permutations)."""
    # Odd multipliers make x -> a*x + b a permutation of u32; 32 bits keep the numpy work SIMD.
    values = (shingles >> np.uint64(32)).astype(np.uint32)
    starts = np.cumsum(counts) - counts
    signatures = np.empty((len(counts), len(_MULTIPLY)), dtype=np.uint32)
    permuted = np.empty_like(values)
    for k, (multiply, add) in enumerate(zip(_MULTIPLY, _ADD, strict=True)):
        np.multiply(values, multiply, out=permuted)
        permuted += add
        signatures[:, k] = np.minimum.reduceat(permuted, starts)
    return signatures


def _bands(signatures: np.ndarray) -> np.ndarray:
    """Hash each band of ROWS min-hashes to one u64, shape (texts, BANDS)."""
    rows = signatures.reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    hashes = np.broadcast_to(_BAND_SALT, rows.shape[:2])
    for row in range(ROWS):
        hashes = _finalise(hashes ^ rows[:, :, row])
    return hashes


def _batch_band_hashes(batch: pl.DataFrame, min_words: int) -> pl.DataFrame:
    words, counts = word_hashes(batch["abstract"])
    long_enough = counts >= min_words
    if not long_enough.any():
        return pl.DataFrame(schema=BAND_SCHEMA)
    words = words[np.repeat(long_enough, counts)]
    shingles, shingle_counts = shingle_hashes(words, counts[long_enough])
    hashes = _bands(_signatures(shingles, shingle_counts))
    nodes = batch["node"].to_numpy()[long_enough]
    return pl.DataFrame(
        {
            "node": np.repeat(nodes, BANDS),
            "band": np.tile(np.arange(BANDS, dtype=np.uint8), len(nodes)),
            "hash": hashes.ravel(),
        },
        schema=BAND_SCHEMA,
    )


def band_hashes(docs: pl.DataFrame, *, min_words: int = MIN_WORDS) -> pl.DataFrame:
    """Return the LSH band hashes of each long-enough abstract: `node`, `band`, `hash`."""
    if min_words < SHINGLE_WORDS:
        raise ValueError(f"min_words must be at least {SHINGLE_WORDS}, got {min_words}")
    parts = map_batches(docs, partial(_batch_band_hashes, min_words=min_words))
    return pl.concat([pl.DataFrame(schema=BAND_SCHEMA), *parts])


def candidate_pairs(bands: pl.DataFrame, *, max_bucket: int = MAX_BUCKET) -> pl.DataFrame:
    """Pair the nodes that share a band hash (`a` < `b`), skipping buckets over `max_bucket`.

    Band hashes are salted with their band, so equal hashes mean the same band bucket.
    """
    # numpy sorts find the repeated hashes and pairs ~10x faster than polars group-bys here.
    ordered = np.sort(bands["hash"].to_numpy())
    repeated = pl.Series(ordered[1:][ordered[1:] == ordered[:-1]]).implode()
    shared = bands.filter(pl.col("hash").is_in(repeated)).sort("hash", "node")
    hashes, nodes = shared["hash"].to_numpy(), shared["node"].to_numpy()
    starts = np.flatnonzero(run_starts(hashes))
    sizes = np.diff(np.append(starts, len(hashes)))
    sizes_at = np.repeat(np.where(sizes <= max_bucket, sizes, 0), sizes)
    later = np.maximum(sizes_at - 1 - group_ranks(sizes), 0)  # members after each in its bucket
    left = np.repeat(np.arange(len(nodes)), later)
    right = left + 1 + group_ranks(later)
    keys = np.sort(nodes[left].astype(np.uint64) << np.uint64(32) | nodes[right])
    keys = keys[run_starts(keys)]
    return pl.DataFrame({"a": keys >> np.uint64(32), "b": keys & np.uint64(0xFFFFFFFF)}).cast(
        pl.UInt32
    )


def near_duplicate_pairs(
    docs: pl.DataFrame,
    *,
    threshold: float = THRESHOLD,
    min_words: int = MIN_WORDS,
    max_bucket: int = MAX_BUCKET,
) -> pl.DataFrame:
    """Return every pair of abstracts whose shingle Jaccard is at least `threshold`.

    `docs` holds `node` (UInt32, unique) and `abstract`; the result holds `a` < `b` and
    `similarity`, sorted. Pairs come from shared LSH buckets, so a pair just above the
    threshold is found with probability 0.99 (see the module docstring).
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    texts = docs.select("node", rep=pl.col("node").min().over("abstract"))
    distinct = docs.join(texts.filter(pl.col("node") == pl.col("rep")), on="node", how="semi")
    bands = band_hashes(distinct, min_words=min_words)
    similar = jaccard(distinct, candidate_pairs(bands, max_bucket=max_bucket))
    texts = texts.join(bands.select("node").unique(), left_on="rep", right_on="node", how="semi")
    pairs = pl.concat(
        [_identical(texts), _expand(similar.filter(pl.col("similarity") >= threshold), texts)]
    )
    return pairs.cast(PAIR_SCHEMA).sort("a", "b")


def _identical(texts: pl.DataFrame) -> pl.DataFrame:
    """Pair the nodes that carry the same abstract text."""
    return (
        texts.join(texts, on="rep", suffix="_b")
        .filter(pl.col("node") < pl.col("node_b"))
        .select(a="node", b="node_b", similarity=pl.lit(1.0))
    )


def _expand(similar: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """Turn pairs of distinct texts into pairs of every node carrying them."""
    ends = similar.join(texts, left_on="a", right_on="rep").join(
        texts, left_on="b", right_on="rep", suffix="_b"
    )
    return ends.select(
        a=pl.min_horizontal("node", "node_b"),
        b=pl.max_horizontal("node", "node_b"),
        similarity="similarity",
    )
