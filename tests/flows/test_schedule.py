"""Scheduled operation: the deployment, incremental ingestion, and the history commands."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE

from flows.build import build_dataset
from flows.serve import build_deployment, schedule_of
from paperset.storage import read_papers

SEEDS = sorted(p.name for p in SAMPLE.iterdir())


def test_served_deployment_has_the_schedule_timezone_and_one_run_at_a_time() -> None:
    schedule = schedule_of("30 5 * * 1-5", None, "Europe/Paris")
    deployment = build_deployment(schedule, {"raw_dir": "data/raw"})
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 5 * * 1-5", "Europe/Paris")
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert deployment.parameters == {"raw_dir": "data/raw"}


def add(raw: Path, names: list[str]) -> Path:
    raw.mkdir(exist_ok=True)
    for name in names:
        shutil.copy2(SAMPLE / name, raw / name)
    return raw


@pytest.mark.usefixtures("prefect_harness")
def test_daily_runs_read_only_new_files_and_equal_one_run_over_all(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    day1 = build_dataset(raw_dir=str(add(raw, SEEDS[:3])), out_dir=str(out))
    first_seen = read_papers(out).select("paper_id", "ingested_at")
    day2 = build_dataset(raw_dir=str(add(raw, SEEDS[3:])), out_dir=str(out))
    after = read_papers(out).select("paper_id", "ingested_at")
    assert (
        first_seen.join(after, on="paper_id", suffix="_after")
        .filter(pl.col("ingested_at") != pl.col("ingested_at_after"))
        .is_empty()
    )
    day3 = build_dataset(raw_dir=str(raw), out_dir=str(out))
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "once"))
    assert (day1["files"]["parsed"], day2["files"]["parsed"], day2["files"]["unchanged"]) == (
        3,
        2,
        3,
    )
    assert (day3["files"]["parsed"], day3["records"]["read"], day3["partitions"]["written"]) == (
        0,
        0,
        0,
    )
    assert day3["papers"]["new"] == day3["papers"]["updated"] == 0
    once = read_papers(tmp_path / "once").drop("ingested_at")
    assert read_papers(out).drop("ingested_at").equals(once)


@pytest.mark.usefixtures("prefect_harness")
def test_an_edited_raw_file_replaces_its_old_sightings(tmp_path: Path) -> None:
    raw, out = add(tmp_path / "raw", SEEDS), tmp_path / "out"
    build_dataset(raw_dir=str(raw), out_dir=str(out))
    page = raw / SEEDS[1]
    paragraphs = page.read_text().split("\n\n")
    page.write_text("\n\n".join(paragraphs[:-2]))  # the editor dropped the last paper
    report = build_dataset(raw_dir=str(raw), out_dir=str(out))
    papers = read_papers(out)
    assert report["files"]["parsed"] == 1
    assert papers.height == 267
    assert papers["n_sightings"].sum() == 280  # no sighting of the edited file counted twice


@pytest.mark.usefixtures("prefect_harness")
def test_full_rebuild_rereads_every_file(tmp_path: Path) -> None:
    raw, out = add(tmp_path / "raw", SEEDS), tmp_path / "out"
    build_dataset(raw_dir=str(raw), out_dir=str(out))
    report = build_dataset(raw_dir=str(raw), out_dir=str(out), full=True)
    assert (report["files"]["parsed"], report["partitions"]["written"]) == (5, 0)


def test_runs_and_status_print_the_figures_from_the_files(built_sample: tuple[Path, dict]) -> None:
    out, report = built_sample
    env = os.environ | {"PREFECT_HOME": str(out.parent / "prefect")}
    runs = subprocess.run(
        [sys.executable, "-m", "flows.cli", "runs", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    status = subprocess.run(
        [sys.executable, "-m", "flows.cli", "status", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert report["run_id"] in runs and "succeeded" in runs and " 268 " in runs
    assert "papers:           268" in status
    assert f"last_run:         {report['run_id']}" in status


@pytest.mark.usefixtures("prefect_harness")
def test_a_changed_topic_model_moves_papers_and_removes_their_old_partitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from paperset.topics import assign as topics

    raw, out = add(tmp_path / "raw", SEEDS), tmp_path / "out"
    build_dataset(raw_dir=str(raw), out_dir=str(out))
    before = read_papers(out)

    # A retrained model that leans hard to `other`: its fingerprint changes the classifier's
    # version, which re-classifies every paper, though no raw file changed.
    model = topics.shipped_model()
    bias = model.bias.copy()
    bias[model.topics.index("other")] += 50.0
    monkeypatch.setattr(topics, "shipped_model", lambda: dataclasses.replace(model, bias=bias))
    report = build_dataset(raw_dir=str(raw), out_dir=str(out))
    partitions = {p.name for p in (out / "papers").glob("month=*/topic=*")}
    assert partitions == {"topic=other"}
    assert set(before["topic"]) != {"other"}
    assert report["partitions"]["removed"] > 0 and report["files"]["parsed"] == 0
    assert read_papers(out).height == 268


def test_serve_passes_the_build_options_to_every_scheduled_run() -> None:
    from flows.cli import _parser
    from flows.cli_ops import serve_parameters

    args = _parser().parse_args(
        [
            "serve",
            "--raw",
            "in",
            "--out",
            "out",
            "--year",
            "2025",
            "--error-budget",
            "0.2",
            "--no-near-duplicates",
        ]
    )
    assert serve_parameters(args) == {
        "raw_dir": "in",
        "out_dir": "out",
        "year": 2025,
        "error_budget": 0.2,
        "near_duplicates": False,
    }
    schedule = schedule_of(args.cron, args.interval, args.timezone)
    deployment = build_deployment(schedule, serve_parameters(args))
    assert deployment.parameters["year"] == 2025


def test_an_interval_replaces_the_cron_schedule() -> None:
    from flows.cli import _parser

    args = _parser().parse_args(["serve", "--interval", "30"])
    (schedule,) = build_deployment(schedule_of(args.cron, args.interval, "UTC"), {}).schedules
    assert schedule.schedule.interval.total_seconds() == 30
