"""Measure the topic classifier against labels: accuracy overall, per topic, and its mistakes.

A label names a paper by title or, for arXiv-only papers, by arXiv id, and lists the topics a
careful reader accepts as primary; a prediction is right when the paper's `topic` is one of them.
Two label sets: the hand labels of the sample (`data/labels/topics_dev.json`), and the real
papers' labels from their arXiv categories (`../shared/real/MAPPING.md`) on the held-out tenth
that the model is never trained on (`is_heldout`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.dedup.keys import title_key
from paperset.hashing import stable_hash

LABEL_SCHEMA = pl.Schema(
    {"title": pl.String(), "arxiv_id": pl.String(), "topics": pl.List(pl.String())}
)
TOP_CONFUSIONS = 10
HELDOUT_BUCKETS = 10  # one real paper in ten is held out of training


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
    table: tuple[Confusion, ...] = ()  # every (expected, predicted) pair, right ones too


def is_heldout(arxiv_ids: pl.Series) -> pl.Series:
    """Mark the real papers kept out of training: a stable hash of the id picks one in ten."""
    return (stable_hash(arxiv_ids) % HELDOUT_BUCKETS == 0).alias("heldout")


def heldout_papers(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read the held-out real papers that have a label: the papers, and their labels by id."""
    papers = pl.read_parquet(path, columns=["arxiv_id", "title", "abstract", "topic_label"])
    held = papers.filter(is_heldout(papers["arxiv_id"]) & pl.col("topic_label").is_not_null())
    labels = held.select(
        title=pl.lit(None, pl.String), arxiv_id="arxiv_id", topics="topic_label"
    ).cast(LABEL_SCHEMA)
    return held.drop("topic_label"), labels


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


def confusion_table(found: pl.DataFrame) -> tuple[Confusion, ...]:
    """Count every expected-vs-predicted pair, right predictions counted under themselves."""
    predicted = pl.when(pl.col("correct")).then(pl.col("expected")).otherwise(pl.col("predicted"))
    pairs = found.group_by("expected", predicted.alias("predicted")).len()
    return tuple(Confusion(*row) for row in pairs.sort("expected", "predicted").rows())


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
        table=confusion_table(found),
    )


def format_evaluation(ev: TopicEvaluation) -> str:
    """Render an evaluation as a plain-text report."""
    lines = [f"{'topic':<28}{'correct':>9}{'labelled':>10}{'accuracy':>10}"]
    for row in (*ev.per_topic, ev.overall):
        lines.append(f"{row.topic:<28}{row.correct:>9}{row.labelled:>10}{row.accuracy:>10.1%}")
    lines += ["", "Most frequent mistakes (expected -> predicted):"]
    lines += [f"  {c.count:>3}  {c.expected} -> {c.predicted}" for c in ev.confusions] or ["  none"]
    lines += ["", *format_table(ev.table)]
    lines += ["", f"Labelled papers not found: {len(ev.missing)}"]
    lines += [f"  {name}" for name in ev.missing]
    return "\n".join(lines)


def format_table(table: tuple[Confusion, ...]) -> list[str]:
    """Render the confusion table: a row per expected topic, a column per predicted one.

    Columns are named by the first four letters of the slug; a right prediction counts under
    its expected topic, so the diagonal is the correct ones.
    """
    if not table:
        return []
    rows = sorted({c.expected for c in table})
    columns = sorted({c.predicted for c in table} | set(rows))
    count = {(c.expected, c.predicted): c.count for c in table}
    lines = ["Confusion table (rows: expected, columns: predicted):"]
    lines.append(f"{'':<28}" + "".join(f"{c[:4]:>6}" for c in columns))
    for row in rows:
        cells = "".join(f"{count.get((row, c), 0) or '.':>6}" for c in columns)
        lines.append(f"{row:<28}{cells}")
    return lines
