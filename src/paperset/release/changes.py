"""What changed between two releases: papers added, updated, merged away and removed.

A paper is followed through its aliases, so one whose id changed (a title hash that became an
arXiv id) is an update, and one folded into another paper is `merged`, not removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

WAS = "_was"


@dataclass(frozen=True)
class Changes:
    """Papers added, updated (with the columns that changed), merged and removed."""

    added: pl.DataFrame
    updated: pl.DataFrame
    merged: pl.DataFrame
    removed: pl.DataFrame

    def counts(self) -> dict[str, int]:
        """Return how many papers fall under each kind of change."""
        kinds = {"added": self.added, "updated": self.updated}
        kinds |= {"merged": self.merged, "removed": self.removed}
        return {kind: frame.height for kind, frame in kinds.items()}


def id_map(papers: pl.DataFrame) -> pl.DataFrame:
    """Map every id a paper has had (its own and its aliases) to its current id."""
    own = papers.select(old_id="paper_id", now_id="paper_id")
    aliases = papers.select(old_id="aliases", now_id="paper_id").explode("old_id").drop_nulls()
    return pl.concat([own, aliases]).unique("old_id", keep="first", maintain_order=True)


def changed_columns(columns: list[str]) -> pl.Expr:
    """List, per joined row, the columns whose value differs from their `_was` twin."""
    differs = [
        pl.when(pl.col(name).ne_missing(pl.col(name + WAS))).then(pl.lit(name)) for name in columns
    ]
    return pl.concat_list(differs).list.drop_nulls().alias("changed")


def compare(previous: pl.DataFrame | None, papers: pl.DataFrame) -> Changes:
    """Compare the papers of a release with those of the one before (None: a first release)."""
    old = papers.clear() if previous is None else previous
    common = [c for c in papers.columns if c in old.columns]
    old = old.cast({c: papers.schema[c] for c in common}, strict=False)
    mapped = old.join(id_map(papers), left_on="paper_id", right_on="old_id", how="left")
    # A paper that kept its id is its own successor; other old ids that reach it were merged.
    successors = mapped.drop_nulls("now_id").sort(pl.col("paper_id") != pl.col("now_id"))
    first = pl.col("now_id").is_first_distinct()
    kept, merged = successors.filter(first), successors.filter(~first)
    joined = papers.join(
        kept.select(pl.col(common).name.suffix(WAS), "now_id"),
        left_on="paper_id",
        right_on="now_id",
    )
    updated = joined.with_columns(changed_columns(common)).filter(pl.col("changed").list.len() > 0)
    return Changes(
        added=papers.join(kept, left_on="paper_id", right_on="now_id", how="anti").select(
            "paper_id", "title"
        ),
        updated=updated.select("paper_id", "title", "changed"),
        merged=merged.select("paper_id", "title", into="now_id"),
        removed=mapped.filter(pl.col("now_id").is_null()).select("paper_id", "title"),
    )
