from pathlib import Path

import polars as pl
import pytest

from paperset.preview import papers_from_folder
from paperset.topics.assign import assign_topics
from paperset.topics.evaluate import (
    Confusion,
    TopicAccuracy,
    evaluate_topics,
    format_evaluation,
    format_table,
    load_labels,
    title_key,
)

DEV_ACCURACY_FLOOR = 0.95
# On the committed held-out slice (tests/data/make_topic_slices.py): up to 250 papers per
# topic, so each floor is a few points under what the shipped model scores there.
REAL_ACCURACY_FLOOR = 0.90
REAL_RECALL_FLOORS = {"physics": 0.90, "other": 0.85, "computer-vision": 0.85}


@pytest.fixture(scope="module")
def dev_papers(request: pytest.FixtureRequest) -> pl.DataFrame:
    """The bundled sample's papers, parsed and merged exactly as a build does."""
    return papers_from_folder(request.config.rootpath / "data" / "raw")


@pytest.fixture(scope="module")
def dev_labels(request: pytest.FixtureRequest) -> pl.DataFrame:
    return load_labels(request.config.rootpath / "data" / "labels" / "topics_dev.json")


def test_dev_set_accuracy_reaches_the_floor(
    dev_papers: pl.DataFrame, dev_labels: pl.DataFrame
) -> None:
    evaluation = evaluate_topics(assign_topics(dev_papers), dev_labels)
    assert evaluation.overall.accuracy >= DEV_ACCURACY_FLOOR, format_evaluation(evaluation)


@pytest.fixture(scope="module")
def real_heldout(request: pytest.FixtureRequest) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Held-out real papers (never trained on) and their labels from arXiv categories."""
    held = pl.read_parquet(
        request.config.rootpath / "tests" / "data" / "topics_real_heldout.parquet"
    )
    labels = held.select(title=pl.lit(None, pl.String), arxiv_id="arxiv_id", topics="topic_label")
    return held.drop("topic_label"), labels


def test_held_out_real_accuracy_reaches_the_floor(
    real_heldout: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    papers, labels = real_heldout
    evaluation = evaluate_topics(assign_topics(papers), labels)
    assert evaluation.overall.accuracy >= REAL_ACCURACY_FLOOR, format_evaluation(evaluation)
    recall = {a.topic: a.accuracy for a in evaluation.per_topic}
    for topic, floor in REAL_RECALL_FLOORS.items():
        assert recall[topic] >= floor, format_evaluation(evaluation)


def test_every_dev_label_is_found_among_the_seed_papers(
    dev_papers: pl.DataFrame, dev_labels: pl.DataFrame
) -> None:
    evaluation = evaluate_topics(assign_topics(dev_papers), dev_labels)
    assert evaluation.missing == ()


def labels(*rows: tuple[str | None, str | None, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"title": t, "arxiv_id": i, "topics": topics} for t, i, topics in rows],
        schema={"title": pl.String, "arxiv_id": pl.String, "topics": pl.List(pl.String)},
    )


def classified(*rows: tuple[str | None, str | None, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"title": t, "arxiv_id": i, "topic": topic} for t, i, topic in rows],
        schema={"title": pl.String, "arxiv_id": pl.String, "topic": pl.String},
    )


def test_load_labels_reads_title_and_arxiv_id_entries(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text(
        '{"labels": [{"title": "A", "topics": ["physics"]},'
        ' {"arxiv_id": "2502.10375", "topics": ["physics", "other"]}]}'
    )
    assert load_labels(path).to_dicts() == [
        {"title": "A", "arxiv_id": None, "topics": ["physics"]},
        {"title": None, "arxiv_id": "2502.10375", "topics": ["physics", "other"]},
    ]


def test_title_key_ignores_case_punctuation_and_whitespace() -> None:
    keys = pl.select(
        title_key(pl.lit(pl.Series(["Time-Series: A Survey", "time series a survey"])))
    )
    assert keys.to_series().to_list() == ["timeseriesasurvey", "timeseriesasurvey"]


def test_any_accepted_topic_counts_as_correct() -> None:
    evaluation = evaluate_topics(
        classified(("Paper A", None, "language-models")),
        labels(("Paper A", None, ["efficient-ml", "language-models"])),
    )
    assert evaluation.overall == TopicAccuracy("all", labelled=1, correct=1)


def test_accuracy_per_topic_groups_by_the_first_label() -> None:
    evaluation = evaluate_topics(
        classified(("A", None, "physics"), ("B", None, "physics"), ("C", None, "other")),
        labels(("A", None, ["physics"]), ("B", None, ["other"]), ("C", None, ["other"])),
    )
    assert evaluation.per_topic == (
        TopicAccuracy("other", labelled=2, correct=1),
        TopicAccuracy("physics", labelled=1, correct=1),
    )


def test_labels_match_titles_despite_case_and_punctuation() -> None:
    evaluation = evaluate_topics(
        classified(("time series: a survey", None, "time-series")),
        labels(("Time-Series: A Survey", None, ["time-series"])),
    )
    assert (evaluation.overall.correct, evaluation.missing) == (1, ())


def test_labels_without_a_title_match_by_arxiv_id() -> None:
    evaluation = evaluate_topics(
        classified((None, "2502.10375", "physics")),
        labels((None, "2502.10375", ["physics"])),
    )
    assert evaluation.overall.correct == 1


def test_labelled_papers_not_found_are_listed_and_not_scored() -> None:
    evaluation = evaluate_topics(
        classified(("A", None, "physics")),
        labels(("A", None, ["physics"]), ("Lost", None, ["other"]), (None, "2401.00001", ["x"])),
    )
    assert evaluation.missing == ("Lost", "2401.00001")
    assert evaluation.overall.labelled == 1


def test_confusions_count_the_most_frequent_mistakes_first() -> None:
    evaluation = evaluate_topics(
        classified(("A", None, "other"), ("B", None, "other"), ("C", None, "physics")),
        labels(("A", None, ["time-series"]), ("B", None, ["time-series"]), ("C", None, ["other"])),
    )
    pairs = [(c.expected, c.predicted, c.count) for c in evaluation.confusions]
    assert pairs == [("time-series", "other", 2), ("other", "physics", 1)]


def test_the_confusion_table_counts_right_answers_on_the_diagonal() -> None:
    evaluation = evaluate_topics(
        classified(("A", None, "physics"), ("B", None, "other"), ("C", None, "other")),
        labels(
            ("A", None, ["physics"]), ("B", None, ["physics"]), ("C", None, ["physics", "other"])
        ),
    )
    assert evaluation.table == (
        Confusion("physics", "other", 1),
        Confusion("physics", "physics", 2),
    )
    assert format_table(evaluation.table)[2].split() == ["physics", "1", "2"]


def test_the_report_shows_overall_accuracy_and_missing_titles() -> None:
    evaluation = evaluate_topics(
        classified(("A", None, "physics")),
        labels(("A", None, ["physics"]), ("Lost", None, ["other"])),
    )
    report = format_evaluation(evaluation)
    assert "100.0%" in report
    assert "Lost" in report


def test_papers_classified_in_chunks_on_every_core_come_out_as_in_one(
    dev_papers: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = assign_topics(dev_papers)
    monkeypatch.setattr("paperset.topics.assign.TOPIC_CHUNK", 7)  # 268 papers: 39 chunks
    assert assign_topics(dev_papers).equals(whole)
