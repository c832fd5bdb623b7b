"""Measure the topic classifier against hand labels: accuracy overall, per topic, and its mistakes.

A label names a paper by title or, for arXiv-only papers, by arXiv id, and lists the topics a
careful reader accepts as primary; a prediction is right when the paper's `topic` is one of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.keys import title_key

LABEL_SCHEMA = pl.Schema(
    {"title": pl.String(), "arxiv_id": pl.String(), "topics": pl.List(pl.String())}
)
TOP_CONFUSIONS = 10


@dataclass(frozen=True)
class TopicAccuracy:
    """How often papers whose first label is `topic` got an accepted primary topic."""

    topic: str
    labelled: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Return the share of correct predictions, 0.0 when nothing was labelled."""
        return self.correct / self.labelled if self.labelled else 0.0


@dataclass(frozen=True)
class Confusion:
    """A recurring mistake: papers expected under `expected` that were put under `predicted`."""

    expected: str
    predicted: str
    count: int


@dataclass(frozen=True)
class TopicEvaluation:
    """The figures of one evaluation run over the labelled papers that were found."""

    overall: TopicAccuracy
    per_topic: tuple[TopicAccuracy, ...]
    confusions: tuple[Confusion, ...]
    missing: tuple[str, ...]


def load_labels(path: Path) -> pl.DataFrame:
    """Read a labels file into `title`, `arxiv_id` (either may be null) and `topics` columns."""
    entries = json.loads(path.read_text(encoding="utf-8"))["labels"]
    return pl.DataFrame(entries, schema=LABEL_SCHEMA)


def label_key(labels: pl.DataFrame) -> pl.Expr:
    """Key a label by its title, or by its arXiv id when it has no title."""
    by_id = pl.lit("arxiv:") + pl.col("arxiv_id")
    return pl.coalesce(title_key(pl.col("title")), by_id)


def paper_keys(papers: pl.DataFrame) -> pl.DataFrame:
    """List each paper's predicted topic under its title key and, if any, its arXiv id."""
    keys = [title_key(pl.col("title"))]
    if "arxiv_id" in papers.columns:
        keys.append(pl.lit("arxiv:") + pl.col("arxiv_id"))
    frames = [papers.select(key=key, predicted=pl.col("topic")) for key in keys]
    return pl.concat(frames).drop_nulls("key").unique("key", keep="first", maintain_order=True)


def judged_labels(papers: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """Join labels to predictions: `expected` (first label), `predicted` (null if not found)."""
    keyed = labels.with_columns(key=label_key(labels), expected=pl.col("topics").list.first())
    judged = keyed.join(paper_keys(papers), on="key", how="left", maintain_order="left")
    return judged.with_columns(correct=pl.col("topics").list.contains(pl.col("predicted")))


def accuracy_by_topic(found: pl.DataFrame) -> tuple[TopicAccuracy, ...]:
    """Count labelled and correct papers per expected topic, in topic order."""
    counts = found.group_by("expected").agg(pl.len(), pl.col("correct").sum()).sort("expected")
    return tuple(TopicAccuracy(*row) for row in counts.rows())


def top_confusions(found: pl.DataFrame) -> tuple[Confusion, ...]:
    """Count the most frequent expected-vs-predicted mistakes, most frequent first."""
    mistakes = found.filter(~pl.col("correct")).group_by("expected", "predicted").len()
    ordered = mistakes.sort(["len", "expected", "predicted"], descending=[True, False, False])
    return tuple(Confusion(*row) for row in ordered.head(TOP_CONFUSIONS).rows())


def evaluate_topics(papers: pl.DataFrame, labels: pl.DataFrame) -> TopicEvaluation:
    """Compare classified papers (with `title`, `topic`, optional `arxiv_id`) to the labels."""
    judged = judged_labels(papers, labels)
    found = judged.filter(pl.col("predicted").is_not_null())
    missing = judged.filter(pl.col("predicted").is_null())
    return TopicEvaluation(
        overall=TopicAccuracy("all", found.height, int(found["correct"].sum())),
        per_topic=accuracy_by_topic(found),
        confusions=top_confusions(found),
        missing=tuple(missing.select(pl.coalesce("title", "arxiv_id")).to_series().to_list()),
    )


def format_evaluation(ev: TopicEvaluation) -> str:
    """Render an evaluation as a plain-text report."""
    lines = [f"{'topic':<28}{'correct':>9}{'labelled':>10}{'accuracy':>10}"]
    for row in (*ev.per_topic, ev.overall):
        lines.append(f"{row.topic:<28}{row.correct:>9}{row.labelled:>10}{row.accuracy:>10.1%}")
    lines += ["", "Most frequent mistakes (expected -> predicted):"]
    lines += [f"  {c.count:>3}  {c.expected} -> {c.predicted}" for c in ev.confusions] or ["  none"]
    lines += ["", f"Labelled papers not found: {len(ev.missing)}"]
    lines += [f"  {name}" for name in ev.missing]
    return "\n".join(lines)
