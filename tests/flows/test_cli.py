import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from helpers import ABSTRACT, OTHER_ABSTRACT, arxiv_record, hf_page


def run_cli(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PREFECT_HOME": str(env_home)}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_missing_raw_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("build", "--raw", str(tmp_path / "nope"), env_home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_output_is_a_one_line_error(tmp_path: Path, sample_copy: Path) -> None:
    blocker = tmp_path / "file-in-the-way"
    blocker.write_text("not a folder")
    result = run_cli(
        "build", "--raw", str(sample_copy), "--out", str(blocker / "out"), env_home=tmp_path
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("paperset: error:")


@pytest.mark.slow
def test_build_on_messy_folder_keeps_good_papers_and_quarantines_the_rest(
    tmp_path: Path, sample_copy: Path
) -> None:
    seed = (sample_copy / "002_2e7ac985ea00b453.txt").read_bytes()
    (sample_copy / "windows.txt").write_bytes(b"\xef\xbb\xbf" + seed.replace(b"\n", b"\r\n"))
    page = hf_page(("Caf\u00e9 Models for Na\u00efve Users \u2013 a Study", ABSTRACT))
    (sample_copy / "cp1252.txt").write_bytes(page.encode("cp1252"))
    (sample_copy / "truncated.txt").write_text(
        hf_page(("Complete Paper", OTHER_ABSTRACT)) + "\n\nCut Off Title"
    )
    (sample_copy / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (sample_copy / "empty.txt").write_bytes(b"")
    (sample_copy / "listing.txt").write_text(arxiv_record(created="2024-13-45"))
    out = tmp_path / "out"
    result = run_cli("build", "--raw", str(sample_copy), "--out", str(out), env_home=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    papers = pl.scan_parquet(out / "papers", hive_partitioning=True).collect()
    assert papers.height == 268 + 2  # the cp1252 paper and the complete one of the truncated page
    assert (
        papers.filter(pl.col("title").str.contains("Café Models for Naïve Users – a Study")).height
        == 1
    )
    quarantine = pl.read_parquet(out / "quarantine" / "*.parquet")
    assert sorted(quarantine["reason"].to_list()) == [
        "binary: contains NUL bytes",
        "impossible date: 2024-13-45",
        "truncated page: title with no abstract",
    ]
    assert "268" not in result.stdout or "270 papers" in result.stdout


def test_a_run_over_the_error_budget_exits_1_with_the_cause_and_no_traceback(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "bad.txt").write_text(arxiv_record(created="2024-13-45"))
    result = run_cli("build", "--raw", str(raw), "--out", str(tmp_path / "out"), env_home=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("paperset: run failed: 1 of 1 records")


@pytest.mark.parametrize(
    "args",
    [
        ("serve", "--cron", "bogus"),
        ("serve", "--timezone", "Mars/Olympus"),
        ("serve", "--interval", "0"),
        ("runs", "--limit", "0"),
        ("status", "--out", "no-such-dataset"),
        ("build", "--year", "99999"),
    ],
)
def test_bad_operations_arguments_are_one_line_errors(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run_cli(*args, env_home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("paperset: error:") and "Traceback" not in result.stderr


@pytest.mark.slow
def test_explain_prints_a_papers_topic_evidence_sightings_and_merges(
    built_sample: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main
    from paperset.storage import read_papers

    out, _ = built_sample
    paper = read_papers(out).filter(pl.col("n_sightings") >= 2).sort("paper_id").row(0, named=True)
    assert main(["explain", paper["paper_id"], "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"topic: {paper['topic']} ({paper['topic_score']:.3f})" in printed
    assert f"evidence: {', '.join(paper['topic_evidence'])}" in printed
    assert f"sightings ({paper['n_sightings']}):" in printed
    for source in paper["sources"]:
        assert f"  {source}:" in printed
    assert "merges (" in printed and "merges (0)" not in printed


def test_explain_of_an_unknown_paper_is_a_one_line_error(
    built_sample: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    out, _ = built_sample
    assert main(["explain", "arxiv:0000.00000", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert error == "paperset: error: no paper 'arxiv:0000.00000' in the dataset"
