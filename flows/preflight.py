"""What a command checks and sets before it starts Prefect: the output folder can take a
dataset, the Dask options can be used, and Prefect's server is quiet and, when `paperset serve`
runs one for the output folder, found."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from paperset.errors import UsageError


def check_output(out: Path) -> None:
    """Fail before starting Prefect when the output folder cannot take a dataset."""
    from paperset.storage import check_unlocked, preflight_output

    preflight_output(out)  # an OutputError is a UsageError: one line, exit 2
    check_unlocked(out)


def check_scale_out(args: argparse.Namespace) -> None:
    """Refuse Dask options a run could not use, in one line, before starting Prefect."""
    if args.dask_address is not None and args.workers is not None:
        raise UsageError("--dask-address and --workers are mutually exclusive")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    if args.dask_address is not None:
        _check_scheduler(args.dask_address)


SCHEDULER_CONNECT_SECONDS = 5.0


def _check_scheduler(address: str) -> None:
    """The scheduler must take a connection: a typo should not wait out Dask's own timeout."""
    scheme, _, location = address.rpartition("://")
    host, _, port = location.rpartition(":")
    if scheme not in ("", "tcp", "tls") or not host or not port.isdigit() or int(port) > 65535:
        raise UsageError(
            f"--dask-address {address!r} is not a Dask scheduler address like tcp://host:8786"
        )
    try:
        with socket.create_connection(
            (host.strip("[]"), int(port)), timeout=SCHEDULER_CONNECT_SECONDS
        ):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


# Prefect gives its temporary server 20 s to start: on a busy 2-core machine its start (imports,
# database migrations) was seen to take longer, and the build then failed before reading a file.
EPHEMERAL_STARTUP_SECONDS = "120"


def quiet_prefect() -> None:
    """Keep the embedded Prefect server from phoning home (this machine may have no network),
    and give it time to start on a busy machine."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS
    )


def use_running_server(out: Path) -> None:
    """Report to the server a `paperset serve` runs for `out`, when no Prefect API is set.

    Prefect would otherwise start a temporary server for this one run: ~9 s of a no-op build.
    Checked before Prefect is imported, which reads its settings once.
    """
    from flows.local_server import running_server

    api_url = None if os.environ.get("PREFECT_API_URL") else running_server(out)
    if api_url:
        os.environ["PREFECT_API_URL"] = api_url
        print(
            f"paperset: using the Prefect server of `paperset serve` at {api_url}", file=sys.stderr
        )
