"""Crash safety: a commit killed with SIGKILL at any point leaves only whole Parquet files,
and the next commit converges to the dataset an uninterrupted commit would have made."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from test_storage_frames import STATE_A, STATE_B, commit, frame, snapshot

from paperset.storage import verify_manifest
from paperset.storage.commit import CRASH_ENV, CRASH_POINTS

COMMIT = """
import sys
from pathlib import Path
import polars as pl
from paperset.storage import commit_papers, output_lock
out, papers, run_id = Path(sys.argv[1]), pl.read_parquet(sys.argv[2]), sys.argv[3]
with output_lock(out, run_id):
    commit_papers(papers, out, run_id)
"""


@pytest.fixture(scope="module")
def crashed_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per crash point, a folder holding A where a commit of B was killed at that point."""
    papers = tmp_path_factory.mktemp("input") / "b.parquet"
    frame(*STATE_B).write_parquet(papers)
    folders = {point: tmp_path_factory.mktemp(f"crashed-{point}") for point in CRASH_POINTS}
    runs = {}
    for point, out in folders.items():
        commit(frame(*STATE_A), out)
        command = [sys.executable, "-c", COMMIT, str(out), str(papers), "run-2"]
        env = os.environ | {CRASH_ENV: point}
        # All at once: each child spends most of its time importing, which overlaps well.
        runs[point] = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    for point, run in runs.items():
        _, errors = run.communicate(timeout=60)
        assert run.returncode == -signal.SIGKILL, f"{point}: {errors}"
    return folders


@pytest.fixture(params=CRASH_POINTS)
def crashed(request: pytest.FixtureRequest, crashed_folders: dict[str, Path]) -> Path:
    """A folder where a commit was killed at one named point."""
    path: Path = crashed_folders[request.param]
    return path


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder where A then B were committed without a hitch."""
    out = tmp_path_factory.mktemp("uninterrupted")
    commit(frame(*STATE_A), out)
    commit(frame(*STATE_B), out, run_id="run-2")
    return out


def test_after_a_kill_every_file_under_papers_is_whole_parquet(crashed: Path) -> None:
    files = [path for path in (crashed / "papers").rglob("*") if path.is_file()]
    assert {path.name for path in files} == {"part-0.parquet"}
    for path in files:
        assert pl.read_parquet(path).height > 0


def test_after_a_kill_the_next_commit_converges_to_the_uninterrupted_dataset(
    crashed: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = shutil.copytree(crashed, tmp_path / "out")
    commit(frame(*STATE_B), out, run_id="run-3")
    assert snapshot(out) == snapshot(uninterrupted)
    assert verify_manifest(out) == []
    assert not (out / ".staging").exists()
