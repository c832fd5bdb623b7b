"""Run a variant as a child process and read its wall time and peak RSS; host a Prefect server.

Peak RSS comes from `wait4` on the child: the kernel's high-water mark of the largest
process in the child's tree (the child or any descendant it waited for), so every variant
gets its own figure, unlike `getrusage(RUSAGE_CHILDREN)`, which keeps the maximum of all
children so far. The child is started by `bench.rss`, a small launcher, because Linux
carries the high-water mark across `exec`: forked from this process (which holds the corpus
and its truth) a child would report at least this process's RSS. It is not the sum over the
tree: Prefect's temporary server, a separate process, is not added to the build's figure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_START_TIMEOUT = 180.0


@dataclass(frozen=True)
class Measurement:
    """What one child process cost."""

    seconds: float
    peak_rss_mb: float
    exit_code: int


def run_measured(argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> Measurement:
    """Run `argv` to completion, output to `log`; return its wall time, peak RSS, exit code."""
    log.parent.mkdir(parents=True, exist_ok=True)
    peak = log.with_suffix(".rss")
    launcher = [sys.executable, "-m", "bench.rss", str(peak), "--", *argv]
    with log.open("w") as sink:
        start = time.perf_counter()
        status = subprocess.run(
            launcher, check=False, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT
        )
        seconds = time.perf_counter() - start
    kib = int(peak.read_text()) if peak.exists() else 0
    return Measurement(round(seconds, 3), round(kib / 1024, 1), status.returncode)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"the Prefect server did not answer at {url} within {SERVER_START_TIMEOUT:.0f} s"
    )


@contextmanager
def prefect_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """Start one Prefect API server for every build of a run; yield its URL, stop it after.

    Builds pointed at it (`PREFECT_API_URL`) skip the temporary server each `paperset build`
    otherwise starts, so the figures show the pipeline and the client's start-up only.
    """
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-ui",
        "--no-services",
        "--analytics-off",
    ]
    with log.open("w") as sink:
        # Its own session, so stopping it reaches the workers it starts and nothing else.
        server = subprocess.Popen(
            argv, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
