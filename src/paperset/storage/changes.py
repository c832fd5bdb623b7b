"""The change feed: what each committing run did to the dataset, one row per paper it changed.

`changes/<run_id>.parquet` holds a row per paper the run `added`, `updated`, `removed` or
`renamed` (a paper whose `paper_id` changed: `previous_paper_id` is the id it had). Rows
carry the paper's new columns (null for `removed`), so a copy of the dataset is kept in
sync by applying the feeds in run order: delete every `removed` id and every
`previous_paper_id`, then upsert every other row by `paper_id`. `changed_columns` names
what an update changed; a change of `month` or `topic` moved the paper to another
partition. The feed is staged with the partitions and published just before the manifest,
so a committed run always has its feed and a run that did not commit has none.

The diff behind it (`compare`) is the one releases use for their changelog: a paper is
followed through its aliases, so one whose id changed is renamed, not removed and added,
and one folded into another paper (`merged`) is removed from the feed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from paperset.memory import sorted_by
from paperset.schema import Paper, polars_schema
from paperset.storage.layout import CHANGES_DIR

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
        added=papers.select("paper_id", "title").join(
            kept, left_on="paper_id", right_on="now_id", how="anti"
        ),
        updated=updated.select(
            "paper_id", "title", "changed", previous_paper_id=pl.col("paper_id" + WAS)
        ),
        merged=merged.select("paper_id", "title", into="now_id"),
        removed=mapped.filter(pl.col("now_id").is_null()).select("paper_id", "title"),
    )


ADDED, UPDATED, REMOVED, RENAMED = "added", "updated", "removed", "renamed"
FEED_KEYS = pl.Schema(
    {
        "change": pl.String(),
        "paper_id": pl.String(),
        "previous_paper_id": pl.String(),
        "changed_columns": pl.List(pl.String()),
        "run_id": pl.String(),
        "committed_at": pl.Datetime("us", "UTC"),
    }
)


def feed_schema() -> pl.Schema:
    """The feed's columns: the change, then the paper's columns as committed."""
    paper = polars_schema(Paper)
    return pl.Schema({**FEED_KEYS, **{k: v for k, v in paper.items() if k != "paper_id"}})


def change_feed(
    before: pl.DataFrame, after: pl.DataFrame, run_id: str, committed_at: dt.datetime
) -> pl.DataFrame:
    """The changes from `before` (the rows a run re-made, as they were) to `after` (as the
    run made them): both in the Paper schema; papers in neither are unchanged."""
    diff = compare(before, after)
    renamed = pl.col("previous_paper_id") != pl.col("paper_id")
    updated = after.join(
        diff.updated.select("paper_id", "previous_paper_id", changed_columns="changed"),
        on="paper_id",
    ).with_columns(
        change=pl.when(renamed).then(pl.lit(RENAMED)).otherwise(pl.lit(UPDATED)),
        previous_paper_id=pl.when(renamed).then("previous_paper_id"),
    )
    gone = pl.concat([diff.removed["paper_id"], diff.merged["paper_id"]]).implode()
    # A filter keeps `after`'s order and shares its buffers when every paper is new (a
    # first build): the feed then costs no copy of the abstracts.
    added = after.filter(pl.col("paper_id").is_in(diff.added["paper_id"].implode()))
    parts = [
        added.with_columns(change=pl.lit(ADDED)),
        updated,
        before.filter(pl.col("paper_id").is_in(gone))
        .select("paper_id", "month", "topic")
        .with_columns(change=pl.lit(REMOVED)),
    ]
    schema = feed_schema()
    feed = pl.concat(parts, how="diagonal_relaxed").with_columns(
        run_id=pl.lit(run_id), committed_at=pl.lit(committed_at)
    )
    missing = [pl.lit(None).alias(c) for c in schema.names() if c not in feed.columns]
    return sorted_by(feed.with_columns(missing).select(schema.names()).cast(schema), "paper_id")


def feed_path(out_dir: Path, run_id: str) -> Path:
    """Where a run's feed lives once committed."""
    return out_dir / CHANGES_DIR / f"{run_id}.parquet"


def committed_feeds(out_dir: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """The feeds of committed runs in commit order, as the manifest lists them (a feed it
    does not list is the leftover of a commit that never finished)."""
    names = (manifest or {}).get("feeds", [])
    return [out_dir / CHANGES_DIR / name for name in names]


def uncommitted_feeds(out_dir: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """Feeds the manifest does not list: left by a commit that died before its manifest."""
    folder = out_dir / CHANGES_DIR
    listed = set((manifest or {}).get("feeds", []))
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if p.name not in listed)


def net_changes(feeds: list[pl.DataFrame]) -> pl.DataFrame:
    """The changes of several runs' feeds (oldest first) as one feed to apply.

    An id is deleted when its last deletion (removed, or renamed away from) comes after its
    last upsert; otherwise its last upserted row stands.
    """
    schema = feed_schema()
    if not feeds:
        return pl.DataFrame(schema=schema)
    rows = pl.concat([f.cast(schema) for f in feeds]).with_row_index("seq")
    deletes = pl.concat(
        [
            rows.filter(pl.col("change") == REMOVED).select("seq", "paper_id", "month", "topic"),
            rows.filter(pl.col("previous_paper_id").is_not_null()).select(
                "seq", paper_id="previous_paper_id", month=pl.lit(None), topic=pl.lit(None)
            ),
        ],
        how="vertical_relaxed",
    )
    last_delete = deletes.group_by("paper_id").agg(pl.all().sort_by("seq").last())
    upserts = rows.filter(pl.col("change") != REMOVED)
    last_upsert = upserts.group_by("paper_id").agg(pl.all().sort_by("seq").last())
    standing = last_upsert.join(
        last_delete.select("paper_id", deleted="seq"), on="paper_id", how="left"
    ).filter(pl.col("deleted").is_null() | (pl.col("seq") > pl.col("deleted")))
    removed = last_delete.join(
        last_upsert.select("paper_id", upserted="seq"), on="paper_id", how="left"
    ).filter(pl.col("upserted").is_null() | (pl.col("seq") > pl.col("upserted")))
    last_runs = rows.select("seq", "run_id", "committed_at")
    removed = removed.select("seq", "paper_id", "month", "topic").join(last_runs, on="seq")
    return (
        pl.concat([standing, removed.with_columns(change=pl.lit(REMOVED))], how="diagonal_relaxed")
        .select([pl.col(c) for c in schema.names()])
        .cast(schema)
        .sort("paper_id")
    )


def apply_changes(copy: pl.DataFrame, feed: pl.DataFrame) -> pl.DataFrame:
    """Apply one feed to a copy of the dataset (Paper columns): the consumer's side."""
    deleted = pl.concat(
        [
            feed.filter(pl.col("change") == REMOVED)["paper_id"],
            feed["previous_paper_id"].drop_nulls(),
            feed.filter(pl.col("change") != REMOVED)["paper_id"],
        ]
    )
    rows = feed.filter(pl.col("change") != REMOVED).select(copy.columns)
    kept = copy.filter(~pl.col("paper_id").is_in(deleted.implode()))
    return pl.concat([kept, rows]).sort("paper_id")
