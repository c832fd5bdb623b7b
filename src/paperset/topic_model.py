"""The learned topic model: a vocabulary of words and word pairs and one weight per term and topic.

A paper's features are the counts of vocabulary terms in its abstract plus `title_weight` times
those in its title, divided by the square root of its word count (so a long abstract is not
more certain for being long). Its topic scores are a softmax of features @ weights + bias.
(Reading only the abstract's first 640 characters was tried: 25% less work, but 88.8% on the
hand labels instead of 95.7%.) The model is a plain `.npz` in the package; it is trained by
`paperset.topic_train`.
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

from paperset.topic_words import Words, split_words

TABLE_BITS = 22
MODEL_FILE = "topic_model.npz"


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
        table = np.full(1 << TABLE_BITS, len(self.terms), dtype=np.int32)
        table[slots(self.hashes)] = np.arange(len(self.terms), dtype=np.int32)
        return table

    @cached_property
    def term_series(self) -> pl.Series:
        """The terms' spellings as a column, to gather from by index."""
        return pl.Series("term", self.terms, dtype=pl.String)

    @cached_property
    def checks(self) -> np.ndarray:
        """The term hashes, and one more that no word can have after a miss."""
        return np.append(self.hashes, np.uint64(0))

    def find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the positions of the hashes that are terms, and those terms' indices."""
        ids = self.table[slots(hashes)]
        found = np.flatnonzero(self.checks[ids] == hashes)
        return found, ids[found]


def slots(hashes: np.ndarray) -> np.ndarray:
    """The slot of each hash in the lookup table: its top TABLE_BITS bits."""
    return (hashes >> np.uint64(64 - TABLE_BITS)).astype(np.int64)


@dataclass(frozen=True)
class Hits:
    """Vocabulary terms found in a column of papers: row, term index and feature value of
    each occurrence, rows in order (a term found twice in a paper is there twice)."""

    row: np.ndarray  # int64
    term: np.ndarray  # int32
    value: np.ndarray  # float32


def find_terms(model: TopicModel, texts: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find the vocabulary's words and word pairs in each text: rows, term ids, words per row."""
    words: Words = split_words(texts)
    pair_rows, pair_hashes, _ = words.pairs()
    found, ids = model.find(np.concatenate([words.hash, pair_hashes]))
    rows = np.concatenate([words.row, pair_rows])[found]
    return rows, ids, np.bincount(words.row, minlength=len(texts))


def find_hits(model: TopicModel, titles: pl.Series, abstracts: pl.Series) -> Hits:
    """Find every term occurrence of the papers, valued TITLE_WEIGHT in a title, 1 in an
    abstract, over the square root of the paper's word count."""
    title_rows, title_terms, title_words = find_terms(model, titles)
    abstract_rows, abstract_terms, abstract_words = find_terms(model, abstracts)
    scale = 1.0 / np.sqrt(np.maximum(title_words + abstract_words, 1)).astype(np.float32)
    rows = np.concatenate([title_rows, abstract_rows])
    field = np.repeat(
        np.array([model.title_weight, 1.0], np.float32), [len(title_rows), len(abstract_rows)]
    )
    # Four runs of ascending rows (words and pairs of each field): a stable sort merges them,
    # a radix sort when the rows fit 16 bits (a chunk of TOPIC_CHUNK papers does).
    order = np.argsort(rows.astype(np.uint16) if len(titles) <= 1 << 16 else rows, kind="stable")
    terms = np.concatenate([title_terms, abstract_terms])
    return Hits(rows[order], terms[order], (field * scale[rows])[order])


def term_matrix(model: TopicModel, titles: pl.Series, abstracts: pl.Series) -> sp.csr_matrix:
    """Return each paper's features (one column per term) as a sparse matrix."""
    return hits_matrix(find_hits(model, titles, abstracts), len(titles), len(model.terms))


def hits_matrix(hits: Hits, n_papers: int, n_terms: int) -> sp.csr_matrix:
    """Lay hits out as a CSR matrix; a term found twice in a row is two entries, summed by
    any product with the matrix."""
    indptr = np.concatenate([[0], np.cumsum(np.bincount(hits.row, minlength=n_papers))])
    return sp.csr_matrix((hits.value, hits.term, indptr), shape=(n_papers, n_terms))


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
    return Path(str(resources.files("paperset") / MODEL_FILE))
