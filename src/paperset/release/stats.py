"""The figures a dataset card shows, computed from the released papers and the quarantine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.taxonomy import TAXONOMY
from paperset.topics.evaluate import TopicEvaluation, evaluate_topics, load_labels


@dataclass(frozen=True)
class ReleaseStats:
    """Counts per topic and year, the quarantine's reasons, and the measured topic accuracy."""

    papers: int
    titled: int
    sightings: int
    source_files: int
    first_date: dt.date
    last_date: dt.date
    per_topic: pl.DataFrame
    per_year: pl.DataFrame
    quarantine: pl.DataFrame
    accuracy: TopicEvaluation | None
    labels: Path | None


def topic_counts(papers: pl.DataFrame) -> pl.DataFrame:
    """Papers per topic, every slug of the taxonomy in its order, with its scope."""
    taxonomy = pl.DataFrame(
        {"topic": [t.slug for t in TAXONOMY], "scope": [t.scope for t in TAXONOMY]}
    )
    counts = papers.group_by("topic").agg(papers=pl.len())
    joined = taxonomy.join(counts, on="topic", how="left", maintain_order="left")
    return joined.with_columns(pl.col("papers").fill_null(0))


def year_counts(papers: pl.DataFrame) -> pl.DataFrame:
    """Papers per year of `date` (`published`, else the listing date), oldest first."""
    return papers.group_by(year=pl.col("date").dt.year()).agg(papers=pl.len()).sort("year")


def quarantine_counts(quarantine: pl.DataFrame) -> pl.DataFrame:
    """Quarantined records and files per level and kind of reason, counting each once.

    A raw file read again (changed, or by a `--full` run) puts its bad records in that run's
    quarantine file too, so the same entry may sit in several files.
    """
    distinct = quarantine.unique(["source_file", "line", "level", "reason"])
    kinds = distinct.with_columns(reason=pl.col("reason").str.replace(r":.*$", ""))
    counts = kinds.group_by("level", "reason").agg(entries=pl.len())
    return counts.sort(["entries", "level", "reason"], descending=[True, False, False])


def topic_accuracy(papers: pl.DataFrame, labels: Path | None) -> TopicEvaluation | None:
    """Join the released papers to the hand labels; None when there is no labels file."""
    if labels is None or not labels.is_file():
        return None
    return evaluate_topics(papers, load_labels(labels))


def release_stats(
    papers: pl.DataFrame, quarantine: pl.DataFrame, labels: Path | None
) -> ReleaseStats:
    """Compute every figure of the card."""
    accuracy = topic_accuracy(papers, labels)
    return ReleaseStats(
        papers=papers.height,
        titled=int(papers["title"].is_not_null().sum()),
        sightings=int(papers["n_sightings"].sum()),
        source_files=papers["sources"].explode().drop_nulls().n_unique(),
        first_date=papers["date"].min(),  # type: ignore[arg-type]
        last_date=papers["date"].max(),  # type: ignore[arg-type]
        per_topic=topic_counts(papers),
        per_year=year_counts(papers),
        quarantine=quarantine_counts(quarantine),
        accuracy=accuracy,
        labels=labels if accuracy else None,
    )
