"""Scale-out on Dask: `--workers N` and `--dask-address` build the same dataset as in-process."""

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.cli import main
from flows.progress import RunProgress
from paperset.ingest.batches import BatchIngest, batches_of, split_for_workers
from paperset.ingest.discover import RawFile
from paperset.report import RunReport

# When a paper entered the dataset: the one column two builds of the same data differ in.
RUN_TIME_COLUMNS = ("ingested_at",)


def dataset(out: Path) -> pl.DataFrame:
    papers = pl.scan_parquet(out / "papers", hive_partitioning=True).collect()
    papers = papers.drop(RUN_TIME_COLUMNS)
    return papers.select(sorted(papers.columns)).sort("paper_id")


def latest_report(out: Path) -> dict[str, Any]:
    reports = [json.loads(path.read_text()) for path in (out / "runs").glob("*.json")]
    return max(reports, key=lambda r: r["started_at"])


def assert_same_build(out: Path, built_sample: tuple[Path, dict[str, Any]]) -> None:
    reference_out, reference = built_sample
    assert dataset(out).equals(dataset(reference_out))
    report = latest_report(out)
    assert report["status"] == "succeeded"
    assert report["records"] == reference["records"]
    assert report["files"] == reference["files"]
    assert report["papers"]["total"] == reference["papers"]["total"] == 268
    stages = report["stage_seconds"]
    assert {"read", "parse", "clean", "cluster", "merge", "commit"} <= set(stages)


class RecordingProgress(RunProgress):
    def __init__(self) -> None:
        super().__init__(None, 0)
        self.labels: list[str] = []

    def step(self, label: str) -> None:
        self.labels.append(label)


