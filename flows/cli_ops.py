"""Operations commands: `serve` on a schedule, and `runs` / `status` from the files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_CRON = "0 6 * * *"


def register(commands: Any) -> None:
    """Add the `serve`, `runs` and `status` subcommands."""
    serve = commands.add_parser(
        "serve", help="serve build-dataset as a scheduled Prefect deployment"
    )
    serve.add_argument(
        "--cron", default=DEFAULT_CRON, help=f"cron schedule (default: {DEFAULT_CRON!r})"
    )
    serve.add_argument("--timezone", default="UTC", help="time zone of the schedule (default: UTC)")
    serve.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw dumps folder")
    serve.add_argument("--out", type=Path, default=Path("data/processed"), help="output folder")
    serve.set_defaults(handler=_serve)
    runs = commands.add_parser("runs", help="list recent runs from out/runs/")
    runs.add_argument("--out", type=Path, default=Path("data/processed"), help="output folder")
    runs.add_argument("--limit", type=int, default=10, help="how many runs (default: 10)")
    runs.set_defaults(handler=_runs)
    status = commands.add_parser("status", help="dataset totals, freshness and the last run")
    status.add_argument("--out", type=Path, default=Path("data/processed"), help="output folder")
    status.set_defaults(handler=_status)


def _serve(args: argparse.Namespace) -> int:
    from flows.cli import UsageError, quiet_prefect

    if not args.raw.is_dir():
        raise UsageError(f"raw folder {str(args.raw)!r} does not exist or is not a folder")
    quiet_prefect()
    from flows.serve import serve_builds

    parameters = {"raw_dir": str(args.raw), "out_dir": str(args.out)}
    serve_builds(args.cron, args.timezone, parameters)
    return 0


def _runs(args: argparse.Namespace) -> int:
    from paperset.history import format_runs, load_runs

    print(format_runs(load_runs(args.out, args.limit)))
    return 0


def _status(args: argparse.Namespace) -> int:
    from flows.cli import UsageError
    from paperset.history import dataset_status, format_status

    if not args.out.is_dir():
        raise UsageError(f"output folder {str(args.out)!r} does not exist: nothing built yet")
    print(format_status(dataset_status(args.out)))
    return 0
