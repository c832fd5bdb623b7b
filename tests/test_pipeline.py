"""The build as plain functions: batches taken in on a thread of their own, in order."""

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE
from helpers import build

from paperset.dedup.intake import Ingested
from paperset.storage import read_papers


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return raw


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


def test_a_batch_that_fails_to_be_taken_in_fails_the_run_and_commits_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _raw(tmp_path)
    monkeypatch.setattr("paperset.ingest.batches.BATCH_BYTES", 20_000)
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
