from typing import Any

import pytest
from helpers import titled

from paperset.taxonomy import TOPIC_SLUGS
from paperset.topic_signals import Topic
from paperset.topics.rules import assign_topics, pattern_signals, topic_scores


def classify(title: str | None, abstract: str) -> dict[str, Any]:
    return assign_topics(titled((title, abstract))).row(0, named=True)


def scores(title: str | None, abstract: str) -> dict[str, float]:
    return topic_scores(titled((title, abstract)))["topic_scores"][0]


def test_a_quantization_paper_lands_in_efficient_ml() -> None:
    paper = classify(
        "Post-Training Quantization of Large Language Models to 4 Bits",
        "We quantize weights to 4-bit integers and keep accuracy with a calibration set.",
    )
    assert paper["topic"] == "efficient-ml"


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("In-Context Learning in Large Language Models", "language-models"),
        ("Semantic Segmentation of Remote Sensing Images", "computer-vision"),
        ("Faster Sampling for Score-Based Diffusion Models", "generative-models"),
        ("Policy Gradient Methods for Reinforcement Learning", "reinforcement-learning"),
        ("Structured Pruning and Knowledge Distillation", "efficient-ml"),
        ("Convergence Rate of Adam on Non-Convex Objectives", "optimization-and-theory"),
        ("Graph Neural Networks for Link Prediction", "graphs-and-recommendation"),
        ("Multivariate Time Series Forecasting", "time-series"),
        ("Physics-Informed Neural Operators for PDEs", "scientific-ml"),
        ("Dark Matter Halos and Black Hole Growth in Cosmology", "physics"),
        ("Beamforming and Channel Estimation for Massive MIMO", "signal-processing"),
    ],
)
def test_a_title_in_the_fields_vocabulary_lands_in_its_topic(title: str, topic: str) -> None:
    assert classify(title, "We study this problem.")["topic"] == topic


def test_one_title_signal_outweighs_two_equally_strong_abstract_signals() -> None:
    paper = classify(
        "Graph Neural Networks Revisited",
        "We relate them to diffusion models and to normalizing flows.",
    )
    assert paper["topic"] == "graphs-and-recommendation"


def test_a_paper_without_evidence_is_other_with_score_zero() -> None:
    paper = classify("On the Ethics of Peer Review", "We discuss how reviewers are chosen.")
    assert (paper["topic"], paper["topic_score"], paper["secondary_topics"]) == ("other", 0.0, [])


def test_weak_evidence_falls_back_to_other_with_score_zero() -> None:
    abstract = "We count how often a signal changes frequency."
    paper = classify(None, abstract)
    assert scores(None, abstract)["signal-processing"] > 0.0
    assert (paper["topic"], paper["topic_score"], paper["secondary_topics"]) == ("other", 0.0, [])


def test_secondary_topics_exclude_the_primary_and_are_at_most_two() -> None:
    paper = classify(
        "Quantized Diffusion Models for Time Series Forecasting with Graph Neural Networks",
        "We quantize a diffusion model that forecasts time series over a graph neural network.",
    )
    assert paper["topic"] not in paper["secondary_topics"]
    assert 1 <= len(paper["secondary_topics"]) <= 2


def test_secondary_topics_come_strongest_first() -> None:
    paper = classify(
        "Diffusion Models for Weather Forecasting",
        "A diffusion model forecasts the weather; we also quantize it to 8-bit.",
    )
    evidence = scores(
        "Diffusion Models for Weather Forecasting",
        "A diffusion model forecasts the weather; we also quantize it to 8-bit.",
    )
    secondary = [evidence[slug] for slug in paper["secondary_topics"]]
    assert secondary == sorted(secondary, reverse=True)


def test_equal_evidence_goes_to_the_topic_listed_first_in_the_taxonomy() -> None:
    first = classify("Diffusion Models and Graph Neural Networks", "We combine both.")
    swapped = classify("Graph Neural Networks and Diffusion Models", "We combine both.")
    assert first["topic"] == swapped["topic"] == "generative-models"
    assert first["secondary_topics"] == ["graphs-and-recommendation"]


def test_a_null_title_is_classified_from_the_abstract() -> None:
    paper = classify(None, "We train a graph neural network for recommendation.")
    assert paper["topic"] == "graphs-and-recommendation"


def test_repeating_a_signal_adds_no_evidence() -> None:
    once = scores(None, "A diffusion model.")
    thrice = scores(None, "A diffusion model. A diffusion model. A diffusion model.")
    assert once == thrice


def test_synonyms_count_as_one_signal() -> None:
    one = scores(None, "We evaluate an LLM.")
    both = scores(None, "We evaluate an LLM, a large language model.")
    assert one["language-models"] == both["language-models"]


def test_signals_match_whole_words_only() -> None:
    paper = classify("A World of Organs", "Ganglia grow in the world, unmapped.")
    assert (paper["topic"], paper["topic_score"]) == ("other", 0.0)


def test_hyphens_and_spaces_in_a_signal_are_interchangeable() -> None:
    assert scores(None, "We shrink the KV-cache.") == scores(None, "We shrink the KV cache.")


def test_case_does_not_matter() -> None:
    assert scores("QUANTIZATION", "") == scores("quantization", "")


def test_machine_learning_words_count_against_physics() -> None:
    plain = scores("Dark Matter in Galaxies", "We measure dark matter.")
    learned = scores("Dark Matter in Galaxies", "We train a neural network on a dataset.")
    assert learned["physics"] < plain["physics"]


def test_an_empty_frame_gets_the_three_columns() -> None:
    out = assign_topics(titled())
    assert out.height == 0
    assert {"topic", "topic_score", "secondary_topics"} <= set(out.columns)


def test_topic_scores_has_one_field_per_topic_except_the_fallback() -> None:
    evidence = scores("Anything", "at all")
    assert list(evidence) == [slug for slug in TOPIC_SLUGS if slug != "other"]


def test_a_spelling_claimed_by_two_signals_is_refused() -> None:
    clash = (Topic("a", "", strong=("kv cache",)), Topic("b", "", weak=("kv-cache|cache",)))
    with pytest.raises(ValueError, match="kv"):
        pattern_signals(clash)
