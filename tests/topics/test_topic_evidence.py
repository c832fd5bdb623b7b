"""The compiled evidence equals the numpy definition it replaced, ties and sums included."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from paperset.topics.evidence import (
    EVIDENCE_SPREAD,
    EVIDENCE_TERMS,
    _pairwise_sum,
    _strong,
    evidence,
)
from paperset.topics.model import Hits, TopicModel
from paperset.topics.words import hash_terms

TERMS = [f"term{i}" for i in range(12)]


def defined_evidence(model: TopicModel, hits: list[Hits], topic: np.ndarray) -> list[list[str]]:
    """The numpy definition: strong occurrences, summed per term by `add.reduceat` after a
    stable sort, heaviest first with ties by term index."""
    flat, n_topics = model.weights.ravel(), len(model.topics)
    weights = [flat[run.term * n_topics + topic[run.row]] * run.weight for run in hits]
    heaviest = np.zeros(len(topic), dtype=np.float32)
    for run, weight in zip(hits, weights, strict=True):
        np.maximum.at(heaviest, run.row, weight)
    floor = heaviest / EVIDENCE_SPREAD
    strong = [(w > 0) & (w >= floor[run.row]) for run, w in zip(hits, weights, strict=True)]
    row = np.concatenate([run.row[s] for run, s in zip(hits, strong, strict=True)])
    term = np.concatenate([run.term[s] for run, s in zip(hits, strong, strict=True)])
    weight = np.concatenate([w[s] for w, s in zip(weights, strong, strict=True)])
    key = row * len(model.terms) + term
    order = np.argsort(key, kind="stable")
    key, weight = key[order], weight[order]
    firsts = np.flatnonzero(np.diff(key, prepend=-1))
    key, weight = key[firsts], np.add.reduceat(weight, firsts) if len(firsts) else weight
    row, term = key // len(model.terms), key % len(model.terms)
    order = np.lexsort((term, -weight, row))
    listed: list[list[str]] = [[] for _ in topic]
    for r, t in zip(row[order], term[order], strict=True):
        if len(listed[r]) < EVIDENCE_TERMS:
            listed[r].append(model.terms[t])
    return listed


WEIGHTS = st.sampled_from([-1.0, 0.0, 0.1, 0.25, 0.3, 0.7, 1.0, 1.0 / 3, 2.0 / 7, 1.1, 2.5])


@st.composite
def cases(draw: st.DrawFn) -> tuple[TopicModel, list[Hits], np.ndarray]:
    n_papers = draw(st.integers(1, 5))
    weights = np.array(
        draw(st.lists(WEIGHTS, min_size=len(TERMS) * 3, max_size=len(TERMS) * 3)),
        dtype=np.float32,
    ).reshape(len(TERMS), 3)
    model = TopicModel(
        ("a", "b", "c"), tuple(TERMS), hash_terms(TERMS), weights, np.zeros(3, np.float32), 2.0, {}
    )
    hits = []
    # Runs of unlike weights: a term's total then depends on the order it is summed in.
    for field_weight in draw(st.lists(WEIGHTS.filter(bool), min_size=4, max_size=4)):
        pairs = draw(
            st.lists(st.tuples(st.integers(0, n_papers - 1), st.integers(0, 3)), max_size=60)
        )
        rows = np.array(sorted(r for r, _ in pairs), dtype=np.int64)
        terms = np.array([t for _, t in sorted(pairs, key=lambda p: p[0])], dtype=np.int64)
        hits.append(Hits(rows, terms, field_weight))
    topic = np.array(draw(st.lists(st.integers(0, 2), min_size=n_papers, max_size=n_papers)))
    return model, hits, topic


@settings(max_examples=400, deadline=None)
@given(cases())
def test_evidence_follows_its_numpy_definition(
    case: tuple[TopicModel, list[Hits], np.ndarray],
) -> None:
    model, hits, topic = case
    got = evidence(model, hits, topic)
    assert got.dtype == pl.List(pl.String)
    assert got.to_list() == defined_evidence(model, hits, topic)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0009765625, 8192.0, width=32), min_size=1, max_size=400))
def test_a_terms_total_is_numpys_reduceat_sum(values: list[float]) -> None:
    """Over 8 occurrences numpy sums pairwise, not left to right, and the last bit differs:
    a term's total is numpy's, so ties between terms break as they did."""
    array = np.array(values, dtype=np.float32)
    total = array[0] + (_pairwise_sum(array, 1, len(array) - 1) if len(array) > 1 else 0)
    assert total == np.add.reduceat(array, [0])[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), max_size=6), min_size=4, max_size=4))
def test_strong_occurrences_are_sorted_by_term_keeping_their_order(runs: list[list[int]]) -> None:
    """Equal terms keep the order of their runs: a total is summed in that order."""
    terms = np.array([t for run in runs for t in run], dtype=np.int64)
    sizes = np.cumsum([0] + [len(run) for run in runs])
    bounds = np.stack([sizes[:-1], sizes[1:]], axis=1)  # one paper: run r's are r's range
    # A weight per run tells which run an occurrence came from.
    run_weights = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    occurrences = (terms, bounds, run_weights, np.ones((4, 1), dtype=np.float32))
    got_terms, got_weights = np.zeros(len(terms), np.int64), np.zeros(len(terms), np.float32)
    n = _strong(occurrences, 0, 0, got_terms, got_weights)
    expected = sorted(
        ((t, float(run_weights[r])) for r, run in enumerate(runs) for t in run), key=lambda o: o[0]
    )
    assert list(zip(got_terms[:n].tolist(), got_weights[:n].tolist(), strict=True)) == [
        o for o in expected if o[1] >= max((w for _, w in expected), default=0) / EVIDENCE_SPREAD
    ]
