"""Near-duplicate abstracts: MinHash LSH over word 5-grams, verified by their exact Jaccard.

Parameters, and why:

- Shingles are word 5-grams of the lowercased text with punctuation dropped (the anchor of
  text-dedup and datatrove), so case, punctuation and spacing variants have Jaccard 1. On a
  150-word abstract (146 shingles) an edited word replaces up to 5 shingles: Jaccard 0.93
  for one word, 0.81 for three; a rewritten 25-word sentence replaces ~29: 0.67 (0.54 on a
  100-word abstract, 0.76 on a 220-word one). Distinct papers, even on one topic, share a
  few stock phrases: among the 268 seed abstracts the most similar distinct pair has 0.06.
- Verification threshold: Jaccard >= 0.5, not the field's 0.8. Web dedup at 0.8 removes
  templated pages; here a revised sentence is still the same paper and must merge, and the
  gap between 0.06 and 0.5 leaves a wide margin against false merges.
- 24 bands of 3 rows (72 permutations). A pair becomes a candidate with probability
  1 - (1 - J^3)^24: 0.003 at J=0.05, 0.02 at 0.1, 0.18 at 0.2, 0.80 at 0.4, 0.96 at 0.5,
  0.997 at 0.6, 0.99996 at 0.7, 1 - 3e-8 at 0.8. Rows of 2 catch pairs near 0.5 a little
  more often, but distinct papers sharing a stock phrase or two (J ~ 0.005) then collide
  ~100x more often: 3.7x more candidates to verify at 100k abstracts, growing quadratically.
- Abstracts under 30 words get no band hashes and never pair: one edit already moves such a
  text by a third, and short texts are mostly formulaic notices ("This paper has been
  withdrawn...") that are alike across different papers.
- A bucket (one band hash) shared by more than 100 texts is boilerplate: it is skipped
  rather than expanded into ~5,000 candidate pairs; true near duplicates share other bands.
- Candidates are screened before their exact Jaccard by a b-bit MinHash sketch (the low 8
  bits of each of the 72 min-hashes; Li and Koenig's b-bit minwise hashing). Two texts
  agree on a permutation with probability J + (1 - J) / 256. A pair at J = 0.5 agrees on
  at least 18 of 72 with probability 1 - 1e-5 (and more once it shares a band); a chance
  candidate at J = 0.1, the bulk of them, does so with probability ~0.001. The background
  of chance candidates grows with the square of the corpus (6M for 1M synthetic abstracts,
  of which 74k verify): the screen drops them at ~1/10 of the cost of their exact Jaccard.
  Sketches are made with the band hashes and stored beside them in the merge index; those
  of stored texts that lack one (an index from before) are computed when a run needs them.

Identical abstracts are collapsed first (their Jaccard is 1 without any estimate), so the
MinHash and the verification see distinct texts only. Permutation constants come from a fixed
splitmix64 seed and all hashing is integer arithmetic on the UTF-8 bytes, so band hashes are
the same on every run, machine and library version and can be persisted; the pairs do not
depend on the order of the rows.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import polars as pl

from paperset.dedup import scan
from paperset.dedup.shingles import (
    SHINGLE_WORDS,
    doc_batches,
    shingle_hashes,
    word_hashes,
)
from paperset.hashing import _finalise, stable_hash
from paperset.storage.spill import Texts, TextsInMemory
from paperset.threads import parallel_map

BANDS = 24
ROWS = 3
THRESHOLD = 0.5
MIN_WORDS = 30
MAX_BUCKET = 100
SKETCH_MIN_AGREEMENTS = 18  # of BANDS * ROWS; see the module docstring
_SEED = 0x5EED_D0C5
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
PAIR_SCHEMA = pl.Schema({"a": pl.UInt32, "b": pl.UInt32, "similarity": pl.Float64})
BAND_SCHEMA = pl.Schema({"node": pl.UInt32, "band": pl.UInt8, "hash": pl.UInt64})
TEXT_BANDS = pl.Schema({"text_hash": pl.UInt64, "hash": pl.UInt64})
SKETCHES = pl.Schema({"text_hash": pl.UInt64(), "sketch": pl.Array(pl.UInt8(), BANDS * ROWS)})


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
    # Odd multipliers make x -> a*x + b a permutation of u32.
    values = (shingles >> np.uint64(32)).astype(np.uint32)
    return scan.min_hashes(values, counts, _MULTIPLY, _ADD)


def _bands(signatures: np.ndarray) -> np.ndarray:
    """Hash each band of ROWS min-hashes to one u64, shape (texts, BANDS)."""
    rows = signatures.reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    hashes = np.broadcast_to(_BAND_SALT, rows.shape[:2])
    for row in range(ROWS):
        hashes = _finalise(hashes ^ rows[:, :, row])
    return hashes


def _batch_band_hashes(batch: pl.DataFrame, min_words: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Compute the band hashes of one batch, skipping texts under `min_words` words, and
    the sketch of each text that has them (see `likely_pairs`)."""
    long_enough, signatures = text_signatures(batch["abstract"], min_words)
    if not long_enough.any():
        return pl.DataFrame(schema=BAND_SCHEMA), no_sketches()
    hashes = _bands(signatures)
    nodes = batch["node"].to_numpy()[long_enough]
    bands = pl.DataFrame(
        {
            "node": np.repeat(nodes, BANDS),
            "band": np.tile(np.arange(BANDS, dtype=np.uint8), len(nodes)),
            "hash": hashes.ravel(),
        },
        schema=BAND_SCHEMA,
    )
    return bands, signatures.astype(np.uint8)


