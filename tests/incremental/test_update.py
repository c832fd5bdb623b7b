"""Placing a run's re-made papers beside the rows their partitions keep."""

from pathlib import Path

import polars as pl
import pytest

from paperset.errors import InvariantBroken
from paperset.incremental.update import Before, Update, apply_papers, changed_partitions
from paperset.schema import Paper, polars_schema

PAPER = polars_schema(Paper)

SCOPE = "papers/month=2024-07/topic=other/part-0.parquet"  # the partition both hold


def papers(*ids: str, topic: str = "other") -> pl.DataFrame:
    """Rows of the contract's columns in one partition, only their ids told apart."""
    keys = {"paper_id": list(ids), "month": ["2024-07"] * len(ids), "topic": [topic] * len(ids)}
    rest = [pl.lit(None, dtype).alias(n) for n, dtype in PAPER.items() if n not in keys]
    return pl.DataFrame(keys).with_columns(rest).select(PAPER.names()).cast(PAPER)


def test_re_made_papers_join_the_rows_their_partition_keeps(tmp_path: Path) -> None:
    before = Before(papers("arxiv:2"), papers("arxiv:1"), {SCOPE})
    update = apply_papers(tmp_path, before, papers("arxiv:2", "arxiv:3"))
    assert sorted(update.papers["paper_id"]) == ["arxiv:1", "arxiv:2", "arxiv:3"]


def test_a_paper_both_re_made_and_kept_fails_the_run(tmp_path: Path) -> None:
    # The affected set missed a paper: committing would write it twice.
    before = Before(papers(), papers("arxiv:1", "arxiv:2"), {SCOPE})
    with pytest.raises(InvariantBroken, match="arxiv:2 was re-made by this run and also left"):
        apply_papers(tmp_path, before, papers("arxiv:2"))


def test_only_the_partitions_a_change_touches_are_committed() -> None:
    physics = SCOPE.replace("other", "physics")
    kept, moved = papers("arxiv:1"), papers("arxiv:2", topic="physics")
    update = Update(pl.concat([kept, moved]), {SCOPE, physics})
    # arxiv:2 changed in place; arxiv:1 was re-made as it was.
    feed = moved.select("paper_id", "month", "topic", previous_paper_id=pl.lit(None, pl.String))
    changed = changed_partitions(update, Before(update.papers, papers(), {SCOPE, physics}), feed)
    assert changed.scope == {physics}
    assert changed.papers["paper_id"].to_list() == ["arxiv:2"]
    # A paper that left a partition (renamed and moved to physics) touches both.
    feed = feed.with_columns(previous_paper_id=pl.lit("arxiv:1"))
    before = Before(kept, papers(), {SCOPE, physics})
    changed = changed_partitions(Update(moved, {SCOPE, physics}), before, feed)
    assert changed.scope == {SCOPE, physics}
