"""`paperset eval-real`: build a real development set and measure the dataset against its truth."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.cli import EXIT_FAILED, UsageError

if TYPE_CHECKING:
    from paperset.real_eval import RealEvaluation

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
    from paperset.real_eval import evaluate_real

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


def format_real_evaluation(result: RealEvaluation) -> str:
    """The evaluation as the lines `paperset eval-real` prints."""
    r = result
    lines = [
        f"records: {r.records_read} read (truth {r.records_true}) = {r.records_accepted} accepted"
        f" + {r.records_quarantined} quarantined; {r.valid_quarantined} valid records"
        f" quarantined; {r.files_miscounted} files read as a different number of records",
        f"papers:  {r.papers_out} rows (truth {r.papers_true}); {r.papers_split} papers split"
        f" over several rows; {r.rows_merging_papers} rows merging several papers;"
        f" {r.wrong_abstract} papers with an abstract none of their sightings shows",
        *(
            [
                f"topics:  {r.topic_accuracy:.2%} of the {r.topics_labelled} papers whose arXiv"
                " categories decide the topic (MAPPING.md) have an acceptable one"
            ]
            if r.topic_accuracy is not None
            else []
        ),
        "fields (share of true papers whose row has the right value):",
        *(f"  {name:<12} {share:.4%}" for name, share in r.field_agreement.items()),
    ]
    if r.examples:
        lines.append("examples (arXiv ids, paper ids or file:line):")
        lines.extend(f"  {kind}: {', '.join(ids)}" for kind, ids in r.examples.items())
    return "\n".join(lines)
