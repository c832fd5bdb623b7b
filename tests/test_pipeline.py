"""The build as plain functions: batches taken in on a thread of their own, in order."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE
from helpers import build

from paperset import pipeline
from paperset.dedup.intake import Ingested
from paperset.ingest.parse import parse_dumps
from paperset.storage import read_papers


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return raw


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 20 kB: each sample file is read in several parts, each a batch."""
    monkeypatch.setattr("paperset.ingest.batches.BATCH_BYTES", 20_000)


def test_a_build_in_many_small_batches_equals_one_in_a_single_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path)
    one = build(raw, tmp_path / "one")
    monkeypatch.setattr("paperset.ingest.batches.BATCH_BYTES", 20_000)
    many = build(raw, tmp_path / "many")
    assert many["records"] == one["records"]
    expected = read_papers(tmp_path / "one").drop("ingested_at").sort("paper_id")
    assert read_papers(tmp_path / "many").drop("ingested_at").sort("paper_id").equals(expected)
    assert sum(many["stage_seconds"].values()) > 0


@pytest.mark.usefixtures("small_batches")
def test_a_batch_that_fails_to_be_taken_in_fails_the_run_and_commits_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path)
    taken: list[object] = []
    add_batch = Ingested.add_batch

    def failing(self: Ingested, result: object) -> None:
        if len(taken) == 2:
            raise OSError("disk full")
        taken.append(result)
        add_batch(self, result)  # type: ignore[arg-type]

    monkeypatch.setattr(Ingested, "add_batch", failing)
    with pytest.raises(OSError, match="disk full"):
        build(raw, tmp_path / "out")
    assert not (tmp_path / "out" / "papers").exists()
    report = next((tmp_path / "out" / "runs").glob("*.json")).read_text()
    assert '"status": "failed"' in report and "disk full" in report


@pytest.mark.usefixtures("small_batches")
def test_when_a_batch_fails_to_be_taken_in_and_the_next_fails_to_parse_the_first_failure_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path)
    parsed: list[object] = []
    taken: list[object] = []

    def parse_then_fail(*args: Any) -> Any:
        if len(parsed) == 2:
            raise ValueError("parse of batch 3 failed")
        parsed.append(args)
        return parse_dumps(*args)

    def intake_fails_at_batch_2(self: Ingested, result: Any) -> None:
        taken.append(result)
        if len(taken) == 2:
            raise OSError("disk full at batch 2")

    monkeypatch.setattr(Ingested, "add_batch", intake_fails_at_batch_2)
    with pytest.raises(OSError, match="disk full at batch 2") as raised:
        build(raw, tmp_path / "out", pipeline.Stages(parse=parse_then_fail))
    assert "parse of batch 3 failed" in str(raised.value.__context__)
    report = next((tmp_path / "out" / "runs").glob("*.json")).read_text()
    assert "disk full at batch 2" in report


def test_a_segment_that_fails_beside_a_failing_merge_is_the_runs_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def segment_fails(*args: Any) -> None:
        raise OSError("segment disk full")

    def merge_fails(*args: Any, **kwargs: Any) -> None:
        raise ValueError("merge failed")

    monkeypatch.setattr(pipeline, "write_segment", segment_fails)
    with pytest.raises(OSError, match="segment disk full"):
        build(_raw(tmp_path), tmp_path / "out", pipeline.Stages(merge=merge_fails))
    assert not (tmp_path / "out" / "papers").exists()
