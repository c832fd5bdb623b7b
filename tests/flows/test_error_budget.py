import json
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE
from helpers import arxiv_record

from flows.build import build_dataset
from paperset.errors import ErrorBudgetExceeded

pytestmark = pytest.mark.usefixtures("prefect_harness")


def bad_listing(n: int) -> str:
    return "\n\n".join(
        arxiv_record(arxiv_id=f"2401.{i:05d}", created="2024-13-45") for i in range(n)
    )


def test_a_run_over_the_error_budget_fails_but_writes_quarantine_and_report(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text((SAMPLE / "000_ef85521408f933cc.txt").read_text())
    (raw / "bad.txt").write_text(bad_listing(5))
    out = tmp_path / "out"
    with pytest.raises(ErrorBudgetExceeded, match="5 of 15"):
        build_dataset(raw_dir=str(raw), out_dir=str(out))
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert (report["status"], report["error_budget"]["exceeded"]) == ("failed", True)
    assert pl.read_parquet(out / "quarantine" / "*.parquet").height == 5
    assert not list((out / "papers").rglob("*.parquet"))  # a failed run commits nothing


def test_a_larger_error_budget_lets_the_same_run_commit_the_good_records(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text((SAMPLE / "000_ef85521408f933cc.txt").read_text())
    (raw / "bad.txt").write_text(bad_listing(5))
    report = build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"), error_budget=0.5)
    assert report["records"]["quarantined_by_reason"] == {"impossible date": 5}
    assert report["papers"]["total"] == 10
