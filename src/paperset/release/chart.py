"""The card's chart: papers per month, stacked by topic, as a PNG.

Drawn on a bare `Figure` (no pyplot), so no global state, no GUI backend and no thread issues
inside a flow. Each topic keeps its colour from release to release: colours follow the
taxonomy's order, not the data's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from matplotlib import colormaps
from matplotlib.figure import Figure

from paperset.taxonomy import FALLBACK_TOPIC, TOPIC_SLUGS

CHART = "images/papers_per_month.png"
BAR_DAYS = 25
OTHER_COLOUR = "#c7c7c7"


def colour(topic: str) -> tuple[float, ...] | str:
    """Give each topic a fixed colour: tab20's strong shades first, then its light ones."""
    if topic == FALLBACK_TOPIC:
        return OTHER_COLOUR
    index = TOPIC_SLUGS.index(topic)
    shades = colormaps["tab20"].colors  # type: ignore[attr-defined]
    return tuple(shades[2 * index if index < 10 else 2 * (index - 10) + 1])


def monthly_counts(papers: pl.DataFrame) -> pl.DataFrame:
    """Papers per month (rows, every month of the range) and topic (columns, taxonomy order)."""
    months = papers.select(month=pl.col("date").dt.month_start(), topic="topic")
    span = months.select(pl.date_range(pl.min("month"), pl.max("month"), "1mo").alias("month"))
    counts = months.group_by("month", "topic").len().pivot("topic", index="month", values="len")
    present = [slug for slug in TOPIC_SLUGS if slug in counts.columns]
    table = span.join(counts, on="month", how="left").sort("month")
    return table.select("month", *present).fill_null(0)


def draw_papers_per_month(papers: pl.DataFrame, path: Path) -> None:
    """Draw the stacked bar chart of papers per month by topic into `path`."""
    table = monthly_counts(papers)
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.add_subplot()
    months = table["month"].to_numpy()
    bottom = np.zeros(table.height)
    for topic in table.columns[1:]:
        values = table[topic].to_numpy()
        axes.bar(months, values, BAR_DAYS, bottom=bottom, label=topic, color=colour(topic))
        bottom += values
    axes.set(title="Papers per month by topic", ylabel="papers")
    handles, labels = axes.get_legend_handles_labels()  # listed top-down, as stacked
    axes.legend(
        handles[::-1],
        labels[::-1],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=8,
        frameon=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, metadata={"Software": None})
