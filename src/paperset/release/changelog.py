"""`CHANGELOG.md`: this release's changes on top, every earlier release's below."""

from __future__ import annotations

import datetime as dt

import polars as pl

from paperset.storage.changes import Changes

HEADING = "# Changelog"
MAX_LISTED = 50


def summary_line(changes: Changes, total: int, previous: str | None) -> str:
    """One sentence: the size of the release and what changed since `previous`."""
    if previous is None:
        return f"First release: {total} papers."
    counts = changes.counts()
    merged = f", {counts['merged']} merged into other papers" if counts["merged"] else ""
    return (
        f"{total} papers: {counts['added']} added, {counts['updated']} updated, "
        f"{counts['removed']} removed{merged} since {previous}."
    )


def changed_fields(updated: pl.DataFrame) -> str:
    """Count, over the updated papers, how often each column changed, most often first."""
    counts = updated.select(pl.col("changed").explode().drop_nulls().value_counts())
    fields = counts.unnest("changed").sort(["count", "changed"], descending=[True, False])
    pairs = fields.select(pl.format("`{}` ({})", pl.col("changed"), pl.col("count")))
    return ", ".join(pairs.to_series().to_list())


def paper_lines(papers: pl.DataFrame, detail: pl.Expr | None = None) -> list[str]:
    """Render up to MAX_LISTED papers as markdown list items, with a count of the rest."""
    title = pl.col("title").fill_null("(arXiv-only, no title)")
    line = pl.format("- `{}`: {}", pl.col("paper_id"), title)
    if detail is not None:
        line = pl.concat_str(line, detail)
    lines = papers.sort("paper_id").head(MAX_LISTED).select(line).to_series().to_list()
    rest = papers.height - MAX_LISTED
    return lines + ([f"- ... and {rest} more"] if rest > 0 else [])


def section(version: str, day: dt.date, changes: Changes, total: int, previous: str | None) -> str:
    """Render this release's entry."""
    lines = [f"## {version} ({day.isoformat()})", "", summary_line(changes, total, previous)]
    if previous is None:
        return "\n".join(lines) + "\n"
    if changes.updated.height:
        lines += ["", f"Columns changed in updated papers: {changed_fields(changes.updated)}."]
    kinds = {
        "Added": paper_lines(changes.added),
        "Updated": paper_lines(
            changes.updated, pl.format(" ({})", pl.col("changed").list.join(", "))
        ),
        "Merged into another paper": paper_lines(
            changes.merged, pl.format(" -> `{}`", pl.col("into"))
        ),
        "Removed": paper_lines(changes.removed),
    }
    for heading, items in kinds.items():
        if items:
            lines += ["", f"### {heading}", "", *items]
    return "\n".join(lines) + "\n"


def changelog(entry: str, earlier: str) -> str:
    """Put this release's entry above the earlier changelog, under one heading."""
    body = earlier.removeprefix(HEADING).strip()
    return f"{HEADING}\n\n{entry}" + (f"\n{body}\n" if body else "")
