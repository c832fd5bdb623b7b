"""Commits: layout, idempotence, incremental rewrites, removals, refusals, read-back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal
from test_storage_frames import STATE_A, STATE_B, commit, frame, paper, snapshot

from paperset.errors import OutputError
from paperset.schema import Paper, polars_schema
from paperset.storage import commit_papers, output_lock, read_papers
from paperset.storage.fsio import PARQUET_OPTIONS, parquet_bytes
from paperset.storage.layout import partition_file


def test_each_date_and_topic_gets_one_file_under_hive_folders(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    assert sorted(snapshot(tmp_path)) == [
        "papers/month=2024-01/topic=physics/part-0.parquet",
        "papers/month=2024-02/topic=computer-vision/part-0.parquet",
        "papers/month=2024-03/topic=efficient-ml/part-0.parquet",
        "papers/month=2024-04/topic=other/part-0.parquet",
        "papers/month=2024-07/topic=physics/part-0.parquet",
    ]


def test_files_hold_date_but_no_partition_keys_and_are_zstd(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    path = tmp_path / "papers/month=2024-01/topic=physics/part-0.parquet"
    metadata = pq.read_metadata(path)
    assert "month" not in metadata.schema.names
    assert "topic" not in metadata.schema.names
    assert "date" in metadata.schema.names
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_rows_in_a_file_are_sorted_by_paper_id(tmp_path: Path) -> None:
    commit(frame(paper(9), paper(2), paper(5)), tmp_path)
    stored = pl.read_parquet(tmp_path / "papers/month=2024-01/topic=physics/part-0.parquet")
    assert stored["paper_id"].to_list() == [
        "arxiv:2403.00002",
        "arxiv:2403.00005",
        "arxiv:2403.00009",
    ]


def test_a_partition_file_holds_the_same_bytes_whoever_it_is_committed_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scoped commits write some partitions only: a file's bytes must depend on its rows alone,
    # row groups included (2 rows each here, so the 5-paper partition spans three).
    monkeypatch.setitem(PARQUET_OPTIONS, "row_group_size", 2)
    big = [paper(n, "2024-09-15", "physics") for n in (15, 11, 14, 12, 13)]
    papers = frame(*STATE_A, *big)
    commit(papers, tmp_path / "whole")
    commit(frame(*big), tmp_path / "alone")
    name = "papers/month=2024-09/topic=physics/part-0.parquet"
    stored = (tmp_path / "whole" / name).read_bytes()
    assert stored == (tmp_path / "alone" / name).read_bytes()
    rows = frame(*big).sort("date", "paper_id").drop("month", "topic")
    assert stored == parquet_bytes(rows)
    assert pq.read_metadata(tmp_path / "whole" / name).num_row_groups == 3


@pytest.mark.parametrize("stage_rows", [1, 2])
def test_partitions_written_a_slice_of_rows_at_a_time_give_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage_rows: int
) -> None:
    papers = frame(*STATE_A, paper(3), paper(4, day="2024-07-15"))
    commit(papers, tmp_path / "whole")
    monkeypatch.setattr("paperset.storage.staging.STAGE_ROWS", stage_rows)
    commit(papers, tmp_path / "sliced")
    assert snapshot(tmp_path / "sliced") == snapshot(tmp_path / "whole")
    assert len(snapshot(tmp_path / "whole")) == 5


def test_read_papers_returns_the_committed_rows_with_typed_keys(tmp_path: Path) -> None:
    papers = frame(*STATE_B)
    commit(papers, tmp_path)
    assert_frame_equal(read_papers(tmp_path).sort("paper_id"), papers.sort("paper_id"))


def test_read_papers_of_a_new_folder_is_empty_with_the_paper_schema(tmp_path: Path) -> None:
    assert read_papers(tmp_path / "new").schema == polars_schema(Paper)


def test_files_from_before_a_schema_change_read_with_todays_columns(tmp_path: Path) -> None:
    old = tmp_path / "papers/month=2024-01/topic=physics/part-0.parquet"
    old.parent.mkdir(parents=True)
    frame(paper(1)).drop("doi", "date", "topic").with_columns(gone=pl.lit(1)).write_parquet(old)
    loaded = read_papers(tmp_path)
    assert loaded.schema == polars_schema(Paper)
    assert loaded["doi"].to_list() == [None]


def test_rerun_over_unchanged_papers_rewrites_no_file(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    before = {p: p.stat().st_ino for p in tmp_path.rglob("*") if p.is_file()}
    result = commit(frame(*STATE_A), tmp_path, run_id="run-2")
    assert (result.written, result.removed, len(result.unchanged)) == ((), (), 5)
    assert {p: p.stat().st_ino for p in tmp_path.rglob("*") if p.is_file()} == before


def test_rerun_with_rows_shuffled_and_chunked_keeps_identical_bytes(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    before = snapshot(tmp_path)
    shuffled = pl.concat([frame(*STATE_A[3:]), frame(*STATE_A[:3])], rechunk=False)
    assert commit(shuffled, tmp_path, run_id="run-2").written == ()
    assert snapshot(tmp_path) == before


def test_rerun_after_a_read_back_rewrites_no_file(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    assert commit(read_papers(tmp_path), tmp_path, run_id="run-2").written == ()


def test_only_partitions_whose_content_changed_are_rewritten(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    kept = tmp_path / "papers/month=2024-01/topic=physics/part-0.parquet"
    inode = kept.stat().st_ino
    result = commit(frame(*STATE_B), tmp_path, run_id="run-2")
    assert "papers/month=2024-07/topic=physics/part-0.parquet" in result.written
    assert result.unchanged == ("papers/month=2024-01/topic=physics/part-0.parquet",)
    assert len(result.written) == 5
    assert kept.stat().st_ino == inode


def test_papers_that_moved_date_or_topic_leave_no_stale_partition(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    result = commit(frame(*STATE_B), tmp_path, run_id="run-2")
    assert result.removed == (
        "papers/month=2024-02/topic=computer-vision/part-0.parquet",
        "papers/month=2024-03/topic=efficient-ml/part-0.parquet",
        "papers/month=2024-04/topic=other/part-0.parquet",
    )
    assert not (tmp_path / "papers/month=2024-03").exists()
    assert not (tmp_path / "papers/month=2024-02/topic=computer-vision").exists()
    assert read_papers(tmp_path).height == len(STATE_B)


def test_an_empty_run_deletes_nothing(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    before = snapshot(tmp_path)
    result = commit(frame(), tmp_path, run_id="run-2")
    assert (result.removed, result.rows) == ((), len(STATE_A))
    assert snapshot(tmp_path) == before


def test_an_empty_run_on_a_new_folder_writes_an_empty_manifest(tmp_path: Path) -> None:
    result = commit(frame(), tmp_path)
    assert json.loads(result.manifest.read_text())["files"] == {}


def test_a_stray_parquet_file_under_papers_is_removed(tmp_path: Path) -> None:
    stray = tmp_path / "papers/month=2024-01/topic=physics/part-1.parquet"
    stray.parent.mkdir(parents=True)
    frame(paper(1)).write_parquet(stray)
    commit(frame(paper(2)), tmp_path)
    assert not stray.exists()


def test_staging_left_by_a_killed_run_is_cleared(tmp_path: Path) -> None:
    leftover = tmp_path / ".staging/old-run/papers/month=2024-01/topic=physics/part-0.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")
    commit(frame(paper(1)), tmp_path)
    assert not (tmp_path / ".staging").exists()


def test_month_partitions_keep_the_exact_date_inside_the_files(tmp_path: Path) -> None:
    commit(frame(paper(1, "2024-03-17")), tmp_path)
    assert list(snapshot(tmp_path)) == ["papers/month=2024-03/topic=physics/part-0.parquet"]
    papers = read_papers(tmp_path)
    assert papers.select("date", "month").row(0) == (dt.date(2024, 3, 17), "2024-03")
    assert papers.schema["month"] == pl.String


def test_rows_in_a_file_are_sorted_by_date_then_paper_id(tmp_path: Path) -> None:
    commit(frame(paper(9, "2024-03-02"), paper(2, "2024-03-20"), paper(5, "2024-03-02")), tmp_path)
    stored = pl.read_parquet(tmp_path / "papers/month=2024-03/topic=physics/part-0.parquet")
    assert stored["paper_id"].to_list() == [
        "arxiv:2403.00005",
        "arxiv:2403.00009",
        "arxiv:2403.00002",
    ]


def test_commit_without_the_writer_lock_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="output_lock"):
        commit_papers(frame(paper(1)), tmp_path, "run-1")


def test_commit_under_another_run_ids_lock_is_refused(tmp_path: Path) -> None:
    with output_lock(tmp_path, "run-1"), pytest.raises(RuntimeError, match="run-2"):
        commit_papers(frame(paper(1)), tmp_path, "run-2")


@pytest.mark.parametrize("run_id", ["../up", "a/b", "", ".hidden", "x" * 129])
def test_a_run_id_that_is_not_a_plain_name_is_refused(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(ValueError, match="run id"):
        commit_papers(frame(paper(1)), tmp_path, run_id)


@pytest.mark.parametrize("topic", ["../../etc", "a/b", "Physics", "", "-x", "x" * 65, "é"])
def test_a_topic_that_is_not_a_slug_is_refused_before_writing(tmp_path: Path, topic: str) -> None:
    with pytest.raises(ValueError, match="not a month and a slug"):
        commit(frame(paper(1, topic=topic)), tmp_path)
    assert snapshot(tmp_path) == {}


@pytest.mark.parametrize("month", [None, "2024-3", "2024-13", "../x"])
def test_a_month_that_is_not_yyyy_mm_is_refused(tmp_path: Path, month: str | None) -> None:
    with pytest.raises(ValueError, match="not a month and a slug"):
        commit(frame(paper(1, month=month)), tmp_path)


def test_a_frame_with_other_columns_than_paper_is_refused(tmp_path: Path) -> None:
    papers = frame(paper(1)).with_columns(extra=pl.lit(1))
    with pytest.raises(ValueError, match=r"extra \['extra'\]"):
        commit(papers, tmp_path)


@pytest.mark.parametrize(
    ("date", "topic"),
    [
        ("2024-01-15", "physics"),
        (dt.datetime(2024, 3, 1), "physics"),
        (None, "physics"),
        (dt.date(2024, 3, 1), "../x"),
    ],
)
def test_partition_file_accepts_only_a_real_date_and_a_slug(date: object, topic: str) -> None:
    with pytest.raises(ValueError, match="partition"):
        partition_file(date, topic)


def test_a_partition_folder_linked_outside_the_dataset_is_never_written_through(
    tmp_path: Path,
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    commit(frame(paper(1)), out)
    date_folder = out / "papers/month=2024-01"
    (elsewhere / "topic=physics").mkdir(parents=True)
    for path in sorted(date_folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    date_folder.rmdir()
    date_folder.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="resolves outside"):
        commit(frame(paper(1), paper(2)), out, run_id="run-2")
    assert list(elsewhere.rglob("*.parquet")) == []


def test_a_scoped_commit_leaves_other_partitions_alone(tmp_path: Path) -> None:
    commit(frame(*STATE_A), tmp_path)
    before = snapshot(tmp_path)
    march_2 = "papers/month=2024-02/topic=computer-vision/part-0.parquet"
    moved = paper(3, "2024-09-15", topic="computer-vision")
    with output_lock(tmp_path, "run-2"):
        result = commit_papers(
            frame(moved),
            tmp_path,
            "run-2",
            scope={march_2, "papers/month=2024-09/topic=computer-vision/part-0.parquet"},
        )
    after = snapshot(tmp_path)
    assert result.removed == (march_2,)
    assert march_2 not in after
    assert {k: v for k, v in after.items() if k in before} == {
        k: v for k, v in before.items() if k != march_2
    }
    papers = read_papers(tmp_path)
    assert papers.height == len(STATE_A)
    assert papers.filter(pl.col("paper_id") == moved["paper_id"])["date"].to_list() == [
        dt.date(2024, 9, 15)
    ]
