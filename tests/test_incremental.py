"""Across runs: merging into the existing dataset, re-runs, and runs split differently."""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLE
from helpers import hf_page

from flows.build import build_dataset
from paperset.storage import read_papers

pytestmark = pytest.mark.usefixtures("prefect_harness")
SEEDS = sorted(p.name for p in SAMPLE.iterdir())


def raw_with(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(SAMPLE / name, folder / name)
    return folder


def comparable(out: Path) -> pl.DataFrame:
    return read_papers(out).drop("ingested_at").sort("paper_id")


def test_new_dumps_in_a_second_run_merge_into_the_dataset(tmp_path: Path) -> None:
    build_dataset(
        raw_dir=str(raw_with(tmp_path / "day1", SEEDS[:3])), out_dir=str(tmp_path / "split")
    )
    build_dataset(
        raw_dir=str(raw_with(tmp_path / "day2", SEEDS[3:])), out_dir=str(tmp_path / "split")
    )
    build_dataset(raw_dir=str(raw_with(tmp_path / "all", SEEDS)), out_dir=str(tmp_path / "whole"))
    split, whole = comparable(tmp_path / "split"), comparable(tmp_path / "whole")
    assert split.height == 268
    assert split.equals(whole)


def test_a_rerun_over_unchanged_input_rewrites_nothing(tmp_path: Path) -> None:
    raw = raw_with(tmp_path / "raw", SEEDS)
    build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    manifest = (tmp_path / "out" / "_meta" / "manifest.json").read_text()
    report = build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    assert report["partitions"]["written"] == 0 and report["partitions"]["removed"] == 0
    assert (report["papers"]["new"], report["papers"]["updated"]) == (0, 0)
    assert (
        json.loads((tmp_path / "out" / "_meta" / "manifest.json").read_text())["files"]
        == json.loads(manifest)["files"]
    )


def test_a_papers_page_naming_two_arxiv_only_papers_gives_them_titles(tmp_path: Path) -> None:
    raw = raw_with(tmp_path / "raw", SEEDS)
    listing = (SAMPLE / SEEDS[0]).read_text().split("\n\n")
    abstracts = [listing[0], listing[3]]  # the first two records' abstract paragraphs
    page = hf_page(
        ("Weak Gravity Bounds From Loops", abstracts[0]),
        ("One-Loop Positivity Bounds", abstracts[1]),
        date="Feb 20",
    )
    (raw / "extra-page.txt").write_text(page)
    report = build_dataset(raw_dir=str(raw), out_dir=str(tmp_path / "out"))
    assert (report["papers"]["total"], report["papers"]["arxiv_only"]) == (268, 8)
    titled = read_papers(tmp_path / "out").filter(
        pl.col("arxiv_id").is_in(["2502.10375", "2501.09717"])
    )
    assert sorted(titled["title"].to_list()) == [
        "One-Loop Positivity Bounds",
        "Weak Gravity Bounds From Loops",
    ]
