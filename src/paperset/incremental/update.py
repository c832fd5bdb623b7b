"""Apply one run's re-made papers to the dataset, touching only the partitions they touch.

A run re-makes the papers its sightings affect (`merge_index`). Their rows leave the
partitions they were in; the re-made rows go to the partitions they now belong in; every
other row of those partitions stays. When every sighting was re-merged, the re-made papers
are the whole dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from paperset.errors import InvariantBroken
from paperset.incremental.merge_index import MergeWork
from paperset.storage import read_papers, read_partitions
from paperset.storage.layout import partition_files, partition_name


@dataclass(frozen=True)
class Before:
    """The dataset around the affected papers before this run.

    `previous`: the affected papers' rows (the whole dataset when everything is re-made);
    `neighbours`: the other rows of their partitions; `scope`: those partitions' files,
    None when the whole dataset is re-made.
    """

    previous: pl.DataFrame
    neighbours: pl.DataFrame
    scope: set[str] | None


@dataclass(frozen=True)
class Update:
    """The rows of every partition the run rewrites, and which partitions those are."""

    papers: pl.DataFrame
    scope: set[str] | None


def read_before(out_dir: Path, work: MergeWork) -> Before:
    """Read the partitions that hold the affected papers now."""
    if work.everything:
        whole = read_papers(out_dir)
        return Before(whole, whole.clear(), None)
    scope = partition_files(work.placed)
    rows = read_partitions(out_dir, scope)
    affected = pl.col("paper_id").is_in(work.placed["paper_id"].implode())
    return Before(rows.filter(affected), rows.filter(~affected), scope)


def apply_papers(out_dir: Path, before: Before, remade: pl.DataFrame) -> Update:
    """Put the re-made papers (validated) in their partitions beside the rows that stay
    there (validated by the run that wrote them), in no set order: the commit sorts each
    partition's rows itself.

    A paper id among both would be a paper the run should have re-made and did not: the
    run fails rather than commit it twice.
    """
    if before.scope is None:
        return Update(remade, None)
    arriving = partition_files(remade.select("month", "topic")) - before.scope
    neighbours = pl.concat([before.neighbours, read_partitions(out_dir, arriving)])
    twice = neighbours.filter(pl.col("paper_id").is_in(remade["paper_id"].implode()))
    if not twice.is_empty():
        raise InvariantBroken(
            f"paper {twice['paper_id'][0]} was re-made by this run and also left as it was"
        )
    papers = pl.concat([neighbours, remade.select(neighbours.columns)])
    return Update(papers, before.scope | arriving)


def changed_partitions(update: Update, before: Before, feed: pl.DataFrame) -> Update:
    """Only the partitions of `update` that the run's change feed touches: where a changed
    paper is now, and where it, or a paper it replaced, was.

    The other partitions in scope hold the same rows as they do on disk, so the commit
    would write the same bytes: it leaves them alone without serialising them.
    """
    if update.scope is None:
        return update
    changed = pl.concat([feed["paper_id"], feed["previous_paper_id"].drop_nulls()])
    left = before.previous.filter(pl.col("paper_id").is_in(changed.implode()))
    places = pl.concat([feed.select("month", "topic"), left.select("month", "topic")])
    touched = partition_files(places) & update.scope
    rows = update.papers.filter(
        partition_name().is_in(pl.Series(list(touched), dtype=pl.String).implode())
    )
    return Update(rows, touched)