def text_signatures(abstracts: pl.Series, min_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Which texts have at least `min_words` words, and the min-hashes of those texts."""
    words, counts = word_hashes(abstracts)
    long_enough = counts >= min_words
    if not long_enough.any():
        return long_enough, np.zeros((0, BANDS * ROWS), np.uint32)
    shingles, shingle_counts = shingle_hashes(
        words[np.repeat(long_enough, counts)], counts[long_enough]
    )
    return long_enough, _signatures(shingles, shingle_counts)


def band_hashes(docs: pl.DataFrame, *, min_words: int = MIN_WORDS) -> pl.DataFrame:
    """Return the LSH band hashes of each long-enough abstract: `node`, `band`, `hash`."""
    return _bands_and_sketches(docs, min_words)[0]


def _bands_and_sketches(docs: pl.DataFrame, min_words: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Band hashes, and the sketches of the texts that have them, in node order."""
    if min_words < SHINGLE_WORDS:
        raise ValueError(f"min_words must be at least {SHINGLE_WORDS}, got {min_words}")
    parts = parallel_map(partial(_batch_band_hashes, min_words=min_words), doc_batches(docs))
    bands = pl.concat([pl.DataFrame(schema=BAND_SCHEMA), *(bands for bands, _ in parts)])
    return bands, np.concatenate([no_sketches(), *(sketches for _, sketches in parts)])


def no_sketches() -> np.ndarray:
    return np.zeros((0, BANDS * ROWS), np.uint8)


def text_hash() -> pl.Expr:
    """A stable hash of `abstract`'s exact text: equal texts, equal hashes, on any version;
    null where there is no abstract."""
    hashes = pl.col("abstract").map_batches(stable_hash, return_dtype=pl.UInt64)
    return pl.when(pl.col("abstract").is_not_null()).then(hashes).alias("text_hash")


def keyed_by_text(frame: pl.DataFrame, texts: Texts | None) -> tuple[pl.DataFrame, Texts]:
    """`frame` with `text_hash` in place of `abstract`, and where its abstracts are: in
    memory when it held them, else `texts`."""
    if "abstract" in frame.columns:
        keyed = frame.with_columns(text_hash())
        return keyed.drop("abstract"), TextsInMemory(keyed.select("text_hash", "abstract"))
    if texts is None:
        raise ValueError("frames without abstracts need texts to read them from")
    return frame, texts


def text_bands(
    texts: pl.DataFrame, *, min_words: int = MIN_WORDS
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the band hashes of each long-enough text (`text_hash`, `hash`) and its sketch
    (SKETCHES).

    `texts` holds distinct texts: `text_hash` and `abstract`. Band hashes depend on the text
    alone, so they can be kept from run to run and reused. They are sorted by `text_hash`
    (each text's bands in band order), so they are stored without another sort. Sketches
    spare computing them again for a text's candidates, in this run and, stored in the
    merge index, in later ones.
    """
    docs = (
        texts.select("text_hash", "abstract")
        .drop_nulls("abstract")
        .sort("text_hash")
        .with_row_index("node")
    )
    bands, sketches = _bands_and_sketches(docs, min_words)
    text_of = docs["text_hash"].gather(bands["node"])
    return (
        pl.DataFrame({"text_hash": text_of, "hash": bands["hash"]}, schema=TEXT_BANDS),
        pl.DataFrame(
            {"text_hash": text_of.gather_every(BANDS), "sketch": sketches}, schema=SKETCHES
        ),
    )
