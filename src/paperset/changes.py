"""The change feed: what each committing run did to the dataset, one row per paper it changed.

`changes/<run_id>.parquet` holds a row per paper the run `added`, `updated`, `removed` or
`renamed` (a paper whose `paper_id` changed: `previous_paper_id` is the id it had). Rows
carry the paper's new columns (null for `removed`), so a copy of the dataset is kept in
sync by applying the feeds in run order: delete every `removed` id and every
`previous_paper_id`, then upsert every other row by `paper_id`. `changed_columns` names
what an update changed; a change of `month` or `topic` moved the paper to another
partition. The feed is staged with the partitions and published just before the manifest,
so a committed run always has its feed and a run that did not commit has none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from paperset.schema import Paper, polars_schema

CHANGES_DIR = "changes"
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
    columns = [c for c in polars_schema(Paper).names() if c != "paper_id"]
    old_ids = before["paper_id"].implode()
    new_ids = after["paper_id"].implode()
    arrived = after.filter(~pl.col("paper_id").is_in(old_ids))
    renames = _renames(arrived, before, new_ids)
    added = arrived.join(renames, on="paper_id", how="left")
    gone = before.filter(
        ~pl.col("paper_id").is_in(new_ids)
        & ~pl.col("paper_id").is_in(renames["previous_paper_id"].implode())
    )
    kept = after.join(before, on="paper_id", suffix="__old")
    differs = [pl.when(pl.col(c).ne_missing(pl.col(f"{c}__old"))).then(pl.lit(c)) for c in columns]
    updated = kept.with_columns(changed_columns=pl.concat_list(differs).list.drop_nulls()).filter(
        pl.col("changed_columns").list.len() > 0
    )
    parts = [
        added.with_columns(
            change=pl.when(pl.col("previous_paper_id").is_null())
            .then(pl.lit(ADDED))
            .otherwise(pl.lit(RENAMED))
        ),
        updated.with_columns(change=pl.lit(UPDATED)),
        gone.select("paper_id", "month", "topic").with_columns(change=pl.lit(REMOVED)),
    ]
    schema = feed_schema()
    feed = pl.concat(parts, how="diagonal_relaxed").with_columns(
        run_id=pl.lit(run_id), committed_at=pl.lit(committed_at)
    )
    missing = [pl.lit(None).alias(c) for c in schema.names() if c not in feed.columns]
    return feed.with_columns(missing).select(schema.names()).cast(schema).sort("paper_id")


def _renames(arrived: pl.DataFrame, before: pl.DataFrame, new_ids: pl.Series) -> pl.DataFrame:
    """New ids that replace a former one: `paper_id`, `previous_paper_id` (each once)."""
    gone = before.filter(~pl.col("paper_id").is_in(new_ids))["paper_id"].implode()
    claims = (
        arrived.select("paper_id", previous_paper_id="aliases")
        .explode("previous_paper_id")
        .filter(pl.col("previous_paper_id").is_in(gone))
        .sort("paper_id", "previous_paper_id")
    )
    return claims.unique("paper_id", keep="first", maintain_order=True).unique(
        "previous_paper_id", keep="first", maintain_order=True
    )


def feed_path(out_dir: Path, run_id: str) -> Path:
    """Where a run's feed lives once committed."""
    return out_dir / CHANGES_DIR / f"{run_id}.parquet"


def committed_feeds(out_dir: Path, last_run_id: str | None) -> list[Path]:
    """The feeds of committed runs, oldest first (a feed newer than the manifest's run is a
    leftover of a commit that never finished, and not part of the history)."""
    folder = out_dir / CHANGES_DIR
    if last_run_id is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if p.stem <= last_run_id)


def uncommitted_feeds(out_dir: Path, last_run_id: str | None) -> list[Path]:
    """Feeds newer than the manifest's run: left by a commit that died before its manifest."""
    folder = out_dir / CHANGES_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob("*.parquet") if last_run_id is None or p.stem > last_run_id
    )


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
