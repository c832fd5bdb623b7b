"""`paperset eval-real`: build a real development set and measure the dataset against its truth."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from flows.cli import EXIT_FAILED, UsageError

DEFAULT_REAL = Path("../shared/real")


def register(commands: Any) -> None:
    """Add the `eval-real` subcommand to the `paperset` parser."""
    evaluate = commands.add_parser(
        "eval-real",
        help="build a real development set (raw/ + truth) and compare the dataset with its truth",
    )
    evaluate.add_argument(
        "--real",
        type=Path,
        default=DEFAULT_REAL,
        help=f"folder with raw/, truth.parquet and truth_papers.parquet (default: {DEFAULT_REAL})",
    )
    evaluate.add_argument(
        "--out",
        type=Path,
        help="build into this folder and keep it (default: a temporary folder, removed after)",
    )
    evaluate.set_defaults(handler=_eval_real)


def _eval_real(args: argparse.Namespace) -> int:
    real: Path = args.real
    for needed in ("raw", "truth.parquet", "truth_papers.parquet"):
        if not (real / needed).exists():
            raise UsageError(f"{str(real / needed)!r} does not exist: --real needs raw/ and truth")
    if args.out is not None:
        return _build_and_compare(real, args.out)
    with tempfile.TemporaryDirectory(prefix="paperset-eval-real-") as scratch:
        return _build_and_compare(real, Path(scratch) / "out")


def _build_and_compare(real: Path, out: Path) -> int:
    from flows.preflight import check_output, quiet_prefect

    check_output(out)
    quiet_prefect()
    from flows.build import build_dataset
    from paperset.real_eval import evaluate_real, format_real_evaluation

    try:
        build_dataset(raw_dir=str(real / "raw"), out_dir=str(out), full=True)
    except Exception as error:  # the flow already logged the traceback
        print(
            f"paperset: eval-real: the build failed: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(format_real_evaluation(evaluate_real(out, real)))
    return 0
