"""`paperset serve` as a user starts it: its own server, runs that fire, a clean stop."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

INTERVAL_SECONDS = "3"  # shorter than a run of the sample (~5 s with its process start)
DEADLINE_SECONDS = 150.0


@dataclass
class Serving:
    """A `paperset serve` child process and what it left on disk."""

    process: subprocess.Popen[bytes]
    out: Path
    log: Path
    server: dict[str, Any] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_for(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not check():
            assert self.process.poll() is None, f"serve exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {what} in time:\n{self.output()}"
            time.sleep(0.5)

    def server_address(self) -> bool:
        with suppress(OSError, ValueError):
            self.server = json.loads((self.out / "_meta/prefect/server.json").read_text())
        return bool(self.server)


@pytest.fixture
def serving(tmp_path: Path, sample_copy: Path) -> Iterator[Serving]:
    """Start `paperset serve --interval 3` with no Prefect server around; kill what is left."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_LOGGING_LEVEL": "INFO"}
    out, log = tmp_path / "out", tmp_path / "serve.log"
    command = [
        "serve",
        "--interval",
        INTERVAL_SECONDS,
        "--raw",
        str(sample_copy),
        "--out",
        str(out),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", *command],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    serving = Serving(process, out, log)
    try:
        yield serving
    finally:
        for pid in (process.pid, serving.server.get("pid")):
            with suppress(ProcessLookupError, TypeError):
                os.killpg(pid, signal.SIGKILL)  # type: ignore[arg-type]
        process.wait(30)


def succeeded_runs(out: Path) -> list[dict[str, Any]]:
    reports = (json.loads(path.read_text()) for path in (out / "runs").glob("*.json"))
    return [report for report in reports if report["status"] == "succeeded"]


def flow_runs(api_url: str) -> list[dict[str, Any]]:
    body = json.dumps({"limit": 200, "sort": "EXPECTED_START_TIME_ASC"}).encode()
    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        runs: list[dict[str, Any]] = json.load(response)
    return runs


def of_state(runs: list[dict[str, Any]], state: str) -> list[dict[str, Any]]:
    return [run for run in runs if run["state_type"] == state]


def is_listening(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


def is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie awaiting its reaper is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to check no server is left")
def test_serve_builds_on_schedule_cancels_overlaps_and_stops_its_server(
    serving: Serving,
) -> None:
    serving.wait_for("server address", serving.server_address)
    api_url = serving.server["api_url"]
    serving.wait_for("succeeded run", lambda: bool(succeeded_runs(serving.out)))
    serving.wait_for("cancelled run", lambda: bool(of_state(flow_runs(api_url), "CANCELLED")))

    runs = flow_runs(api_url)
    ran = sorted(
        (run["start_time"], run["end_time"] or "9") for run in runs if run["run_count"] > 0
    )
    assert all(end <= next_start for (_, end), (next_start, _) in pairwise(ran))
    assert all(run["run_count"] == 0 for run in of_state(runs, "CANCELLED"))

    serving.process.send_signal(signal.SIGTERM)
    assert serving.process.wait(30) == 0, serving.output()
    assert "Traceback" not in serving.output()
    assert not is_listening(serving.server["ui_url"])
    assert not is_running(serving.server["pid"])
    assert not (serving.out / "_meta/prefect/server.json").exists()
