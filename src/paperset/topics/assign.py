"""Assign each paper a primary topic, its probability, secondary topics and the evidence for it.

The classifier is the learned model shipped in the package (`paperset.topics.model`, trained by
`paperset.topics.train` on real arXiv papers): the words and word pairs of title and abstract,
looked up in its vocabulary, weigh for or against each topic. `topic` is the most probable
topic (ties go to the first in taxonomy order), `topic_score` its probability; secondary
topics are the next ones at SECONDARY_MIN probability or more; `topic_evidence` lists the
EVIDENCE_TERMS terms of the paper that weighed most for its topic, heaviest first.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

import numpy as np
import polars as pl
import pyarrow as pa
import scipy.sparse as sp

from paperset.taxonomy import TAXONOMY_VERSION
from paperset.threads import parallel_map
from paperset.topics.evidence import EVIDENCE_SPREAD, EVIDENCE_TERMS, evidence, list_column
from paperset.topics.model import (
    TopicModel,
    find_hits,
    logits,
    read_model,
    shipped_model_path,
    softmax,
)

SECONDARY_MIN = 0.2
MAX_SECONDARY = 2
TOPIC_CHUNK = 5_000


@cache
def shipped_model() -> TopicModel:
    """The model in the package, read once."""
    return read_model(shipped_model_path())


def classifier_version(model: TopicModel | None = None) -> str:
    """The taxonomy version and a fingerprint of the model and of how its output is read.

    Kept with the merge index: when it changes, every paper is classified again.
    """
    model = shipped_model() if model is None else model
    knobs = [model.fingerprint(), SECONDARY_MIN, MAX_SECONDARY, EVIDENCE_TERMS, EVIDENCE_SPREAD]
    digest = hashlib.sha256(json.dumps(knobs).encode()).hexdigest()[:12]
    return f"{TAXONOMY_VERSION}+{digest}"


def topic_probabilities(model: TopicModel, features: sp.csr_matrix) -> np.ndarray:
    """Return each paper's probability of each topic of the model, in its order."""
    return softmax(features @ model.weights + model.bias)


def assign_topics(papers: pl.DataFrame, model: TopicModel | None = None) -> pl.DataFrame:
    """Add `topic`, `topic_score`, `secondary_topics`, their scores and `topic_evidence`.

    Papers are classified TOPIC_CHUNK at a time, a chunk per core at once: their words are
    the classifier's largest arrays, and this bounds them however many papers there are.
    """
    model = shipped_model() if model is None else model
    chunks = [papers.slice(start, TOPIC_CHUNK) for start in range(0, papers.height, TOPIC_CHUNK)]
    return pl.concat(parallel_map(lambda chunk: _assign_chunk(model, chunk), chunks or [papers]))


def _assign_chunk(model: TopicModel, papers: pl.DataFrame) -> pl.DataFrame:
    hits, scale = find_hits(model, papers["title"], papers["abstract"])
    probs = softmax(logits(model, hits, scale))
    ranked = np.argsort(-probs, axis=1, kind="stable")[:, : 1 + MAX_SECONDARY]
    ranked_probs = np.take_along_axis(probs, ranked, axis=1).astype(np.float64)
    slugs = np.array(model.topics)[ranked]
    labelled = papers.with_columns(
        pl.Series("topic", slugs[:, 0]),
        pl.Series("topic_score", ranked_probs[:, 0]),
        *secondary(slugs[:, 1:], ranked_probs[:, 1:]),
        evidence(model, hits, ranked[:, 0]),
    )
    return labelled.select(pl.exclude("topic_evidence"), pl.col("topic_evidence"))


def secondary(slugs: np.ndarray, scores: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """List each paper's runners-up (`slugs`, `scores`: best first) of SECONDARY_MIN
    probability or more, and their scores."""
    kept = scores >= SECONDARY_MIN
    counts = kept.sum(axis=1)
    return (
        list_column("secondary_topics", counts, pa.array(slugs[kept].tolist(), pa.string())),
        list_column("secondary_topic_scores", counts, pa.array(scores[kept], pa.float64())),
    )
