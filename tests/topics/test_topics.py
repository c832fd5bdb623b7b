import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from helpers import titled

from paperset.taxonomy import TAXONOMY_VERSION, TOPIC_SLUGS
from paperset.topics import rules
from paperset.topics.assign import (
    MAX_SECONDARY,
    SECONDARY_MIN,
    assign_topics,
    classifier_version,
    secondary,
    shipped_model,
)
from paperset.topics.model import read_model, save_model, shipped_model_path


def classify(title: str | None, abstract: str) -> dict[str, Any]:
    return assign_topics(titled((title, abstract))).row(0, named=True)


@pytest.mark.parametrize(
    ("title", "abstract", "topic"),
    [
        (
            "Post-Training Quantization of Large Language Models to 4 Bits",
            "We quantize weights to 4-bit integers and keep accuracy with a calibration set.",
            "efficient-ml",
        ),
        (
            "Semantic Segmentation of Remote Sensing Images",
            "We segment buildings and roads in aerial images with a convolutional network.",
            "computer-vision",
        ),
        (
            "Dark Matter Halos and Black Hole Growth in Cosmology",
            "We measure the halo mass function and the growth of supermassive black holes.",
            "physics",
        ),
        (
            "Beamforming and Channel Estimation for Massive MIMO",
            "We estimate the channel of a massive MIMO base station and design the beamformer.",
            "signal-processing",
        ),
        (
            "On the Rank of Elliptic Curves over Number Fields",
            "We prove a bound on the rank of the Mordell-Weil group of elliptic curves.",
            "other",
        ),
    ],
)
def test_a_paper_in_the_fields_vocabulary_lands_in_its_topic(
    title: str, abstract: str, topic: str
) -> None:
    assert classify(title, abstract)["topic"] == topic


def test_the_evidence_is_words_of_the_paper_that_weigh_for_its_topic() -> None:
    title, abstract = "Dark Matter Halos", "We measure the halo mass function of galaxy clusters."
    paper = classify(title, abstract)
    model = shipped_model()
    text = f"{title} {abstract}".lower()
    assert 1 <= len(paper["topic_evidence"]) <= 3
    for term in paper["topic_evidence"]:
        assert term in text
        weight = model.weights[model.terms.index(term), model.topics.index(paper["topic"])]
        assert weight > 0


def test_a_null_title_is_classified_from_the_abstract() -> None:
    paper = classify(None, "We train a graph neural network for link prediction in a recommender.")
    assert paper["topic"] == "graphs-and-recommendation"


def test_a_paper_without_a_known_word_gets_the_model_prior_and_no_evidence() -> None:
    paper = classify("Zzzq", "Qqqz xxyyzz.")
    assert paper["topic_evidence"] == []
    assert paper["topic"] in TOPIC_SLUGS


def test_scores_are_probabilities_and_secondary_topics_follow_the_primary() -> None:
    out = assign_topics(
        titled(
            ("Diffusion Models for Weather Forecasting", "A diffusion model forecasts weather."),
            ("Quantized Graph Neural Networks", "We quantize a GNN for recommendation."),
        )
    )
    for paper in out.iter_rows(named=True):
        scores = [paper["topic_score"], *paper["secondary_topic_scores"]]
        assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
        assert all(s >= SECONDARY_MIN for s in scores[1:])
        assert paper["topic"] not in paper["secondary_topics"]
        assert len(paper["secondary_topics"]) <= MAX_SECONDARY
        assert len(paper["secondary_topics"]) == len(paper["secondary_topic_scores"])


# Both classifiers, the learned one shipped and the rules it replaced, keep their input.
CLASSIFIERS = pytest.mark.parametrize("classify_all", [assign_topics, rules.assign_topics])


@CLASSIFIERS
def test_input_columns_and_row_order_are_kept(
    classify_all: Callable[[pl.DataFrame], pl.DataFrame],
) -> None:
    frame = titled(("Time Series Forecasting", "x"), (None, "y")).with_columns(
        paper_id=pl.Series(["b", "a"])
    )
    out = classify_all(frame)
    assert out.columns[:3] == ["title", "abstract", "paper_id"]
    assert out["paper_id"].to_list() == ["b", "a"]


@CLASSIFIERS
def test_output_columns_have_the_contract_dtypes(
    classify_all: Callable[[pl.DataFrame], pl.DataFrame],
) -> None:
    out = classify_all(titled(("Time Series Forecasting", "x"), (None, "")))
    assert out.schema["topic"] == pl.String
    assert out.schema["topic_score"] == pl.Float64
    assert out.schema["secondary_topics"] == pl.List(pl.String)
    assert set(out["topic"]) <= set(TOPIC_SLUGS)


def test_the_learned_classifier_adds_scores_and_evidence_as_lists() -> None:
    out = assign_topics(titled(("Time Series Forecasting", "x"), (None, "")))
    assert out.schema["secondary_topic_scores"] == pl.List(pl.Float64)
    assert out.schema["topic_evidence"] == pl.List(pl.String)


def test_an_empty_frame_gets_the_columns() -> None:
    out = assign_topics(titled())
    assert out.height == 0
    assert {"topic", "topic_score", "secondary_topics", "topic_evidence"} <= set(out.columns)


def test_the_shipped_model_covers_the_taxonomy_in_its_order() -> None:
    assert shipped_model().topics == TOPIC_SLUGS


def test_a_saved_model_reads_back_the_same_and_its_bytes_depend_only_on_it(
    tmp_path: Path,
) -> None:
    model = shipped_model()
    save_model(model, tmp_path / "a.npz")
    save_model(read_model(tmp_path / "a.npz"), tmp_path / "b.npz")
    assert read_model(tmp_path / "b.npz").fingerprint() == model.fingerprint()
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert (tmp_path / "a.npz").read_bytes() == shipped_model_path().read_bytes()


def test_the_classifier_fingerprint_changes_with_the_model_weights() -> None:
    model = shipped_model()
    weights = model.weights.copy()
    weights[0, 0] += np.float32(0.5)
    changed = dataclasses.replace(model, weights=weights)
    assert classifier_version(changed) != classifier_version(model) == classifier_version()
    assert classifier_version().startswith(f"{TAXONOMY_VERSION}+")


def test_secondary_topics_are_the_runners_up_of_enough_probability_best_first() -> None:
    slugs = np.array([["nlp", "vision"], ["physics", "other"], ["robotics", "nlp"]])
    scores = np.array([[0.3, SECONDARY_MIN], [0.25, 0.1], [0.1, 0.05]])
    topics, topic_scores = secondary(slugs, scores)
    assert topics.to_list() == [["nlp", "vision"], ["physics"], []]
    assert topic_scores.to_list() == [[0.3, SECONDARY_MIN], [0.25], []]
    assert topics.dtype == pl.List(pl.String) and topic_scores.dtype == pl.List(pl.Float64)
