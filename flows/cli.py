"""The `paperset` command: argument checks and one-line errors around the flows."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flows import cli_ops
from flows.preflight import check_output, check_scale_out, quiet_prefect, use_running_server
from paperset.config import DEFAULT_LABELS, BuildConfig
from paperset.errors import RunFailed, UsageError

DEFAULTS = BuildConfig()


EXIT_USAGE = 2
EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperset",
        description="Turn raw research-paper listing dumps into a clean Parquet dataset.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build", help="parse, deduplicate, validate and write the dataset (Prefect flow)"
    )
    add_build_options(build)
    build.add_argument(
        "--full", action="store_true", help="re-read every raw file, not only new and changed ones"
    )
    evaluate = commands.add_parser(
        "eval-topics", help="measure the topic classifier on labelled papers"
    )
    evaluate.add_argument(
        "--raw",
        type=Path,
        default=DEFAULTS.raw_dir,
        help=f"raw dumps to classify (default: {DEFAULTS.raw_dir})",
    )
    evaluate.add_argument(
        "--labels",
        type=Path,
        default=DEFAULT_LABELS,
        help=f"labels JSON (default: {DEFAULT_LABELS})",
    )
    evaluate.add_argument(
        "--real",
        type=Path,
        default=Path("../shared/real/papers.parquet"),
        help="real arXiv papers: their held-out tenth is measured too, when the file exists "
        "(default: ../shared/real/papers.parquet)",
    )
    build.set_defaults(handler=_build)
    evaluate.set_defaults(handler=_eval_topics)
    cli_ops.register(commands)
    for register in _command_modules():
        register(commands)
    return parser


def add_build_options(parser: argparse.ArgumentParser) -> None:
    """The options of a build, shared by `build` and `serve`; defaults from BuildConfig."""
    parser.add_argument(
        "--raw",
        type=Path,
        default=DEFAULTS.raw_dir,
        help=f"raw dumps folder (default: {DEFAULTS.raw_dir})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULTS.out_dir,
        help=f"output folder (default: {DEFAULTS.out_dir})",
    )
    parser.add_argument(
        "--year", type=int, help="year of papers-page dates when the file name has none"
    )
    parser.add_argument(
        "--error-budget",
        type=float,
        default=DEFAULTS.error_budget,
        help=f"max share of quarantined records (default: {DEFAULTS.error_budget})",
    )
    parser.add_argument(
        "--no-near-duplicates",
        action="store_true",
        help="merge exact duplicates only (skip MinHash)",
    )
    parser.add_argument(
        "--dask-address",
        metavar="ADDRESS",
        default=DEFAULTS.dask_address,
        help="read, parse and clean on the Dask cluster whose scheduler is at ADDRESS "
        "(tcp://host:8786); not with --workers",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        default=DEFAULTS.workers,
        help="read, parse and clean on a local Dask cluster of N worker threads; "
        "not with --dask-address (default: in the flow's process)",
    )


def _command_modules() -> list[Callable[[Any], None]]:
    """Commands that live in their own modules register their parsers here."""
    from flows import cli_changes, cli_eval, cli_publish, cli_topics

    return [cli_publish.register, cli_topics.register, cli_eval.register, cli_changes.register]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named on the command line; return the exit status.

    The error tiers (`paperset.errors`) map to exit statuses here and only here: a usage
    error is told in one line and exits 2, a failed run exits 1, never with a traceback.
    """
    args = _parser().parse_args(argv)
    try:
        status: int = args.handler(args)
        return status
    except UsageError as error:
        print(f"paperset: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RunFailed as error:
        print(f"paperset: run failed: {error}", file=sys.stderr)
        return EXIT_FAILED


def _existing_folder(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise UsageError(f"{what} folder {str(path)!r} does not exist or is not a folder")
    return path


def _build(args: argparse.Namespace) -> int:
    raw = _existing_folder(args.raw, "raw")
    if not 0 <= args.error_budget <= 1:
        raise UsageError("--error-budget must be between 0 and 1")
    if args.year is not None and not 1991 <= args.year <= dt.date.today().year + 1:
        raise UsageError(f"--year {args.year} is outside 1991..{dt.date.today().year + 1}")
    check_scale_out(args)
    check_output(args.out)
    quiet_prefect()
    use_running_server(args.out)
    from flows.build import build_dataset
    from flows.summary import print_build_summary
    from paperset.errors import ErrorBudgetExceeded, OutputError
    from paperset.report import RunReport

    try:
        report = build_dataset(
            raw_dir=str(raw),
            out_dir=str(args.out),
            year=args.year,
            error_budget=args.error_budget,
            near_duplicates=not args.no_near_duplicates,
            full=args.full,
            dask_address=args.dask_address,
            workers=args.workers,
        )
    except OutputError:
        raise  # a UsageError: one line, exit 2
    except ErrorBudgetExceeded as error:
        print(f"paperset: run failed: {error} (see {args.out}/quarantine/)", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the flow already logged the traceback
        print(f"paperset: run failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    print_build_summary(RunReport.from_json(report), args.out)
    return 0


def _eval_topics(args: argparse.Namespace) -> int:
    from paperset.preview import papers_from_folder
    from paperset.topics.assign import assign_topics
    from paperset.topics.evaluate import (
        evaluate_topics,
        format_evaluation,
        heldout_papers,
        load_labels,
    )

    raw = _existing_folder(args.raw, "raw")
    if not args.labels.is_file():
        raise UsageError(f"labels file {str(args.labels)!r} does not exist")
    papers = papers_from_folder(raw)
    print(f"== Hand labels: {args.labels} (papers of {raw})")
    print(format_evaluation(evaluate_topics(papers, load_labels(args.labels))))
    if not args.real.is_file():
        print(f"\n(no {args.real}: the held-out real papers are not measured)")
        return 0
    held, labels = heldout_papers(args.real)
    print(
        f"\n== Held-out real papers: {args.real} (labels from arXiv categories, never trained on)"
    )
    print(format_evaluation(evaluate_topics(assign_topics(held), labels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
