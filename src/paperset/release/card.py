"""`README.md`: the dataset card, Hugging Face YAML front matter first, then the story.

The column table comes from the pandera model, the taxonomy from `paperset.taxonomy`, every
figure from the released papers: nothing in the card is maintained by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from huggingface_hub import DatasetCardData

from paperset.release import card_method, card_usage
from paperset.release.changelog import summary_line
from paperset.release.chart import CHART
from paperset.release.export import DATA_GLOB, SPLIT, DataFile
from paperset.release.identity import TASK_CATEGORIES, Identity
from paperset.release.markdown import table
from paperset.release.stats import ReleaseStats
from paperset.schema import column_table_markdown
from paperset.storage.changes import Changes

CARD = "README.md"
PARTITION_NOTE = (
    "In these files `month` and `topic` are ordinary columns; they are partition keys only in "
    "paperset's own hive-partitioned layout."
)
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)


@dataclass(frozen=True)
class CardInputs:
    """Everything the card reports."""

    release: Identity
    stats: ReleaseStats
    changes: Changes
    previous: str | None
    files: list[DataFile]
    run_id: str
    schema_version: str
    run_report: dict[str, Any]


def size_category(rows: int) -> str:
    """Return the hub's size bucket for a row count."""
    return next((name for limit, name in SIZE_CATEGORIES if rows < limit), "n>1B")


def front_matter(release: Identity, rows: int) -> str:
    """The YAML block the hub reads: configs, licence, name, size, tasks and tags."""
    data = DatasetCardData(
        language=["en"],
        license=release.license,
        pretty_name=release.pretty_name,
        size_categories=[size_category(rows)],
        task_categories=list(TASK_CATEGORIES),
        tags=release.tags,
        configs=[{"config_name": "default", "data_files": [{"split": SPLIT, "path": DATA_GLOB}]}],
    )
    return f"---\n{data.to_yaml()}\n---"


def header(card: CardInputs) -> str:
    """Title, summary and the release's headline figures."""
    s, r = card.stats, card.release
    return (
        f"# {r.pretty_name}\n\n{r.description}\n\n**Release {r.version}** "
        f"({r.created.date().isoformat()}): {s.papers} papers ({s.titled} with a title, "
        f"{s.papers - s.titled} arXiv-only), dated {s.first_date} to {s.last_date}, built by "
        f"paperset run `{card.run_id}`. {summary_line(card.changes, s.papers, card.previous)} "
        "See `CHANGELOG.md`."
    )


def contents(files: list[DataFile]) -> str:
    """The data files and what each holds."""
    frame = pl.DataFrame({"file": [f"`{f.name}`" for f in files], "rows": [f.rows for f in files]})
    return (
        f"## Contents\n\nOne split, `{SPLIT}`: Parquet (zstd), every column inside the files, "
        "sorted by `date`, `topic`, `paper_id`.\n\n" + table(frame)
    )


def statistics(stats: ReleaseStats) -> str:
    """Counts per topic and per year, and the monthly chart."""
    share = (pl.col("papers") / stats.papers * 100).round(1).cast(pl.String) + "%"
    per_topic = stats.per_topic.select(
        pl.format("`{}`", "topic").alias("topic"), "papers", share.alias("share")
    )
    return (
        "## Statistics\n\n### Papers per topic\n\n"
        + table(per_topic)
        + "\n\n### Papers per year\n\n"
        + table(stats.per_year)
        + f"\n\n### Papers per month by topic\n\n![Papers per month by topic]({CHART})"
    )


def render_card(card: CardInputs) -> str:
    """Assemble the whole card."""
    labels = card.stats.labels.name if card.stats.labels else None
    sections = [
        front_matter(card.release, card.stats.papers),
        header(card),
        contents(card.files),
        "## How it was built",
        card_method.sources(card.stats, card.run_report),
        card_method.deduplication(card.stats),
        card_method.taxonomy() + "\n\n" + card_method.accuracy(card.stats.accuracy, labels),
        card_method.validation(card.stats, card.schema_version),
        "## Columns\n\n" + column_table_markdown() + "\n\n" + PARTITION_NOTE,
        statistics(card.stats),
        card_usage.LIMITATIONS,
        card_usage.LICENCE,
        card_usage.loading(card.release),
        card_usage.citation(card.release),
        card_usage.checksums(),
    ]
    return "\n\n".join(sections) + "\n"
