"""The learned topic model: a vocabulary of words and word pairs and one weight per term and topic.

A paper's features are the counts of vocabulary terms in its abstract plus `title_weight` times
those in its title, divided by the square root of its word count (so a long abstract is not
more certain for being long). Its topic scores are a softmax of features @ weights + bias.
(Reading only the abstract's first 640 characters was tried: 25% less work, but 88.8% on the
hand labels instead of 95.7%.) The model is a plain `.npz` in the package; it is trained by
`paperset.topics.train`.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from paperset.hashing import _string_buffers
from paperset.topics.scan import occupied_slots, scan_terms

TABLE_BITS = 22
MODEL_FILE = "model.npz"


@dataclass(frozen=True)
class TopicModel:
    """Weights of a linear model over a hashed vocabulary, with the terms' spellings."""

    topics: tuple[str, ...]
    terms: tuple[str, ...]
    hashes: np.ndarray  # uint64 (terms,)
    weights: np.ndarray  # float32 (terms, topics)
    bias: np.ndarray  # float32 (topics,)
    title_weight: float
    info: dict[str, Any]  # how it was trained: config, data, figures

    def fingerprint(self) -> str:
        """Return 12 hex digits of a hash of everything that decides a prediction."""
        digest = hashlib.sha256(json.dumps([self.topics, self.terms, self.title_weight]).encode())
        for array in (self.hashes, self.weights, self.bias):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:12]

    @cached_property
    def table(self) -> np.ndarray:
        """Map the top TABLE_BITS of a hash to its term's index (len(terms) when none)."""
        # 16-bit indices while they fit: half the table's bytes, so more of it stays in cache.
        dtype = np.uint16 if len(self.terms) < 1 << 16 else np.int32
        table = np.full(1 << TABLE_BITS, len(self.terms), dtype=dtype)
        table[slots(self.hashes)] = np.arange(len(self.terms), dtype=dtype)
        return table

    @cached_property
    def term_series(self) -> pl.Series:
        """The terms' spellings as a column, to gather from by index."""
        return pl.Series("term", self.terms, dtype=pl.String)

    @cached_property
    def checks(self) -> np.ndarray:
        """The term hashes, and one more that no word can have after a miss."""
        return np.append(self.hashes, np.uint64(0))

    @cached_property
    def occupied(self) -> np.ndarray:
        """A bitmap of the table's slots that hold a term (see `paperset.topics.scan`)."""
        return occupied_slots(slots(self.hashes), TABLE_BITS)


def slots(hashes: np.ndarray) -> np.ndarray:
    """The slot of each hash in the lookup table: its top TABLE_BITS bits."""
    return (hashes >> np.uint64(64 - TABLE_BITS)).astype(np.int64)


@dataclass(frozen=True)
class Hits:
    """Vocabulary terms found in one field of a column of papers: the row and term index of
    each occurrence, rows in order (a term found twice in a paper is there twice)."""

    row: np.ndarray  # int64
    term: np.ndarray  # term index
    weight: float  # of an occurrence in this field

    def matrix(self, n_papers: int, n_terms: int) -> sp.csr_matrix:
        """Lay the hits out as a CSR matrix of `weight`s; a term found twice in a row is two
        entries, which any product with the matrix sums."""
        indptr = np.zeros(n_papers + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.row, minlength=n_papers), out=indptr[1:])
        values = np.full(len(self.row), self.weight, dtype=np.float32)
        return sp.csr_matrix((values, self.term, indptr), shape=(n_papers, n_terms))


def find_terms(model: TopicModel, texts: pl.Series, weight: float) -> tuple[list[Hits], np.ndarray]:
    """Find the vocabulary's words and word pairs in each text, and count its words."""
    offsets, data = _string_buffers(texts)
    word_row, word_term, pair_row, pair_term, counts = scan_terms(
        data, offsets, model.table, model.checks, model.occupied, TABLE_BITS
    )
    return [Hits(word_row, word_term, weight), Hits(pair_row, pair_term, weight)], counts


def find_hits(
    model: TopicModel, titles: pl.Series, abstracts: pl.Series
) -> tuple[list[Hits], np.ndarray]:
    """Find every term occurrence of the papers, in four runs of rows in order (words and
    pairs of title and abstract), and each paper's scale: one over the square root of its
    word count."""
    title, title_words = find_terms(model, titles, model.title_weight)
    abstract, abstract_words = find_terms(model, abstracts, 1.0)
    scale = 1.0 / np.sqrt(np.maximum(title_words + abstract_words, 1)).astype(np.float32)
    return [*title, *abstract], scale


def term_matrix(model: TopicModel, titles: pl.Series, abstracts: pl.Series) -> sp.csr_matrix:
    """Return each paper's features (one column per term) as a sparse matrix."""
    hits, scale = find_hits(model, titles, abstracts)
    counts = sum(h.matrix(len(titles), len(model.terms)) for h in hits)
    return sp.csr_matrix(sp.diags(scale) @ counts)


def logits(model: TopicModel, hits: list[Hits], scale: np.ndarray) -> np.ndarray:
    """Return features @ weights + bias, one product per run of hits."""
    total = np.zeros((len(scale), len(model.topics)), dtype=np.float32)
    for run in hits:
        total += run.matrix(len(scale), len(model.terms)) @ model.weights
    return total * scale[:, None] + model.bias


def softmax(logits: np.ndarray) -> np.ndarray:
    """Turn each row of logits into probabilities."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def save_model(model: TopicModel, path: Path) -> None:
    """Write the model as an `.npz` whose bytes depend only on its contents."""
    arrays = {
        "hashes": model.hashes,
        "weights": model.weights,
        "bias": model.bias,
        "meta": _text_array(
            {
                "topics": model.topics,
                "title_weight": model.title_weight,
                "info": model.info,
            }
        ),
        "terms": _text_array(list(model.terms)),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, buffer.getvalue())


def _text_array(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, sort_keys=True).encode(), dtype=np.uint8)


def read_model(path: Path) -> TopicModel:
    """Read a model written by `save_model`."""
    with np.load(path, allow_pickle=False) as arrays:
        meta = json.loads(arrays["meta"].tobytes())
        return TopicModel(
            topics=tuple(meta["topics"]),
            terms=tuple(json.loads(arrays["terms"].tobytes())),
            hashes=arrays["hashes"],
            weights=arrays["weights"],
            bias=arrays["bias"],
            title_weight=float(meta["title_weight"]),
            info=meta["info"],
        )


def shipped_model_path() -> Path:
    """The model file inside the installed package."""
    return Path(str(resources.files("paperset.topics") / MODEL_FILE))