def test_workers_build_on_a_local_cluster_equals_the_in_process_build(
    tmp_path: Path,
    sample_copy: Path,
    built_sample: tuple[Path, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    progress = RecordingProgress()

    @contextmanager
    def recorded(batches: int) -> Iterator[RunProgress]:
        yield progress

    monkeypatch.setattr("flows.build.run_progress", recorded)
    out = tmp_path / "out"
    status = main(["build", "--raw", str(sample_copy), "--out", str(out), "--workers", "2"])
    assert status == 0
    assert_same_build(out, built_sample)
    # The sample is one batch, cut in two pieces for two workers: still one step for it.
    assert progress.labels[0] == "read 1 of 1 batches of raw files"
    assert progress.labels[1:] == ["assigning topics", "validating", "committing", "done"]


def test_dask_address_builds_on_a_running_cluster(
    tmp_path: Path, sample_copy: Path, built_sample: tuple[Path, dict[str, Any]]
) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "out"
        address = str(cluster.scheduler_address)
        options = ["--raw", str(sample_copy), "--out", str(out), "--dask-address", address]
        status = main(["build", *options])
    assert status == 0
    assert_same_build(out, built_sample)


@pytest.mark.slow
def test_workers_report_to_the_temporary_prefect_server_of_the_build(
    tmp_path: Path, sample_copy: Path
) -> None:
    """Run as a user does, with no PREFECT_API_URL: the workers must not start servers."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out = tmp_path / "out"
    build_options = ["--raw", str(sample_copy), "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "build", *build_options, "--workers", "2"],
        capture_output=True,
        text=True,
        env=env | {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "INFO"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("Starting temporary server") == 1
    assert result.stderr.count("Task run 'ingest-batch-") == 2
    assert "distributed.scheduler" not in result.stderr
    assert latest_report(out)["papers"]["total"] == 268


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1, not 0"),
        (["--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"], "mutually exclusive"),
        (["--dask-address", "tcp://127.0.0.1:{port}"], "cannot reach the Dask scheduler"),
        (["--dask-address", "http://127.0.0.1:8786"], "not a Dask scheduler address"),
        (["--dask-address", "tcp://127.0.0.1"], "not a Dask scheduler address"),
    ],
)
def test_bad_dask_options_are_one_line_errors(
    tmp_path: Path,
    sample_copy: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    options = [option.format(port=closed_port()) for option in options]
    out = tmp_path / "out"
    status = main(["build", "--raw", str(sample_copy), "--out", str(out), *options])
    stderr = capsys.readouterr().err
    assert status == 2
    assert stderr.startswith("paperset: error:") and message in stderr
    assert stderr.strip().count("\n") == 0 and "Traceback" not in stderr
    assert not out.exists()


def test_serve_takes_the_dask_options_as_flow_parameters() -> None:
    from flows.cli import _parser
    from flows.cli_ops import serve_parameters

    args = _parser().parse_args(["serve", "--workers", "3"])
    assert serve_parameters(args)["workers"] == 3
    args = _parser().parse_args(["serve", "--dask-address", "tcp://scheduler:8786"])
    assert serve_parameters(args)["dask_address"] == "tcp://scheduler:8786"


def raw_files(*sizes: int) -> list[RawFile]:
    return [RawFile(Path(f"{n}.txt"), f"{n}.txt", size, 0.0) for n, size in enumerate(sizes)]


@pytest.mark.parametrize("slots", [1, 2, 3, 5, 8, 50])
def test_pieces_keep_every_file_in_order_and_give_each_worker_one(slots: int) -> None:
    files = raw_files(5, 100, 3, 3, 50, 50, 1, 0)
    batches = batches_of(files, max_bytes=120)
    pieces = split_for_workers(batches, slots)
    assert [f for _, piece in pieces for f in piece] == files
    assert all(piece for _, piece in pieces)
    assert len(pieces) >= min(slots, len(files))
    for index, piece in pieces:
        assert set(piece) <= set(batches[index])


def test_one_worker_keeps_the_batches_as_they_are() -> None:
    batches = batches_of(raw_files(5, 100, 3, 3, 50), max_bytes=120)
    assert split_for_workers(batches, 1) == list(enumerate(batches))


def test_results_are_added_in_order_as_soon_as_those_before_them_are_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.dask_ingest import _gather

    events: list[str] = []
    finishing_order = [1, 0, 3, 2, 4]

    class Finished:
        def __init__(self, piece: int) -> None:
            self.piece = piece

        def result(self) -> BatchIngest:
            return BatchIngest(pl.DataFrame({"piece": [self.piece]}), seconds={"parse": 1.0})

    def submit(piece: int) -> Finished:
        events.append(f"sent {piece}")
        return Finished(piece)

    def first_to_finish(futures: list[Finished]) -> Iterator[Finished]:
        running = {future.piece: future for future in futures}
        piece = next(p for p in finishing_order if p in running)
        finishing_order.remove(piece)
        events.append(f"finished {piece}")
        yield running[piece]

    monkeypatch.setattr("flows.dask_ingest.as_completed", first_to_finish)
    seconds = _gather(
        submit,  # type: ignore[arg-type]
        [0, 0, 1, 1, 2],
        3,
        RunProgress(None, 3),
        lambda result: events.append(f"added {result.records['piece'][0]}"),
        window=lambda: 2,
    )
    # Never more than two pieces sent beyond the last one added.
    assert events == [
        "sent 0",
        "sent 1",
        "finished 1",
        "finished 0",
        "added 0",
        "added 1",
        "sent 2",
        "sent 3",
        "finished 3",
        "finished 2",
        "added 2",
        "added 3",
        "sent 4",
        "finished 4",
        "added 4",
    ]
    assert seconds == [{"parse": 1.0}] * 5


def test_stage_times_add_up_to_the_wall_time_of_the_ingest() -> None:
    from flows.dask_ingest import _share_time

    report = RunReport("run", "now", "raw", "out")
    seconds = [{"read": 1.0, "parse": 6.0, "clean": 3.0}] * 4
    _share_time(report, seconds, wall=30.0, threads=2)
    assert report.stage_seconds == {"read": 2.0, "parse": 12.0, "clean": 6.0, "cluster": 10.0}
    report = RunReport("run", "now", "raw", "out")
    _share_time(report, seconds, wall=10.0, threads=2)  # more work than wall time: scaled down
    assert sum(report.stage_seconds.values()) == pytest.approx(10.0, abs=0.01)
    assert report.stage_seconds["cluster"] == 0.0
