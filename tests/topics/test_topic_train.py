from dataclasses import asdict

import numpy as np
import polars as pl
import pytest
from conftest import REPO

from paperset.topics.assign import shipped_model
from paperset.topics.evaluate import is_heldout, load_labels
from paperset.topics.fit import SMALL, TrainConfig, data_fingerprint, train_model
from paperset.topics.model import read_model
from paperset.topics.train import read_papers, training_set, with_targets

DATA = REPO / "tests" / "data"
REAL = REPO.parent / "shared" / "real" / "papers.parquet"


@pytest.fixture(scope="module")
def hand_titles() -> pl.Series:
    return load_labels(REPO / "data" / "labels" / "topics_dev.json")["title"]


@pytest.fixture(scope="module")
def slice_training_set(hand_titles: pl.Series) -> pl.DataFrame:
    papers = pl.read_parquet(DATA / "topics_real_train.parquet")
    return training_set(with_targets(papers), hand_titles, SMALL)


def test_retraining_on_the_committed_slice_gives_the_committed_small_model(
    slice_training_set: pl.DataFrame,
) -> None:
    committed = read_model(DATA / "topic_model_small.npz")
    trained = train_model(slice_training_set, SMALL)
    assert trained.terms == committed.terms
    assert np.array_equal(trained.hashes, committed.hashes)
    # Bit for bit on one machine; another CPU may round the sums differently.
    assert np.allclose(trained.weights, committed.weights, atol=1e-4)
    assert trained.info == committed.info


def test_the_shipped_model_was_trained_with_the_current_config() -> None:
    assert shipped_model().info["config"] == asdict(TrainConfig())


@pytest.mark.skipif(not REAL.is_file(), reason="needs ../shared/real/papers.parquet")
def test_the_shipped_model_was_trained_on_what_the_training_code_selects(
    hand_titles: pl.Series,
) -> None:
    chosen = training_set(with_targets(read_papers(REAL)), hand_titles, TrainConfig())
    assert data_fingerprint(chosen) == shipped_model().info["data"]


def test_no_held_out_or_hand_labelled_paper_is_trained_on(
    slice_training_set: pl.DataFrame, hand_titles: pl.Series
) -> None:
    assert not is_heldout(slice_training_set["arxiv_id"]).any()
    hand = pl.DataFrame({"title": ["Graph Neural Networks for Link Prediction"]})
    labelled = pl.DataFrame(
        {
            "arxiv_id": ["2401.00001"],
            "title": ["Graph neural networks for link prediction"],
            "abstract": ["We predict links."],
            "target": ["graphs-and-recommendation"],
            "primary_category": ["cs.LG"],
        }
    )
    assert training_set(labelled, hand["title"], SMALL).is_empty()
    assert training_set(labelled, hand_titles, SMALL).height == 1


def test_categories_decide_and_the_rules_only_fill_in_where_they_do_not() -> None:
    papers = pl.DataFrame(
        {
            "arxiv_id": ["1", "2", "3", "4"],
            "title": ["Dark matter halos", "Quantized LLMs", "Diffusion models", "Mixing"],
            "abstract": ["We measure halos.", "We quantize.", "We sample images.", "We mix."],
            "primary_category": ["astro-ph.GA", "cs.CL", "cs.LG", "cs.LG"],
            "categories": [["astro-ph.GA"], ["cs.CL"], ["cs.LG"], ["cs.LG"]],
            "topic_label": [["physics"], ["language-models", "efficient-ml"], None, None],
        }
    )
    targets = with_targets(papers)["target"].to_list()
    assert targets == ["physics", "efficient-ml", "generative-models", None]
