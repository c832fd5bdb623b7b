"""The learned topic model: a vocabulary of words and word pairs and one weight per term and topic.

A paper's features are the counts of vocabulary terms in its abstract plus TITLE_WEIGHT times
those in its title, divided by the square root of its word count (so a long abstract is not
more certain for being long). Its topic scores are a softmax of features @ weights + bias.
The model is a plain `.npz` in the package; it is trained by `paperset.topic_train`.
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
    def checks(self) -> np.ndarray:
        """The term hashes, and one more that no word can have after a miss."""
        return np.append(self.hashes, np.uint64(0))

    def term_ids(self, hashes: np.ndarray) -> np.ndarray:
        """Return each hash's term index, or -1 for a hash outside the vocabulary."""
        ids = self.table[slots(hashes)]
        return np.where(self.checks[ids] == hashes, ids, -1)


def slots(hashes: np.ndarray) -> np.ndarray:
    """The slot of each hash in the lookup table: its top TABLE_BITS bits."""
    return (hashes >> np.uint64(64 - TABLE_BITS)).astype(np.int64)


@dataclass(frozen=True)
class Hits:
    """Vocabulary terms found in a column of texts: row, term index and weight of each."""

    row: np.ndarray
    term: np.ndarray
    weight: np.ndarray
    words: np.ndarray  # words per row


def find_terms(model: TopicModel, texts: pl.Series, weight: float) -> Hits:
    """Find the vocabulary's words and pairs of words in each text, rows in order."""
    words: Words = split_words(texts)
    pair_rows, pair_hashes, _ = words.pairs()
    rows = np.concatenate([words.row, pair_rows])
    ids = model.term_ids(np.concatenate([words.hash, pair_hashes]))
    found = ids >= 0
    return Hits(
        rows[found],
        ids[found],
        np.full(int(found.sum()), weight, dtype=np.float32),
        np.bincount(words.row, minlength=len(texts)),
    )


def term_matrix(model: TopicModel, titles: pl.Series, abstracts: pl.Series) -> sp.csr_matrix:
    """Return each paper's features: weighted term counts over the square root of its words."""
    title = find_terms(model, titles, model.title_weight)
    abstract = find_terms(model, abstracts, 1.0)
    scale = 1.0 / np.sqrt(np.maximum(title.words + abstract.words, 1)).astype(np.float32)
    rows = np.concatenate([title.row, abstract.row])
    values = np.concatenate([title.weight, abstract.weight]) * scale[rows]
    shape = (len(titles), len(model.terms))
    return sp.csr_matrix((values, (rows, np.concatenate([title.term, abstract.term]))), shape)


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
            {"topics": model.topics, "title_weight": model.title_weight, "info": model.info}
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
