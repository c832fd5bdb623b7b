"""The benchmark cannot rot: its corpus matches what the parsers read, and a small run of
every variant produces the tables and dedup figures (the targets are not asserted here)."""

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from paperset.ingest.batches import read_dumps
from paperset.ingest.discover import discover_raw_files
from paperset.ingest.parse import parse_dumps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # bench/ sits beside src/, outside the installed packages

from bench.generate import generate_corpus  # noqa: E402

VARIANTS = {
    "floor",
    "build",
    "build-exact",
    "duckdb",
    "build-dask",
    "build-listings",
    "build-one-file",
    "incremental",
}


def _digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != "corpus.json"
    }


def test_same_seed_writes_the_same_corpus_byte_for_byte(tmp_path: Path) -> None:
    first = generate_corpus(400, tmp_path / "a", seed=3, n_delta=60)
    second = generate_corpus(400, tmp_path / "b", seed=3, n_delta=60)
    assert _digest(first.root) == _digest(second.root)
    assert pl.read_parquet(first.truth).height == 460


def test_truth_names_every_record_the_parsers_find_and_only_malformed_ones_are_rejected(
    tmp_path: Path,
) -> None:
    corpus = generate_corpus(3000, tmp_path / "corpus", n_delta=0)
    batch = read_dumps(discover_raw_files(corpus.raw).files)
    parsed = parse_dumps(batch.dumps, None, 64 * 1024, dt.date(2030, 1, 1)).records
    found = parsed.select(file="source_file", line="line", rejected=pl.col("reason").is_not_null())
    truth = pl.read_parquet(corpus.truth)
    joined = truth.join(found, on=["file", "line"], how="full", coalesce=True)
    assert joined.filter(pl.col("kind").is_null() | pl.col("rejected").is_null()).is_empty()
    assert joined.filter(pl.col("rejected") != (pl.col("kind") == "malformed")).is_empty()
    assert set(truth["kind"]) == {"original", "exact", "near", "cross", "malformed"}


@pytest.mark.slow
def test_small_benchmark_reports_every_variant_with_dedup_quality(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--n",
        "300",
        "--delta",
        "100",
        "--out",
        str(tmp_path),
    ]
    result = subprocess.run(
        [*command, "--prefect", "shared"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = json.loads((tmp_path / "latest.json").read_text())
    # The kernels were compiled into a fresh cache before any variant ran.
    kernels = document["kernels"]
    assert kernels["sample_cold_s"] > kernels["sample_warm_s"] > 0
    assert list((tmp_path / "numba-cache").rglob("*.nbi")), "the variants' shared cache is empty"
    run = document["runs"][0]
    assert set(run["variants"]) == VARIANTS
    assert all(
        v["exit_code"] == 0 and v["seconds"] > 0 and v["peak_rss_mb"] > 0
        for v in run["variants"].values()
    )
    assert {"parse", "merge", "commit"} <= set(run["variants"]["build"]["stage_seconds"])
    assert set(run["quality"]) == {"build", "build-exact", "build-dask", "incremental"}
    dask, in_process = (run["quality"][name] for name in ("build-dask", "build"))
    assert dask["built_papers"] == in_process["built_papers"]
    for quality in run["quality"].values():
        assert 0 <= quality["pair_recall"] <= 1 and 0 <= quality["near_dup_recall"] <= 1
        assert quality["false_merges_per_10k"] is not None
        assert set(quality["checks"].values()) == {0}
    assert "x floor" in result.stdout and "near_dup_recall" in result.stdout
    readers = run["readers"]
    assert set(readers["queries"]) == {
        "duckdb count by topic",
        "duckdb one quarter, one topic",
        "duckdb abstract ILIKE '%diffusion%'",
        "polars count by topic",
    }
    assert all(
        q["partitioned_s"] > 0 and q["single_file_s"] > 0 for q in readers["queries"].values()
    )
    assert readers["files"]["count"] == run["variants"]["build"]["parquet_files"]
    assert "single file" in result.stdout


def test_a_variants_peak_rss_is_its_own_not_the_benchmarks(tmp_path: Path) -> None:
    import os

    from bench.measure import run_measured

    ballast = bytearray(300 << 20)  # the benchmark holding a corpus: 300 MB resident
    ballast[::4096] = b"x" * len(ballast[::4096])
    small = [sys.executable, "-c", "pass"]
    measured = run_measured(small, env=dict(os.environ), cwd=REPO, log=tmp_path / "log.txt")
    assert measured.exit_code == 0
    assert measured.peak_rss_mb < 100


def test_the_profile_builds_in_process_and_prints_each_stages_time_and_memory(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "bench.profile", str(REPO / "data" / "raw"), str(tmp_path)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "peak during ingest" in result.stdout and "peak during commit" in result.stdout
    assert any(line.startswith("merge") for line in result.stdout.splitlines())
    assert list((tmp_path / "papers").rglob("*.parquet"))
