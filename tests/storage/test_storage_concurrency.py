"""Concurrency: two writers, exactly one commits; a reader looping during commits never errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from test_storage_frames import STATE_A, STATE_B, commit, frame, paper, snapshot

from paperset.storage import read_papers

WRITER = """
import sys, time
from pathlib import Path
import polars as pl
from paperset.storage import commit_papers, output_lock
from paperset.errors import LockedError
out, papers, run_id = Path(sys.argv[1]), pl.read_parquet(sys.argv[2]), sys.argv[3]
go = Path(sys.argv[4])
try:
    with output_lock(out, run_id):
        print("locked", flush=True)
        while not go.exists():
            time.sleep(0.01)
        commit_papers(papers, out, run_id)
except LockedError as error:
    sys.exit(str(error))
"""

READER = """
import json, sys
from pathlib import Path
import polars as pl
from paperset.storage import read_papers
out, stop, states = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
allowed = [sorted(map(tuple, state)) for state in states]
reads, torn, errors = 0, 0, []
print("ready", flush=True)
while not stop.exists():
    try:
        rows = read_papers(out).select("paper_id", pl.col("date").cast(str), "topic", "title")
        torn += sorted(rows.rows()) not in allowed
        reads += 1
    except Exception as error:
        errors.append(repr(error)[:300])
print(json.dumps({"reads": reads, "torn": torn, "errors": errors}))
"""


def start(script: str, *args: object) -> subprocess.Popen[str]:
    """Start `script` in a fresh Python with `args`, its output piped."""
    command = [sys.executable, "-c", script, *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_to_exit(*processes: subprocess.Popen[str], timeout: float = 30) -> int:
    """Return the index of the first process to exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for index, process in enumerate(processes):
            if process.poll() is not None:
                return index
        time.sleep(0.01)
    raise TimeoutError("no process exited")


def test_of_two_concurrent_writers_one_commits_and_the_other_changes_nothing(
    tmp_path: Path,
) -> None:
    out, go = tmp_path / "out", tmp_path / "go"
    commit(frame(*STATE_A), out)
    before = snapshot(out)
    inputs = {"writer-b": frame(*STATE_B), "writer-c": frame(paper(8), paper(9))}
    for run_id, papers in inputs.items():
        papers.write_parquet(tmp_path / f"{run_id}.parquet")
    writers = [start(WRITER, out, tmp_path / f"{r}.parquet", r, go) for r in inputs]
    loser = writers[first_to_exit(*writers)]
    winner_id = next(r for r, w in zip(inputs, writers, strict=True) if w is not loser)
    _, refusal = loser.communicate()
    assert loser.returncode == 1
    assert refusal.count("\n") == 1
    assert f"in use by paperset run {winner_id} (pid" in refusal
    assert snapshot(out) == before
    go.touch()
    assert [w.wait(30) for w in writers if w is not loser] == [0]
    assert_frame_equal(read_papers(out).sort("paper_id"), inputs[winner_id].sort("paper_id"))


def test_a_reader_looping_during_commits_never_errors_nor_sees_half_a_commit(
    tmp_path: Path,
) -> None:
    out, stop = tmp_path / "out", tmp_path / "stop"
    commit(frame(*STATE_A), out)
    states = [
        frame(*state).select("paper_id", pl.col("date").cast(str), "topic", "title").rows()
        for state in (STATE_A, STATE_B)
    ]
    reader = start(READER, out, stop, json.dumps(states, default=str))
    assert reader.stdout is not None
    assert reader.stdout.readline() == "ready\n"
    for number in range(2, 22):
        commit(frame(*(STATE_B if number % 2 else STATE_A)), out, run_id=f"run-{number}")
    stop.touch()
    output, errors = reader.communicate(timeout=30)
    report = json.loads(output)
    assert (reader.returncode, report["errors"], report["torn"]) == (0, [], 0), errors
    assert report["reads"] >= 3
