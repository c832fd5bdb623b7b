"""A Prefect server of paperset's own, next to the dataset: started by `paperset serve`.

Prefect's temporary server runs no scheduler, so a served schedule never fires without a real
server. `paperset serve` starts `prefect server start` as a child process (its own process
group, so the terminal's Ctrl-C reaches `serve` first and the server is stopped last), keeps
its database under `<out>/_meta/prefect/`, and writes the server's address to
`<out>/_meta/prefect/server.json` so that `paperset build` on the same output folder uses it
instead of starting a temporary one. Nothing here imports Prefect: `build` checks for a
running server before paying for the import.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from paperset.storage.layout import PREFECT_HOME

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 180.0  # a first start creates the database: ~20 s on a busy 2-core box
STOP_TIMEOUT_SECONDS = 15.0
HEALTH_TIMEOUT_SECONDS = 1.0
ADDRESS_FILE = "server.json"
LOG_FILE = "server.log"


class ServerError(Exception):
    """The local Prefect server did not start: the message names its log."""


@dataclass(frozen=True)
class LocalServer:
    """A running `prefect server start` child: its address and process."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def server_home(out: Path) -> Path:
    """Where the server of a dataset keeps its database, log and address."""
    return out / PREFECT_HOME


def is_healthy(api_url: str, timeout: float = HEALTH_TIMEOUT_SECONDS) -> bool:
    """Whether a Prefect API answers its health check at `api_url`."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def running_server(out: Path) -> str | None:
    """The API URL of a healthy server that `paperset serve` started for `out`, else None."""
    try:
        address = json.loads((server_home(out) / ADDRESS_FILE).read_text(encoding="utf-8"))
        api_url = str(address["api_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return api_url if is_healthy(api_url) else None


@contextmanager
def local_server(home: Path, timeout: float = START_TIMEOUT_SECONDS) -> Iterator[LocalServer]:
    """Start a Prefect server with its state under `home`; stop it, and its children, on exit."""
    home.mkdir(parents=True, exist_ok=True)
    server = _start(home, _free_port())
    try:
        _wait_until_healthy(server, home / LOG_FILE, timeout)
        _write_address(home, server)
        yield server
    finally:
        (home / ADDRESS_FILE).unlink(missing_ok=True)
        stop_process_group(server.process)


def _start(home: Path, port: int) -> LocalServer:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": HOST,
        "PREFECT_SERVER_API_PORT": str(port),
    }
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST]
    with (home / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            # Nothing in it takes a Python lock: safe after a fork from a threaded parent.
            preexec_fn=_die_with_parent(),  # noqa: PLW1509
        )
    return LocalServer(f"http://{HOST}:{port}", process)


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a child set-up that has the kernel SIGTERM the server when its parent dies,
    so a `paperset serve` killed outright (SIGKILL, out of memory) leaves no server behind.
    """
    if sys.platform != "linux":
        return None
    import ctypes

    prctl, pr_set_pdeathsig = ctypes.CDLL(None).prctl, 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(server: LocalServer, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not is_healthy(server.api_url):
        if server.process.poll() is not None:
            raise ServerError(
                f"the Prefect server exited with status {server.process.returncode}; see {log}"
            )
        if time.monotonic() > deadline:
            raise ServerError(
                f"the Prefect server did not answer within {timeout:.0f} s; see {log}"
            )
        time.sleep(0.25)


def _write_address(home: Path, server: LocalServer) -> None:
    address = {"api_url": server.api_url, "ui_url": server.url, "pid": server.process.pid}
    partial = home / f".{ADDRESS_FILE}.tmp"
    partial.write_text(json.dumps(address) + "\n", encoding="utf-8")
    partial.replace(home / ADDRESS_FILE)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group, SIGKILL it if it lingers, and reap the process."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_SECONDS), (signal.SIGKILL, None)):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(wait)
            return
