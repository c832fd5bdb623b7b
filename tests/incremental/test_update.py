"""Placing a run's re-made papers beside the rows their partitions keep."""

from pathlib import Path

import polars as pl
import pytest

from paperset.errors import InvariantBroken
from paperset.incremental.update import Before, apply_papers
from paperset.schema import Paper, polars_schema

PAPER = polars_schema(Paper)

SCOPE = "papers/month=2024-07/topic=other/part-0.parquet"  # the partition both hold


def papers(*ids: str) -> pl.DataFrame:
    """Rows of the contract's columns in the one partition, only their ids told apart."""
    keys = {"paper_id": list(ids), "month": ["2024-07"] * len(ids), "topic": ["other"] * len(ids)}
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
