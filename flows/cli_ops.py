"""Operations commands: `serve` on a schedule, and `runs` / `status` from the files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from paperset.config import DEFAULT_OUT

DEFAULT_CRON = "0 6 * * *"


def register(commands: Any) -> None:
    """Add the `serve`, `runs` and `status` subcommands."""
    from flows.cli import add_build_options

    serve = commands.add_parser(
        "serve", help="serve build-dataset as a scheduled Prefect deployment"
    )
    when = serve.add_mutually_exclusive_group()
    when.add_argument(
        "--cron", default=DEFAULT_CRON, help=f"cron schedule (default: {DEFAULT_CRON!r})"
    )
    when.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="run every SECONDS seconds instead of on a cron schedule",
    )
    serve.add_argument("--timezone", default="UTC", help="time zone of the schedule (default: UTC)")
    add_build_options(serve)
    serve.set_defaults(handler=_serve)
    runs = commands.add_parser("runs", help="list recent runs from out/runs/")
    runs.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    runs.add_argument("--limit", type=int, default=10, help="how many runs (default: 10)")
    runs.set_defaults(handler=_runs)
    status = commands.add_parser("status", help="dataset totals, freshness and the last run")
    status.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    status.set_defaults(handler=_status)


def _serve(args: argparse.Namespace) -> int:
    from flows.cli import EXIT_FAILED, UsageError
    from flows.preflight import check_output, check_scale_out, quiet_prefect

    if not args.raw.is_dir():
        raise UsageError(f"raw folder {str(args.raw)!r} does not exist or is not a folder")
    if args.interval is not None and args.interval <= 0:
        raise UsageError(f"--interval must be a positive number of seconds, not {args.interval:g}")
    _check_schedule(args.cron, args.timezone)
    check_scale_out(args)
    check_output(args.out)
    quiet_prefect()
    from flows.local_server import ServerError, server_home
    from flows.serve import schedule_of, serve_builds

    schedule = schedule_of(args.cron, args.interval, args.timezone)
    try:
        serve_builds(schedule, serve_parameters(args), server_home(args.out))
    except ServerError as error:
        print(f"paperset: serve failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # stopped while its server was starting: nothing to report
        return 0
    return 0


def serve_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The build options a scheduled run will use, as flow parameters.

    The Dask options are passed only when given: every run then starts its own local
    cluster (`--workers`) or connects to the scheduler (`--dask-address`) afresh.
    """
    parameters: dict[str, Any] = {
        "raw_dir": str(args.raw),
        "out_dir": str(args.out),
        "year": args.year,
        "error_budget": args.error_budget,
        "near_duplicates": not args.no_near_duplicates,
    }
    if args.dask_address is not None:
        parameters["dask_address"] = args.dask_address
    if args.workers is not None:
        parameters["workers"] = args.workers
    return parameters


def _check_schedule(cron: str, timezone: str) -> None:
    """Refuse a cron expression or time zone the scheduler would reject later."""
    from prefect.client.schemas.schedules import CronSchedule

    from paperset.errors import UsageError

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError as error:
        field = "--timezone" if "timezone" in str(error).split("\n")[1] else "--cron"
        value = timezone if field == "--timezone" else cron
        raise UsageError(f"{field} {value!r} is not valid") from None


def dataset_folder(out: Path) -> Path:
    """The output folder of an existing dataset, or a usage error."""
    from paperset.errors import UsageError
    from paperset.storage.layout import Layout

    if not (Layout(out).meta / "dataset.json").is_file():
        raise UsageError(f"{str(out)!r} is not a paperset dataset folder (nothing built there yet)")
    return out


def _runs(args: argparse.Namespace) -> int:
    from paperset.errors import UsageError
    from paperset.runs import format_runs, load_runs

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    print(format_runs(load_runs(dataset_folder(args.out), args.limit)))
    return 0


def _status(args: argparse.Namespace) -> int:
    from paperset.runs import dataset_status, format_status

    print(format_status(dataset_status(dataset_folder(args.out))))
    return 0
